"""Hostile files in the contact import: refused or read within limits, with a message, never a
500 and never a worker eaten by memory.

A 1.5 KB XLSX whose sheet declares the dimension A1:XFD1048576 grew a worker to 1.66 GB: the
reader padded every row to 16,384 columns and every sheet to 1,048,576 rows. The file is built
here with zipfile and read in a subprocess whose peak memory is measured (tracemalloc) and
capped (RLIMIT_AS), so that the old reader fails the test instead of the machine.
"""

import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest
from sqlalchemy import func, select

from eventapp.invitations.models import Contact
from tests.conftest import get_csrf, login

IMPORT = "/gatherings/contacts/import"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Kontakter" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
</Relationships>"""


def _cell(ref: str, value) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER = [("A", "kommunenummer"), ("B", "navn"), ("C", "e-post")]
KARI = [("A", 4601), ("B", "Kari Nordmann"), ("C", "kari@bergen.kommune.no")]
# The declared corner, filled: what made the old reader pad a million rows of 16,384 cells.
HOSTILE_ROWS = {1: HEADER, 2: KARI, 1048576: [("XFD", "x")]}


def hostile_xlsx(dimension: str = "A1:XFD1048576", rows=None, padding: int = 0) -> bytes:
    """A minimal valid workbook whose one sheet declares ``dimension`` and holds ``rows``
    (row number -> [(column letters, value)], by default a header, one contact and a cell in
    the declared far corner); ``padding`` bytes of whitespace in the sheet make it unpack
    large while it packs small."""
    rows = rows or HOSTILE_ROWS
    body = "".join(f'<row r="{n}">' + "".join(_cell(f"{col}{n}", v) for col, v in cells)
                   + "</row>" for n, cells in sorted(rows.items()))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=padding > 0) as part:
            part.write(sheet.encode())
            for start in range(0, padding, 1 << 20):  # in pieces: the padding is never whole
                part.write(b" " * min(1 << 20, padding - start))
            part.write(b"</worksheet>")
    return out.getvalue()


# Reads a file in a fresh interpreter under an address-space cap, and prints what came of it
# with the peak of Python's allocations while reading.
READER = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    cap = int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from eventapp import create_app
    from eventapp.config import TestConfig
    from eventapp.core.errors import DomainError
    from eventapp.invitations.services.contact_import import _rows_from_table, _table_rows

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SECRET_KEY = "x"

        @classmethod
        def from_env(cls):
            return {}

    data = open(sys.argv[1], "rb").read()
    with create_app(Config).test_request_context(headers={"Accept-Language": "en"}):
        tracemalloc.start()
        started = time.perf_counter()
        try:
            rows, _optional = _rows_from_table(_table_rows("kontakter.xlsx", data))
            outcome = {"rows": [[r.line, r.municipality_number, r.name, r.email] for r in rows]}
        except DomainError as exc:
            outcome = {"refused": exc.message}
        except MemoryError:
            outcome = {"memory_error": True}
        outcome["seconds"] = time.perf_counter() - started
        outcome["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    print(json.dumps(outcome))
""")


def read_in_subprocess(tmp_path, data: bytes, cap_mb: int = 1500, timeout: int = 120) -> dict:
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", READER, str(path), str(cap_mb)],
                          capture_output=True, text=True, timeout=timeout, check=False)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1])


def test_the_hostile_xlsx_is_small_and_valid():
    data = hostile_xlsx()
    assert len(data) < 2000
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert sheet.calculate_dimension() == "A1:XFD1048576"


def test_the_hostile_xlsx_is_refused_with_a_message_within_memory(tmp_path):
    outcome = read_in_subprocess(tmp_path, hostile_xlsx())
    assert outcome.get("memory_error") is None
    assert outcome["peak_mb"] < 100, outcome
    assert "nedenfor rad 20000" in outcome["refused"].replace("\u00a0", " "), outcome


@pytest.mark.parametrize("rows", [
    {1: HEADER, 2: KARI},
    {1: [*HEADER, ("XFD", "x")], 2: KARI, 3: [("XFD", "y")]},
], ids=["dimension only", "cells far out"])
def test_declared_dimension_and_far_columns_are_not_padded_to(tmp_path, rows):
    outcome = read_in_subprocess(tmp_path, hostile_xlsx(rows=rows))
    assert outcome["peak_mb"] < 100, outcome
    assert outcome["rows"] == [[2, "4601", "Kari Nordmann", "kari@bergen.kommune.no"]]


def test_a_workbook_that_unpacks_huge_is_refused(tmp_path):
    data = hostile_xlsx(padding=200_000_000)
    assert len(data) < 1_000_000
    outcome = read_in_subprocess(tmp_path, data)
    assert outcome["peak_mb"] < 100, outcome
    assert "pakkes ut" in outcome["refused"]


# --- through the page ----------------------------------------------------------------------------

@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46")


def _upload(client, filename: str, content: bytes):
    token = get_csrf(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def _contacts(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Contact))


def test_hostile_xlsx_through_the_page_is_refused_with_a_message(client, db, host, tmp_path):
    # In a capped subprocess first: a reader that pads again fails here, not by eating the
    # memory of the test run.
    assert read_in_subprocess(tmp_path, hostile_xlsx())["peak_mb"] < 100
    client.set_cookie("lang", "en")
    login(client, host.email)
    response = _upload(client, "kontakter.xlsx", hostile_xlsx())
    assert response.status_code == 422
    assert "below row" in response.get_data(as_text=True)
    assert _contacts(db) == 0


def test_declared_dimension_through_the_page_previews_the_contact(client, db, host):
    login(client, host.email)
    response = _upload(client, "kontakter.xlsx", hostile_xlsx(rows={1: HEADER, 2: KARI}))
    assert response.status_code == 200
    assert 'id="row-2" data-action="add"' in response.get_data(as_text=True)
    assert _contacts(db) == 0


@pytest.mark.parametrize("content", [
    "kommunenummer,navn,e-post\n4601,Kari," + "x" * 200_000 + "@bergen.kommune.no\n",
    'kommunenummer,navn,e-post\n4601,"Kari,kari@bergen.kommune.no\n' + "y" * 200_000 + "\n",
], ids=["long field", "unclosed quote"])
def test_csv_field_beyond_the_csv_limit_is_refused_with_a_message(client, db, host, content):
    client.set_cookie("lang", "en")
    login(client, host.email)
    response = _upload(client, "kontakter.csv", content.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2" in page and "131072" in page.replace("\u00a0", "").replace(" ", "")
    assert _contacts(db) == 0


def test_csv_with_a_nul_is_refused_with_a_message(client, db, host):
    client.set_cookie("lang", "en")
    login(client, host.email)
    response = _upload(client, "kontakter.csv",
                       b"kommunenummer,navn,e-post\n4601,Ka\x00ri,kari@bergen.kommune.no\n")
    assert response.status_code == 422
    assert "not a CSV text file" in response.get_data(as_text=True)
    assert _contacts(db) == 0
