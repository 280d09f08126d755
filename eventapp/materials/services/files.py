"""What an uploaded file is and what it may be called: its type read from its content, its
size counted as it is read, and its name cleaned for the download's Content-Disposition.

Plain functions without Flask or the database, so each rule has a test of its own.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from eventapp.materials.models import MAX_NAME

# type -> (media type sent on download, the extensions a file of that type may have; the first
# is the one a name without a fitting extension would get).
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", ("pdf",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             ("pptx",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ("docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "png": ("image/png", ("png",)),
    "jpeg": ("image/jpeg", ("jpg", "jpeg")),
}

# The main part's content type in an Office Open XML package's [Content_Types].xml: what makes
# a zip a Word, PowerPoint or Excel file. The macro-enabled variants (docm, pptm, xlsm) name
# other types and are refused.
_OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# [Content_Types].xml lists a few dozen parts; a larger one is not an Office file's (and
# reading it whole could be a zip bomb's first step).
_CONTENT_TYPES_MAX = 256 * 1024
# A name longer than any file system allows was not made by saving a file.
HOSTILE_NAME_LENGTH = 255


def sniff(stream: BinaryIO) -> str | None:
    """The file's type by its first bytes and, for a zip, by the package's declared main part;
    None for anything else (an .exe, a macro-enabled document, a zip of other things)."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(stream)
    return None


def _ooxml(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            declared = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError,
            NotImplementedError, EOFError):
        return None
    finally:
        stream.seek(0)
    found = [kind for kind, main in _OOXML_MAIN.items() if main in declared]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Upload:
    """A file read within the size limit: its bytes (spooled), size, type and clean name."""

    data: BinaryIO
    size: int
    file_type: str
    filename: str

    @property
    def media_type(self) -> str:
        return TYPES[self.file_type][0]


class Refused(ValueError):
    """Why the file is refused: ``code`` (``long_name``, ``name``, ``too_big``, ``empty``,
    ``type``, ``mismatch``) and what the message needs; the service puts it in words."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def read_limited(stream: BinaryIO, limit: int) -> tuple[BinaryIO, int] | None:
    """The stream's bytes copied to a spooled file, and their count; None past ``limit``.
    Reads at most ``limit`` + 1 bytes, whatever the upload claims about its size."""
    import tempfile

    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - handed on
    size = 0
    while chunk := stream.read(min(64 * 1024, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            out.close()
            return None
        out.write(chunk)
    out.seek(0)
    return out, size


_SPACES = re.compile(r"\s+")


def clean_text(raw: str | None) -> str:
    """``raw`` in NFC without control or format characters (a right-to-left override that makes
    ``fdp.exe`` read as ``exe.pdf``), line breaks and tabs as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text
                   if ch in "\t\n\r\v\f"
                   or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    return _SPACES.sub(" ", text).strip()


def clean_name(raw: str | None) -> str:
    """The name to show and send back: its last path part only (a browser may send
    ``C:\\Users\\kari\\lysbilder.pdf``), cleaned as ``clean_text``, no leading dots, and at
    most ``MAX_NAME`` characters with the extension kept. Letters of any language stay, æ, ø
    and å among them. May return "" when nothing is left."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", raw or ""))[-1]
    name = clean_text(name).lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 5 and stem:
            name = stem[:MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME].rstrip()
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def check(stream: BinaryIO, raw_name: str | None, limit: int) -> Upload:
    """The upload read and checked, or ``Refused`` with the reason. The name is checked
    before a byte is read; the type by the content, and the name's extension must agree."""
    if raw_name is not None and len(raw_name) > HOSTILE_NAME_LENGTH:
        raise Refused("long_name", limit=HOSTILE_NAME_LENGTH)
    name = clean_name(raw_name)
    if not name or not extension(name):
        raise Refused("name")
    read = read_limited(stream, limit)
    if read is None:
        raise Refused("too_big", limit=limit)
    data, size = read
    file_type = sniff(data) if size else None
    if size == 0 or file_type is None or extension(name) not in TYPES[file_type][1]:
        data.close()
        if size == 0:
            raise Refused("empty")
        if file_type is None:
            raise Refused("type")
        raise Refused("mismatch", file_type=file_type, extension=extension(name))
    return Upload(data=data, size=size, file_type=file_type, filename=name)
