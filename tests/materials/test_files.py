"""The file checks on their own: the type read from the content, the size counted while
reading, and the name cleaned. No app, no database."""

import io

import pytest

from eventapp.materials.services import files
from tests.materials import samples


@pytest.mark.parametrize("kind", sorted(samples.GOOD))
def test_each_accepted_type_is_known_by_its_content(kind):
    name, build = samples.GOOD[kind]
    assert files.sniff(io.BytesIO(build())) == kind
    upload = files.check(io.BytesIO(build()), name, 10_000)
    assert (upload.file_type, upload.filename, upload.size) == (kind, name, len(build()))
    assert upload.data.read() == build()


@pytest.mark.parametrize("data", [samples.exe(), samples.plain_zip(), samples.office("docm"),
                                  b"PK\x03\x04 not really a zip", b"<html><script>",
                                  b"GIF89a\x01\x00\x01\x00"])
def test_other_content_is_not_a_known_type(data):
    assert files.sniff(io.BytesIO(data)) is None
    with pytest.raises(files.Refused) as refused:
        files.check(io.BytesIO(data), "lysbilder.pdf", 10_000)
    assert refused.value.code == "type"


def test_the_name_must_agree_with_the_content():
    with pytest.raises(files.Refused) as refused:
        files.check(io.BytesIO(samples.pdf()), "referat.docx", 10_000)
    assert (refused.value.code, refused.value.params) == (
        "mismatch", {"file_type": "pdf", "extension": "docx"})
    # A JPEG may end in .jpg or .jpeg, in any case.
    assert files.check(io.BytesIO(samples.jpeg()), "Bilde.JPEG", 10_000).file_type == "jpeg"


def test_size_is_counted_while_reading_and_stops_past_the_limit():
    data = samples.pdf()
    assert files.check(io.BytesIO(data), "a.pdf", len(data)).size == len(data)
    with pytest.raises(files.Refused) as refused:
        files.check(io.BytesIO(data), "a.pdf", len(data) - 1)
    assert (refused.value.code, refused.value.params) == ("too_big", {"limit": len(data) - 1})

    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, n=-1):
            self.read_bytes += n
            return b"%" * n

    endless = Endless()
    assert files.read_limited(endless, 1000) is None
    assert endless.read_bytes <= 1001  # never more than the limit and one byte
    with pytest.raises(files.Refused) as refused:
        files.check(io.BytesIO(b""), "tom.pdf", 1000)
    assert refused.value.code == "empty"


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/lysbilder.pdf", "lysbilder.pdf"),
    ("C:\\Users\\kari\\Økonomi og tilskudd.pdf", "Økonomi og tilskudd.pdf"),
    ("Bord\t3\r\nrunde 2.png", "Bord 3 runde 2.png"),
    ("\x1b[31mrød\x07.pdf", "[31mrød.pdf"),
    ("skjema\u202efdp.exe", "skjemafdp.exe"),  # the right-to-left override is gone
    ("...skjult.pdf", "skjult.pdf"),
    ("Ærlig talt, Åse og Øyvind.docx", "Ærlig talt, Åse og Øyvind.docx"),
    ("A\u030asa.pdf", "Åsa.pdf"),  # decomposed å made one letter (NFC)
    ("../..", ""),
])
def test_names_are_cleaned(raw, clean):
    assert files.clean_name(raw) == clean


def test_long_names_are_shortened_keeping_the_extension_and_hostile_ones_refused():
    long = "Samling " * 30 + ".pptx"
    cleaned = files.clean_name(long)
    assert len(cleaned) == 120 and cleaned.endswith(".pptx") and cleaned.startswith("Samling")
    with pytest.raises(files.Refused) as refused:
        files.check(io.BytesIO(samples.pdf()), "a" * 300 + ".pdf", 10_000)
    assert refused.value.code == "long_name"


@pytest.mark.parametrize("name", ["../../etc/passwd", "passwd", ".pdf", "", "\x01\x02"])
def test_a_name_without_an_extension_is_refused_before_reading(name):
    class Unread(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read before the name was checked")

    with pytest.raises(files.Refused) as refused:
        files.check(Unread(), name, 10_000)
    assert refused.value.code == "name"
