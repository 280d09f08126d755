"""Reading an uploaded table, CSV or XLSX, into lines of cells and finding its columns by the
header line. Every file importer reads through here and keeps its own columns, checks and plan.

An upload is hostile until read: each way a file can cost a worker its memory or its time, or
end in a 500, is refused here with a message on the field ``file`` (``ValidationFailed``):

- empty, larger than ``Limits.max_bytes``, or named neither .csv/.txt nor .xlsx; a workbook
  named .csv;
- a CSV with a NUL character, or a field over the csv module's limit (128 KB) — which is also
  what a quote never closed becomes, as the rest of the file is read into one field;
- an XLSX that unpacks to more than ``Limits.max_unpacked`` (a few bytes of zip can unpack to
  gigabytes), that is not a workbook, or whose first sheet goes on beyond ``Limits.max_lines``.
  A sheet is read as a stream: the dimension it declares is ignored (a few bytes can declare
  A1:XFD1048576) and no row is padded beyond its last value.

The two messages that name what the file holds (contacts, figures) come from the importer, so
that each reads naturally in Norwegian.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from eventapp.core.errors import ValidationFailed


@dataclass(frozen=True)
class Limits:
    """What one importer's file may hold."""

    max_bytes: int
    max_rows: int  # data lines below the header
    max_columns: int  # a sheet is read no wider than this
    max_lines: int  # nor further down, empty lines included
    max_unpacked: int  # bytes a workbook may unpack to
    # (n MB) -> "the workbook unpacks to more than n MB", naming what should be saved alone
    unpacks_too_much: Callable[[int], str]
    # (n) -> "the sheet goes on below row n", naming what the empty cells are below
    goes_on_too_far: Callable[[int], str]


@dataclass
class Table:
    """The filled lines of a file, split into the columns its header names and the data."""

    header_line: int
    columns: dict  # column -> index of the first header cell that names it
    rows: list  # [(line in the file, cells)] of the filled lines below the header

    def value(self, cells, column: str):
        """The cell of ``column`` on a line; None when the file has no such column or the line
        stops short of it."""
        index = self.columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None


def file_problem(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def cell(value) -> str:
    """A cell as text with its whitespace collapsed; a spreadsheet's 4601.0 is "4601"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def key(text) -> str:
    """Text as compared with a list of accepted words: lower case, "_" and "-" as spaces."""
    return " ".join(str(text or "").strip().lower().replace("_", " ").replace("-", " ").split())


def code_digits(value, widths: tuple) -> str:
    """A code of digits (a municipality number) as text without whitespace. A spreadsheet that
    took the code for a number dropped its leading zero (0301 became 301), so a code one digit
    short of one of ``widths`` gets it back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", str(value if value is not None else ""))
    if text.isdigit() and len(text) + 1 in widths:
        text = "0" + text
    return text


def read_lines(filename: str, data: bytes, limits: Limits) -> list[list]:
    """The lines of the file (of its first sheet) as lists of cells, empty ones included so
    that line numbers are the file's."""
    name = (filename or "").strip().lower()
    if not data:
        raise file_problem(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise file_problem(_("The file is too large: at most %(n)d MB.",
                             n=limits.max_bytes // 1_000_000))
    if name.endswith(".xlsx"):
        return _read_xlsx(data, limits)
    if name.endswith(".csv") or name.endswith(".txt"):
        if data.startswith(b"PK\x03\x04"):
            raise file_problem(_("This is an Excel workbook: save it as .xlsx or as CSV."))
        return _read_csv(data)
    raise file_problem(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))


def find_columns(lines: list[list], names: dict) -> Table:
    """The first filled line is the header; ``names`` maps each column to the header texts
    (compared by ``key``) that name it besides its own name."""
    filled = [(i, cells) for i, cells in enumerate(lines, start=1) if any(cell(v) for v in cells)]
    if not filled:
        raise file_problem(_("The file is empty."))
    header_line, header = filled[0]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _column_of(cell(title), names)
        if column and column not in columns:
            columns[column] = index
    return Table(header_line=header_line, columns=columns, rows=filled[1:])


def _column_of(title: str, names: dict) -> str | None:
    wanted = key(title)
    for column, known in names.items():
        if wanted == key(column) or wanted in known:
            return column
    return None


def _read_csv(data: bytes) -> list[list]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on a Norwegian Windows machine is Windows-1252.
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise file_problem(_("The file contains a NUL character (\\0): it is not a CSV text file."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list = []
    starts = 1  # the line the next record starts on, which is the one the message must name
    try:
        for cells in reader:
            lines.append(cells)
            starts = reader.line_num + 1
    except csv.Error as exc:
        raise file_problem(_(
            "Line %(line)d has a field longer than %(n)d characters, or a quote (\") that is "
            "never closed. Check the file and save it as CSV again.",
            line=starts, n=csv.field_size_limit())) from exc
    return lines


def _read_xlsx(data: bytes, limits: Limits) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    unreadable = _("The file could not be read as an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise file_problem(unreadable) from exc
    if unpacked > limits.max_unpacked:
        raise file_problem(limits.unpacks_too_much(limits.max_unpacked // 1_000_000))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many kinds of error on a damaged or disguised file.
        raise file_problem(unreadable) from exc
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        lines: list = []
        filled = 0
        for values in sheet.iter_rows(max_col=limits.max_columns, values_only=True):
            if len(lines) >= limits.max_lines:
                raise file_problem(limits.goes_on_too_far(limits.max_lines))
            if any(cell(v) for v in values):
                width = max(i for i, v in enumerate(values) if cell(v)) + 1
                lines.append(list(values[:width]))
                filled += 1
                # Enough to tell "too many rows" without reading a huge sheet to its end.
                if filled > limits.max_rows + 1:
                    break
            else:
                lines.append(())
        return lines
    except ValidationFailed:
        raise
    except Exception as exc:
        raise file_problem(unreadable) from exc
    finally:
        book.close()
