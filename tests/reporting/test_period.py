"""The national grant report over a period: each county's row sums its gatherings of every year
in the period, the counties without one are named, and who came (roles, partner kinds, size
classes) is counted by hand from the raw registration rows; the page, the files and the API
give the same figures; a period that is not one is refused beside its field, never a 500."""

import csv
import io
import re
from collections import Counter
from datetime import date
from html import unescape

import jsonschema
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.partners.models import Partner
from eventapp.places.models import County, Municipality, MunicipalityYear
from eventapp.registration.models import Registration
from eventapp.reporting import services
from tests.conftest import login
from tests.reporting.builders import Plan

SIZES = ("small", "medium", "large", "unknown")


@pytest.fixture(autouse=True)
def _now_is_2026(monkeypatch):
    monkeypatch.setattr(services.years, "this_year", lambda: 2026)


def _headers(user) -> dict:
    _token, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def two_years(builder):
    """Vestland in 2024 and twice in 2025, Oslo in 2025, Trøndelag in 2026 (after the period) and
    a draft in Rogaland; some people are leaders, one partner is NAV from the county's list, and
    Vestland's municipalities have size classes in 2024 and 2025 (one changes class)."""
    b = builder
    b.add(Plan("46", year=2024, title="Vestland 2024", municipal=4, county_staff=1, partners=1,
               speakers=1, granted=20_000, report="approved"))
    b.add(Plan("46", year=2025, title="Vestland vår", municipal=6, county_staff=2, partners=2,
               speakers=1, only_day1=1, granted=30_000))
    b.add(Plan("46", year=2025, month=10, title="Vestland høst", municipal=2, county_staff=0,
               partners=0, speakers=0, granted=None))
    b.add(Plan("03", year=2025, municipal=4, county_staff=2, partners=1, speakers=2,
               granted=25_000, report="submitted"))
    b.add(Plan("50", year=2026, municipal=8, granted=10_000))
    draft = b.add(Plan("11", year=2025, title="Utkast", granted=None))
    draft.status = "draft"

    vestland = db.session.scalars(select(County).where(County.number == "46")).one()
    nav = Partner(county_id=vestland.id, name="NAV Vestland", kind="nav")
    db.session.add(nav)
    db.session.flush()
    spring = db.session.scalars(select(Gathering).where(Gathering.title == "Vestland vår")).one()
    people = db.session.scalars(select(Registration).where(
        Registration.gathering_id == spring.id).order_by(Registration.id)).all()
    next(r for r in people if r.role == "partner").partner_id = nav.id
    for r in [r for r in people if r.role == "programme_adviser"][:2]:
        r.role = "leader"
    units = db.session.scalars(select(Municipality).where(
        Municipality.county_id == vestland.id, Municipality.kind == "municipality",
        Municipality.active.is_(True)).order_by(Municipality.number)).all()
    classes = {2024: ["small", "large", "medium"], 2025: ["large", "large", "small"]}
    for year, sizes in classes.items():
        for unit, size in zip(units, sizes, strict=False):
            db.session.add(MunicipalityYear(municipality_id=unit.id, year=year, settled=1,
                                            settles=True, size_class=size))
    db.session.commit()
    return b


def _by_hand(start: int, end: int) -> dict:
    """Everything the report says, from the raw rows: gatherings not drafts starting in the
    period, their confirmed registrations that came on any day (the rule of every year here),
    and the size classes stored per municipality and year."""
    gatherings = db.session.scalars(select(Gathering).where(
        Gathering.status != "draft", Gathering.start_date >= date(start, 1, 1),
        Gathering.start_date <= date(end, 12, 31))).all()
    classes = {(m.municipality_id, m.year): m.size_class
               for m in db.session.scalars(select(MunicipalityYear))}
    partners = {p.id: p.kind for p in db.session.scalars(select(Partner))}
    out: dict[str, dict] = {}
    for g in gatherings:
        county = g.county.number
        mine = out.setdefault(county, {"gatherings": 0, "roles": Counter(), "kinds": Counter(),
                                       "people": Counter(), "came": {s: set() for s in SIZES},
                                       "participants": 0})
        mine["gatherings"] += 1
        mine["participants"] += grants.figures(g).counts.participants
        for r in db.session.scalars(select(Registration).where(
                Registration.gathering_id == g.id, Registration.status == "confirmed")):
            if not (r.attended or r.attended_day1 or r.attended_day2):
                continue
            mine["roles"][r.role] += 1
            if r.organisation_kind == "partner":
                mine["kinds"][partners.get(r.partner_id, "other")] += 1
            if r.municipality_id is not None and r.role != "speaker":
                # An Oslo district came as Oslo, as the grant's coverage counts it.
                unit = r.municipality.parent_id or r.municipality_id
                size = classes.get((unit, g.start_date.year)) or "unknown"
                mine["people"][size] += 1
                mine["came"][size].add(unit)
    return out


def _total_by_class(county: str, year: int) -> Counter:
    units = db.session.scalars(select(Municipality).join(County).where(
        County.number == county, Municipality.kind == "municipality",
        Municipality.active.is_(True))).all()
    classes = {m.municipality_id: m.size_class for m in db.session.scalars(
        select(MunicipalityYear).where(MunicipalityYear.year == year))}
    return Counter(classes.get(u.id) or "unknown" for u in units)


def _check(report, hand: dict, end: int) -> None:
    assert [r.county.number for r in report.rows] == sorted(hand)
    for row in report.rows:
        mine = hand[row.county.number]
        assert row.line.gatherings == mine["gatherings"]
        assert row.line.participants == mine["participants"]
        assert row.who.roles == {role: mine["roles"][role] for role in row.who.roles}
        assert row.who.partner_kinds == {k: mine["kinds"][k] for k in row.who.partner_kinds}
        assert row.who.size_people == {s: mine["people"][s] for s in SIZES}
        assert row.who.size_municipalities == {s: len(mine["came"][s]) for s in SIZES}
        totals = _total_by_class(row.county.number, end)
        assert row.who.size_total == {s: totals[s] for s in SIZES}
        # Leaving out speakers, as every year's rule here does, the roles add up to the grant's.
        assert row.who.attended - row.who.roles["speaker"] == row.line.participants
    for role in services.grant_report.ROLES:
        assert report.who.roles[role] == sum(h["roles"][role] for h in hand.values())
    assert report.totals.participants == sum(h["participants"] for h in hand.values())


def test_two_years_sum_every_gathering_and_who_came_by_hand(two_years):
    report = services.national(two_years.directorate, 2024, 2025)
    hand = _by_hand(2024, 2025)
    assert set(hand) == {"03", "46"}
    _check(report, hand, 2025)
    vestland = next(r for r in report.rows if r.county.number == "46")
    assert vestland.line.gatherings == 3
    assert vestland.who.roles["leader"] == 2 and vestland.who.partner_kinds["nav"] == 1
    # Free-text partners count as other: Vestland's 2024 partner, the other spring one and
    # their speakers (the builder's speakers come for a partner organisation).
    assert vestland.who.partner_kinds["other"] == 1 + 1 + 1 + 1
    # The first municipality was small in 2024 and large in 2025: it counts in both.
    assert vestland.who.size_municipalities["small"] >= 1
    assert vestland.who.size_municipalities["large"] >= 1
    numbers = [c.number for c in report.counties_without]
    assert "11" in numbers and "50" in numbers and "46" not in numbers  # a draft, 2026
    assert report.period.label == "2024\u20132025" and set(report.rules) == {2024, 2025}


def test_a_single_year_and_a_county(two_years, make_user):
    hand = _by_hand(2025, 2025)
    report = services.national(two_years.directorate, 2025)
    _check(report, hand, 2025)
    assert next(r for r in report.rows if r.county.number == "46").line.gatherings == 2
    host = make_user("county_host", county="46", email="vert2@vestland.example")
    mine = services.national(host, 2024, 2025)
    assert [r.county.number for r in mine.rows] == ["46"] and mine.counties_without == []
    _check(mine, {"46": _by_hand(2024, 2025)["46"]}, 2025)
    row = services.county_report(two_years.directorate,
                                 services.visible_county(two_years.directorate, "46"), 2024, 2025)
    assert [g.gathering.title for g in row.gatherings] == ["Vestland 2024", "Vestland vår",
                                                          "Vestland høst"]


def test_page_files_and_api_agree(two_years, client):
    report = services.national(two_years.directorate, 2024, 2025)
    login(client, two_years.directorate.email)
    page = client.get("/reports/national?from=2024&to=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2024\u20132025" in html
    assert 'href="/reports/national/46?from=2024&amp;to=2025"' in html
    roles = re.search(r'<table class="report-table" id="roles-table">.*?</table>', html, re.S)[0]
    for row in [*report.rows, None]:
        key = row.county.number if row else "total"
        who = row.who if row else report.who
        tr = re.search(rf'<tr data-county="{key}">.*?</tr>', roles, re.S)[0]
        cells = dict(re.findall(r'data-field="(\w+)">(\d+)</td>', tr))
        assert {k: int(v) for k, v in cells.items()} == {**who.roles, "attended": who.attended}
    sizes = re.search(r'<table class="report-table" id="sizes-table">.*?</table>', html, re.S)[0]
    vestland = re.search(r'<tr data-county="46">.*?</tr>', sizes, re.S)[0]
    row = next(r for r in report.rows if r.county.number == "46")
    for size in SIZES:
        cell = unescape(re.search(rf'data-field="{size}">(.*?)</td>', vestland, re.S)[1])
        assert re.findall(r"\d+", cell) == [str(row.who.size_people[size]),
                                            str(row.who.size_municipalities[size]),
                                            str(row.who.size_total[size])]
    assert 'id="counties-without"' in html and "Rogaland" in html
    assert 'id="chart-roles"' in html and 'id="chart-sizes"' in html

    response = client.get("/reports/national.csv?from=2024&to=2025")
    assert 'filename="national-report-2024-2025.csv"' in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Periode", "2024\u20132025"]
    start = lines.index(["Deltakere etter rolle"])
    header, body = lines[start + 1], lines[start + 2:start + 2 + len(report.rows) + 1]
    assert header[-1] == "Til stede"
    for row, cells in zip(report.rows, body, strict=False):
        assert cells[0] == row.county.number
        assert [int(c) for c in cells[2:]] == [*row.who.roles.values(), row.who.attended]
    assert [int(c) for c in body[-1][2:]] == [*report.who.roles.values(), report.who.attended]
    book = load_workbook(io.BytesIO(client.get("/reports/national.xlsx?from=2024&to=2025").data))
    assert book.sheetnames == ["Tilskuddstall", "Deltakere etter rolle", "Partnere etter type",
                               "Etter størrelsesklasse", "Ingen samling"]

    response = client.get("/api/v1/reports/national?from=2024&to=2025",
                          headers=_headers(two_years.directorate))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, next(o for o in OPERATIONS
                                   if o.operation_id == "nationalReport").response)
    assert (body["from"], body["to"], body["year"]) == (2024, 2025, 2025)
    for row, got in zip(report.rows, body["rows"], strict=True):
        assert got["gatherings"] == row.line.gatherings
        assert got["participants_attended"] == row.line.participants
        assert got["who"]["roles"] == row.who.roles
        assert got["who"]["partner_kinds"] == row.who.partner_kinds
        assert {k: v["participants"] for k, v in got["who"]["size_classes"].items()} == \
            row.who.size_people
    assert body["totals"]["who"]["attended"] == report.who.attended
    assert {c["number"] for c in body["counties_without_gatherings"]} == \
        {c.number for c in report.counties_without}
    # year=2025 is from=to=2025.
    one = client.get("/api/v1/reports/national?year=2025",
                     headers=_headers(two_years.directorate)).get_json()
    assert one == client.get("/api/v1/reports/national?from=2025&to=2025",
                             headers=_headers(two_years.directorate)).get_json()
    assert (one["from"], one["to"]) == (2025, 2025)


@pytest.mark.parametrize("query,field", [
    ({"from": "2026", "to": "2024"}, "to"),
    ({"from": "abc", "to": "2025"}, "from"),
    ({"from": "2024", "to": "2101"}, "to"),
    ({"from": "1999"}, "from"),
    ({"year": "2025", "from": "2024"}, "year"),
])
def test_a_period_that_is_not_one_is_refused_beside_its_field(two_years, client, query, field):
    login(client, two_years.directorate.email)
    for path in ("/reports/national", "/reports/national/survey", "/reports/national/46"):
        page = client.get(path, query_string=query)
        assert page.status_code == 422, path
        html = page.get_data(as_text=True)
        assert 'role="alert"' in html
        # The message beside the field at fault (year's beside "from"), the field marked.
        name = "from" if field == "year" else field
        assert re.search(rf'id="period-{name}-error">[^<]+<', html), path
        assert re.search(rf'<select id="period-{name}"[^>]*aria-invalid="true"', html), path
    for path in ("/reports/national.csv", "/reports/national.xlsx", "/reports/national/46.csv",
                 "/reports/national/survey.csv"):
        assert client.get(path, query_string=query).status_code == 422, path
    headers = _headers(two_years.directorate)
    for path in ("/api/v1/reports/national", "/api/v1/reports/national/survey"):
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == 422, path
        assert field in response.get_json()["error"]["fields"], path


def test_the_breakdown_takes_no_query_per_county_or_gathering(two_years, builder):
    """Who came is read with a fixed number of queries however many gatherings there are."""
    from sqlalchemy import event

    def queries(start, end) -> int:
        report = services.national(two_years.directorate, start, end)
        rows = [g for r in report.rows for g in r.gatherings]
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            registered = services.grant_report._registered([row.gathering for row in rows])
            services.grant_report._breakdowns(rows, report.period,
                                              [r.county.id for r in report.rows], registered)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = queries(2025, 2025)
    builder.add(Plan("15", year=2025, granted=1000))
    builder.add(Plan("34", year=2025, granted=1000))
    assert queries(2025, 2025) == few
