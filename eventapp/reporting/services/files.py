"""Spreadsheets to download: CSV as Excel in Norway opens it, and XLSX workbooks; cells that
could run as formulas are made safe."""

import csv
import io
import re
import unicodedata

from eventapp.core.numbers import whole_percent
from eventapp.registration.services import safe_cell


def to_csv(table: tuple[list, list[list]]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Excel in Norway opens it."""
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: tuple[list, list[list]], sheet_name: str) -> bytes:
    from openpyxl import Workbook

    header, rows = table
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Share(float):
    """A share from 0 to 1 in an export: "38 %" in a CSV, and in a workbook a number shown as a
    percentage, so Excel can sort and sum it."""


def percent_text(share) -> str:
    return "" if share is None else f"{whole_percent(share)} %"


def as_share(share) -> Share | str:
    return "" if share is None else Share(share)


def _text_cell(value):
    return percent_text(value) if isinstance(value, Share) else safe_cell(value)


def slug(text: str) -> str:
    """ASCII for a file name: "Fylkessamling Møre og Romsdal" -> "fylkessamling-more-og-romsdal".
    The Norwegian letters are spelt out first; NFKD alone would drop "ø" and "æ"."""
    text = text.translate(str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O",
                                          "å": "a", "Å": "A"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")



def sheets_to_csv(sheets: list[tuple[str, list, list[list]]], preamble=()) -> bytes:
    """The preamble's lines first, then each sheet as a section: its name, header and rows, a
    blank line before each."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([_text_cell(c) for c in row] for row in preamble)
    for i, (name, header, rows) in enumerate(sheets):
        if i or preamble:
            writer.writerow([])
        writer.writerow([safe_cell(name)])
        writer.writerow([safe_cell(c) for c in header])
        writer.writerows([_text_cell(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheets_to_xlsx(sheets: list[tuple[str, list, list[list]]], preamble=()) -> bytes:
    """A sheet each, the preamble's lines and a blank row above each sheet's header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])

        def cell(value, sheet=sheet):
            if not isinstance(value, Share):
                return safe_cell(value)
            out = WriteOnlyCell(sheet, value=float(value))
            out.number_format = "0 %"
            return out

        for row in preamble:
            sheet.append([safe_cell(c) for c in row])
        if preamble:
            sheet.append([])
        sheet.append([safe_cell(c) for c in header])
        for row in rows:
            sheet.append([cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
