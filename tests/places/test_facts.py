"""Municipality facts per year: the import (CSV and XLSX, preview then apply), bad files refused
with nothing saved, the thresholds and the size classes, and the directorate's page.

Every figure here is made up for the test; none is IMDi's."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.places.models import DEFAULT_THRESHOLDS, MunicipalityYear, SizeThresholds
from eventapp.places.services import facts, settling, size_classes
from eventapp.places.services import facts_import as fi
from tests.conftest import csrf_from, get_csrf, login

YEAR = 2025
# Vestland: Bergen 4601, Kinn 4602, Solund 4636 (made-up figures); Oslo 0301.
GOOD = ("kommunenummer;kommune;anmodet;vedtatt;bosatt\n"
        "4601;Bergen;700;700;655\n"
        "4602;Kinn;30;25;22\n"
        "4636;Solund;5;0;0\n"
        "0301;Oslo;1500;1500;1420\n")


def _rows(db):
    return sorted(db.session.execute(
        select(MunicipalityYear.municipality_id, MunicipalityYear.year, MunicipalityYear.requested,
               MunicipalityYear.decided, MunicipalityYear.settled, MunicipalityYear.settles,
               MunicipalityYear.size_class)).all())


def _import(director, text, year=YEAR, name="tall.csv"):
    data = text.encode() if isinstance(text, str) else text
    plan = fi.plan_facts(director, year, fi.read_facts(name, data), name)
    return plan, fi.apply_facts(director, plan)


@pytest.fixture
def director(make_user):
    return make_user("directorate", county=None)


def test_good_csv_previews_then_applies_with_classes_by_the_default_thresholds(
        db, places, director):
    assert DEFAULT_THRESHOLDS == (20, 60)
    plan = fi.plan_facts(director, YEAR, fi.read_facts("tall.csv", GOOD.encode()), "tall.csv")
    assert plan.counts == {"added": 4, "changed": 0, "unchanged": 0, "removed": 0}
    assert _rows(db) == []  # the preview saves nothing
    by_number = {c.number: c for c in plan.changes}
    # Classes from settled, by hand: 655 >= 60 large; 22 in 20..59 medium; 0 < 20 small.
    assert by_number["4601"].size_class == "large"
    assert by_number["4602"].size_class == "medium"
    assert by_number["4636"].size_class == "small" and by_number["4636"].settles is False
    fi.apply_facts(director, plan)
    db.session.commit()
    bergen, kinn, solund, oslo = (places.unit(n).id for n in ("4601", "4602", "4636", "0301"))
    assert size_classes(YEAR) == {
        bergen: "large", kinn: "medium", solund: "small", oslo: "large",
        # Oslo's fifteen districts take Oslo's class.
        **{d.id: "large" for d in places.county("03").municipalities if d.is_district}}
    assert bergen in settling(YEAR) and kinn in settling(YEAR) and solund not in settling(YEAR)
    assert places.unit("030101").id in settling(YEAR)
    assert size_classes(YEAR - 1) == {} and settling(YEAR - 1) == set()
    kinn_row = db.session.scalars(select(MunicipalityYear).where(
        MunicipalityYear.municipality_id == kinn)).one()
    assert (kinn_row.requested, kinn_row.decided, kinn_row.settled) == (30, 25, 22)


def test_good_xlsx_is_read_like_the_csv(db, places, director):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kommunenummer", "Kommune", "Anmodet", "Vedtatt", "Bosatt"])
    sheet.append([4601, "Bergen", 700, 700, 655])
    sheet.append([301, "Oslo", 1500, 1500, 1420])  # the leading zero lost, as Excel does
    sheet.append([4602, "Kinn", 30, 25, None])  # settled not published: decided is the basis
    buffer = io.BytesIO()
    book.save(buffer)
    plan, counts = _import(director, buffer.getvalue(), name="tall.xlsx")
    db.session.commit()
    assert counts == {"added": 3, "changed": 0, "unchanged": 0, "removed": 0}
    kinn = db.session.scalars(select(MunicipalityYear).where(
        MunicipalityYear.municipality_id == places.unit("4602").id)).one()
    assert kinn.settled is None and kinn.decided == 25 and kinn.size_class == "medium"
    assert size_classes(YEAR)[places.unit("0301").id] == "large"


def test_explicit_settles_column_wins_and_english_headers_work(db, places, director):
    text = ("municipality_number,requested,decided,settled,settles\n"
            "4601,,,,nei\n"
            "4602,0,0,0,ja\n")
    _import(director, text)
    db.session.commit()
    assert settling(YEAR) == {places.unit("4602").id}
    # No figure at all: no class, but the settles answer stands.
    assert size_classes(YEAR) == {places.unit("4602").id: "small"}


def test_a_second_import_of_the_year_shows_changes_and_removals(db, places, director):
    _import(director, GOOD)
    db.session.commit()
    second = ("kommunenummer;anmodet;vedtatt;bosatt\n"
              "4601;700;700;655\n"   # unchanged
              "4602;30;25;61\n"      # settled 22 -> 61: medium -> large
              "4611;10;10;10\n")     # new for the year
    plan = fi.plan_facts(director, YEAR, fi.read_facts("b.csv", second.encode()))
    what = {c.number: c.what for c in plan.changes}
    assert what == {"4601": "unchanged", "4602": "changed", "4611": "added",
                    "4636": "removed", "0301": "removed"}
    kinn = next(c for c in plan.changes if c.number == "4602")
    assert ("Bosatt", 22, 61) in kinn.changes or ("Settled", 22, 61) in kinn.changes
    fi.apply_facts(director, plan)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MunicipalityYear)) == 3
    assert size_classes(YEAR)[places.unit("4602").id] == "large"


def _xlsx_bomb() -> bytes:
    """A small zip whose entry claims to unpack to more than the limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (fi.XLSX_MAX_UNPACKED + 1))
    return buffer.getvalue()


BAD = {
    "wrong columns": ("tall.csv", "kommune;antall\nBergen;3\n", "første linje"),
    "no figure column": ("tall.csv", "kommunenummer;kommune\n4601;Bergen\n", "første linje"),
    "not a number": ("tall.csv", "kommunenummer;bosatt\n4601;mange\n", "Linje 2"),
    "decimal": ("tall.csv", "kommunenummer;bosatt\n4601;12,5\n", "Linje 2"),
    "negative": ("tall.csv", "kommunenummer;bosatt\n4601;-3\n", "Linje 2"),
    "too large figure": ("tall.csv", "kommunenummer;bosatt\n4601;999999\n", "Linje 2"),
    "unknown municipality": ("tall.csv", "kommunenummer;bosatt\n4601;3\n4699;4\n", "4699"),
    "bad number": ("tall.csv", "kommunenummer;bosatt\n46x1;3\n", "Linje 2"),
    "duplicate line": ("tall.csv", "kommunenummer;bosatt\n4601;3\n4602;1\n4601;4\n", "Linje 4"),
    "bad settles": ("tall.csv", "kommunenummer;bosetter\n4601;kanskje\n", "Linje 2"),
    "empty": ("tall.csv", "", "tom"),
    "header only": ("tall.csv", "kommunenummer;bosatt\n", "ingen kommuner"),
    "NUL": ("tall.csv", "kommunenummer;bosatt\n46\x0001;3\n", "NUL"),
    "unclosed quote": ("tall.csv", 'kommunenummer;bosatt\n4601;"3\n' + "9" * 200_000, "Linje 2"),
    "too many lines": ("tall.csv", "kommunenummer;bosatt\n" + "4601;1\n" * (fi.FACTS_MAX_ROWS + 1),
                       str(fi.FACTS_MAX_ROWS)),
    "too many bytes": ("tall.csv", "kommunenummer;bosatt\n" + " " * fi.FACTS_MAX_BYTES, "MB"),
    "xlsx not a zip": ("tall.xlsx", "kommunenummer;bosatt\n4601;3\n", "Excel"),
    "xlsx bomb": ("tall.xlsx", None, "MB"),
    "zip named csv": ("tall.csv", b"PK\x03\x04rest", "Excel"),
    "other extension": ("tall.pdf", "kommunenummer;bosatt\n4601;3\n", ".csv"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_are_refused_with_a_message_and_nothing_saved(db, places, director, app, name):
    _import(director, GOOD)
    db.session.commit()
    before = _rows(db)
    filename, content, words = BAD[name]
    data = _xlsx_bomb() if content is None else (
        content if isinstance(content, bytes) else content.encode())
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        with pytest.raises(ValidationFailed) as refused:
            _import(director, data, name=filename)
        said = refused.value.message + " " + " ".join(refused.value.fields.values())
    assert words in said, said
    db.session.rollback()
    assert _rows(db) == before


def test_every_bad_line_is_named(db, places, director):
    text = "kommunenummer;anmodet;bosatt\n4601;1;2\n9999;1;2\n4602;x;-1\n4601;0;0\n"
    with pytest.raises(ValidationFailed) as refused:
        fi.read_facts("tall.csv", text.encode())
    assert sorted(refused.value.fields) == ["line 3", "line 4", "line 5"]
    assert "9999" in refused.value.fields["line 3"]
    assert refused.value.fields["line 4"].count(";") == 1  # both problems of the line, together


def test_thresholds_recompute_the_classes(db, places, director):
    _import(director, GOOD)
    db.session.commit()
    bergen, kinn, solund = (places.unit(n).id for n in ("4601", "4602", "4636"))
    # Settled 655, 22, 0; Oslo 1420. With medium from 10 and large from 700, by hand:
    # Bergen 655 medium, Kinn 22 medium, Solund 0 small, Oslo 1420 large.
    changed = facts.set_thresholds(director, YEAR, 10, 700)
    db.session.commit()
    assert changed == 1  # only Bergen moved (large -> medium)
    classes = size_classes(YEAR)
    assert (classes[bergen], classes[kinn], classes[solund]) == ("medium", "medium", "small")
    assert classes[places.unit("0301").id] == "large"
    assert facts.thresholds(YEAR) == (10, 700) and facts.thresholds(YEAR + 1) == DEFAULT_THRESHOLDS
    # An import after the change uses the year's thresholds.
    plan = fi.plan_facts(director, YEAR, fi.read_facts("t.csv", b"kommunenummer;bosatt\n4601;9\n"))
    assert plan.changes[0].size_class == "small"


@pytest.mark.parametrize("medium,large", [(0, 10), (10, 10), (20, 5), (None, 10), (5, 100_001)])
def test_bad_thresholds_are_refused(db, places, director, medium, large):
    with pytest.raises(ValidationFailed):
        facts.set_thresholds(director, YEAR, medium, large)
    db.session.rollback()
    assert db.session.get(SizeThresholds, YEAR) is None


def test_only_the_directorate_imports_and_sets_thresholds(db, places, make_user):
    host = make_user("county_host", county="46")
    with pytest.raises(Forbidden):
        fi.plan_facts(host, YEAR, [])
    with pytest.raises(Forbidden):
        facts.set_thresholds(host, YEAR, 10, 20)


# --- the directorate's page ---------------------------------------------------------------------

def _upload(client, text, name="tall.csv", year=YEAR):
    token = get_csrf(client, f"/places/facts/import?year={year}")
    data = text.encode() if isinstance(text, str) else text
    return client.post("/places/facts/import", data={
        "csrf_token": token, "year": str(year), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_page_import_preview_then_confirm(client, db, places, director):
    login(client, director.email)
    preview = _upload(client, GOOD)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-count="added">4<' in page and "Bergen" in page
    assert _rows(db) == []
    confirm = client.post("/places/facts/import/confirm", data={
        "csrf_token": csrf_from(page),
        "token": page.split('name="token" type="hidden" value="')[1].split('"')[0]})
    assert confirm.status_code == 302 and f"year={YEAR}" in confirm.location
    assert len(_rows(db)) == 4
    table = client.get(f"/places/facts?year={YEAR}").get_data(as_text=True)
    assert 'data-figure="settling">3<' in table and 'data-figure="large">2<' in table


def test_page_bad_file_names_the_lines_and_saves_nothing(client, db, places, director):
    login(client, director.email)
    response = _upload(client, "kommunenummer;bosatt\n4601;3\n4699;-1\n")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Linje 3" in page and "4699" in page
    assert _rows(db) == []


def test_page_tampered_confirmation_is_refused(client, db, places, director):
    login(client, director.email)
    page = _upload(client, GOOD).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/places/facts/import/confirm", data={
        "csrf_token": csrf_from(page), "token": token[:-3] + "abc"}, follow_redirects=True)
    assert "endret" in response.get_data(as_text=True) or "ikke din" in response.get_data(
        as_text=True)
    assert _rows(db) == []


def test_page_thresholds_form(client, db, places, director):
    login(client, director.email)
    _import(director, GOOD)
    db.session.commit()
    token = get_csrf(client, f"/places/facts?year={YEAR}")
    bad = client.post("/places/facts/thresholds", data={
        "csrf_token": token, "year": str(YEAR), "medium_from": "50", "large_from": "40"})
    assert bad.status_code == 422 and "over" in bad.get_data(as_text=True)
    assert db.session.get(SizeThresholds, YEAR) is None
    good = client.post("/places/facts/thresholds", data={
        "csrf_token": token, "year": str(YEAR), "medium_from": "1", "large_from": "700"})
    assert good.status_code == 302
    db.session.expire_all()
    assert size_classes(YEAR)[places.unit("4636").id] == "small"  # 0 settled
    assert size_classes(YEAR)[places.unit("4601").id] == "medium"  # 655


def test_page_access(client, app, db, places, make_user):
    host = make_user("county_host", county="46")
    login(client, host.email)
    assert client.get(f"/places/facts?year={YEAR}").status_code == 200  # reads the table
    assert client.get("/places/facts/import").status_code == 403
    contact = make_user("municipal_contact", county="46", municipality="4601")
    other = app.test_client()
    login(other, contact.email)
    assert other.get(f"/places/facts?year={YEAR}").status_code == 403


def test_api_reads_a_years_facts(client, db, places, director, make_user):
    from eventapp.api.services import create_token

    _import(director, GOOD)
    facts.set_thresholds(director, YEAR, 10, 700)
    host = make_user("county_host", county="46")
    _token, raw = create_token(host, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get(f"/api/v1/municipalities/facts?year={YEAR}", headers=headers).get_json()
    assert body["thresholds"] == {"medium_from": 10, "large_from": 700, "default": False}
    bergen = next(m for m in body["municipalities"] if m["number"] == "4601")
    assert bergen == {"number": "4601", "name": "Bergen", "county_number": "46",
                      "kind": "municipality", "requested": 700, "decided": 700, "settled": 655,
                      "settles": True, "size_class": "medium"}
    empty = client.get(f"/api/v1/municipalities/facts?year={YEAR + 1}", headers=headers)
    assert empty.get_json()["municipalities"] == []
    assert empty.get_json()["thresholds"]["default"] is True
    bad = client.get("/api/v1/municipalities/facts?year=19", headers=headers)
    assert bad.status_code == 422
    missing = client.get("/api/v1/municipalities/facts", headers=headers)
    assert missing.status_code == 422
