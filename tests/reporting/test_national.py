"""The national report adds up to the counties' own figures, to the krone; scoping; exports."""

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from eventapp.core.errors import Forbidden
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.grants.rules import per_participant
from eventapp.registration.models import Registration
from eventapp.reporting import services
from tests.conftest import login
from tests.reporting.builders import Plan
from tests.reporting.plotly_check import assert_plotly_accepts

FIELDS = ("gatherings", "participants", "municipalities", "ceiling", "granted", "spent",
          "per-participant", "repay")


@pytest.fixture(autouse=True)
def _now_is_2026(monkeypatch):
    monkeypatch.setattr(services.years, "this_year", lambda: 2026)


@pytest.fixture
def year_2025(builder):
    """Three counties' gatherings in 2025 at different stages, and some that must not count."""
    b = builder
    # Vestland: one report approved, then a second gathering still live and undecided.
    b.add(Plan("46", title="Vestland vår", municipal=8, county_staff=3, partners=2, speakers=1,
               no_show=1, granted=44_000, report="approved",
               lines=[("venue", 30_000, 28_000), ("meals", 20_000, 21_500)]))
    b.add(Plan("46", title="Vestland høst", month=10, municipal=4, county_staff=2, partners=0,
               speakers=0, granted=None, lines=[("venue", 10_000, 9_999)]))
    # Oslo: submitted and waiting for the directorate.
    b.add(Plan("03", municipal=6, county_staff=4, partners=1, speakers=2, granted=40_000,
               report="submitted", lines=[("venue", 25_000, 25_000), ("other", 1_000, 333)]))
    # Trøndelag: live; two came only on day 1; granted more than the ceiling will allow.
    b.add(Plan("50", municipal=10, only_day1=2, county_staff=2, partners=3, speakers=1,
               planned=25, granted=80_000, lines=[("venue", 50_000, 47_000), ("speakers", 9_000, 8_001)]))
    # Not in 2025's report: another year, and a draft.
    b.add(Plan("15", year=2024, granted=10_000, report="approved"))
    draft = b.add(Plan("15", title="Utkast", granted=None))
    draft.status = "draft"
    db.session.commit()
    return b


def _gathering(title: str) -> Gathering:
    return db.session.scalars(select(Gathering).where(Gathering.title == title)).one()


def _county_gatherings(number: str, year: int = 2025) -> list[Gathering]:
    from eventapp.places.models import County

    return list(db.session.scalars(select(Gathering).join(County).where(
        County.number == number, Gathering.status != "draft",
        Gathering.start_date.between(date(year, 1, 1), date(year, 12, 31)))))


def _cells(html: str, row_attr: str, key: str) -> dict[str, str]:
    """The figures of one table row (data-county or data-gathering = key), as shown."""
    row = re.search(rf'<tr {row_attr}="{key}">(.*?)</tr>', html, re.S)
    assert row, f"no row {key}"
    cells = {}
    for field, text in re.findall(r'data-field="([^"]+)">(.*?)</td>', row.group(1), re.S):
        if field not in FIELDS:
            continue
        first = re.sub(r"<span.*", "", text, flags=re.S)  # the value, not the notes under it
        value = unescape(re.sub(r"<[^>]+>", "", first)).strip()
        if field == "municipalities":  # "4 of 43", in whichever language: the two numbers
            value = "/".join(re.findall(r"\d+", value))
        cells[field] = value
    return cells


def _shown(line: services.Line) -> dict[str, str]:
    return {
        "gatherings": str(line.gatherings), "participants": str(line.participants),
        "municipalities": f"{line.municipalities_covered}/{line.municipalities_total}",
        "ceiling": grants.nok(line.ceiling_nok), "granted": grants.nok(line.granted_nok),
        "spent": grants.nok(line.spent_nok), "per-participant": grants.nok(line.per_participant_nok),
        "repay": grants.nok(line.repay_nok),
    }


def test_rows_are_the_sum_of_each_gatherings_own_figures(year_2025):
    report = services.national(year_2025.directorate, 2025)
    assert [r.county.number for r in report.rows] == ["03", "46", "50"]
    assert "15" in [c.number for c in report.counties_without]  # only a draft and 2024 there

    for row in report.rows:
        own = [grants.figures(g) for g in _county_gatherings(row.county.number)]
        line = row.line
        assert line.gatherings == len(own)
        assert line.participants == sum(f.counts.participants for f in own)
        assert line.ceiling_nok == sum(f.settlement.ceiling_nok for f in own)
        assert line.granted_nok == sum(f.settlement.granted_nok for f in own)
        assert line.spent_nok == sum(f.settlement.spent_nok for f in own)
        assert line.repay_nok == sum(f.settlement.repay_nok for f in own)
        assert line.per_participant_nok == per_participant(line.spent_nok, line.participants)

    # The same by hand, so the sums above cannot agree by both being wrong.
    vestland = next(r for r in report.rows if r.county.number == "46")
    approved, live = vestland.gatherings
    assert approved.figures.frozen and not live.figures.frozen
    assert approved.line.participants == 13  # 8 + 3 + 2; the speaker and the no-show do not count
    assert approved.line.ceiling_nok == 52_000 and approved.line.spent_nok == 49_500
    assert approved.line.repay_nok == 0  # granted 44 000 ≤ ceiling and ≤ spent
    assert live.line.participants == 6 and live.line.granted_nok == 0 and live.line.undecided == 1
    assert vestland.line.participants == 19 and vestland.line.spent_nok == 59_499
    assert vestland.line.per_participant_nok == 3132  # 59 499 / 19 = 3131.53 → 3132
    assert vestland.line.municipalities_covered == 4 and vestland.line.municipalities_total == 43
    assert vestland.line.report_status == "none"  # the least advanced: the live one has none

    trondelag = next(r for r in report.rows if r.county.number == "50")
    assert trondelag.line.participants == 15  # 10 + 2 + 3, any day counts
    assert trondelag.line.ceiling_nok == 60_000
    assert trondelag.line.repay_nok == 80_000 - 55_001  # keeps only what it spent
    oslo = next(r for r in report.rows if r.county.number == "03")
    assert oslo.line.participants == 11 and oslo.line.report_status == "submitted"

    t = report.totals
    for name in ("gatherings", "participants", "municipalities_covered", "municipalities_total",
                 "ceiling_nok", "granted_nok", "spent_nok", "repay_nok"):
        assert getattr(t, name) == sum(getattr(r.line, name) for r in report.rows), name
    assert t.participants == 45 and t.spent_nok == 59_499 + 25_333 + 55_001
    assert t.per_participant_nok == per_participant(t.spent_nok, t.participants) == 3107
    assert t.approved == 1 and t.gatherings == 4


def test_frozen_reports_keep_their_figures_and_rule_when_data_and_rules_change(year_2025):
    approved = _gathering("Vestland vår")
    before = services.national(year_2025.directorate, 2025)
    # A late check-in and a different rule for 2025.
    no_show = db.session.scalars(select(Registration).where(
        Registration.gathering_id == approved.id, Registration.attended.is_not(True))).first()
    no_show.attended = no_show.attended_day1 = no_show.attended_day2 = True
    grants.set_rules(2025, year_2025.directorate, rate_nok=4000, attendance="all_days",
                     include_speakers=True, purge_after_months=6)
    db.session.commit()

    after = services.national(year_2025.directorate, 2025)
    v_before = next(r for r in before.rows if r.county.number == "46").gatherings[0].line
    v_after = next(r for r in after.rows if r.county.number == "46").gatherings[0].line
    assert v_after == v_before  # the approved report reads exactly as it was approved
    old = services.Rule(4000, "any_day", False)
    assert v_after.rules == (old,)
    assert after.rule == services.Rule(4000, "all_days", True)
    assert after.other_rules == [old]
    # Live Trøndelag is recounted: the two who came on day 1 only no longer count, the speaker does.
    t_after = next(r for r in after.rows if r.county.number == "50").line
    assert t_after.participants == 15 - 2 + 1


def test_page_shows_the_same_figures_as_the_service_and_the_county_pages(year_2025, client):
    report = services.national(year_2025.directorate, 2025)
    login(client, year_2025.directorate.email)
    page = client.get("/reports/national?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for row in report.rows:
        assert _cells(html, "data-county", row.county.number) == _shown(row.line)
        status = re.search(rf'<tr data-county="{row.county.number}">.*?data-field="status">(.*?)</td>',
                           html, re.S).group(1)
        assert f"status--report-{row.line.report_status}" in status
    assert _cells(html, "data-county", "total") == _shown(report.totals)
    assert "Rogaland" in html  # named among the counties without a gathering

    for row in report.rows:
        drill = client.get(f"/reports/national/{row.county.number}?year=2025")
        assert drill.status_code == 200
        body = drill.get_data(as_text=True)
        total = _cells(body, "data-gathering", "total")
        assert total == {k: v for k, v in _shown(row.line).items() if k != "gatherings"}
        for g in row.gatherings:
            assert f'href="/gatherings/{g.gathering.id}/report"' in body
            expected = {k: v for k, v in _shown(g.line).items() if k != "gatherings"}
            if g.line.undecided:  # a gathering without a decision shows none, not 0
                expected["granted"] = "–"
            assert _cells(body, "data-gathering", str(g.gathering.id)) == expected
    client.post("/account/logout", data={})

    # Each county's host sees their own row exactly as the directorate sees it.
    for row in report.rows:
        host_client = client.application.test_client()
        login(host_client, year_2025.host(row.county.number).email)
        mine = host_client.get("/reports/national?year=2025").get_data(as_text=True)
        assert _cells(mine, "data-county", row.county.number) == _shown(row.line)
        table = re.search(r'<table class="report-table" id="national-table">.*?</table>', mine,
                          re.S)[0]
        assert table.count("<tr data-county=") == 2  # their row and the total


def test_rules_are_shown_with_the_figures(year_2025, client):
    grants.set_rules(2025, year_2025.directorate, rate_nok=4000, attendance="all_days",
                     include_speakers=False, purge_after_months=6)
    db.session.commit()
    login(client, year_2025.directorate.email)
    html = client.get("/reports/national?year=2025").get_data(as_text=True)
    old = services.Rule(4000, "any_day", False).label
    new = services.Rule(4000, "all_days", False).label
    assert new in html
    vestland = re.search(r'<tr data-county="46">.*?</tr>', html, re.S).group(0)
    trondelag = re.search(r'<tr data-county="50">.*?</tr>', html, re.S).group(0)
    assert old in vestland  # its approved report was counted by the earlier rule
    assert old not in trondelag  # live: by this year's rule, said once above the table
    drill = client.get("/reports/national/46?year=2025").get_data(as_text=True)
    approved = re.search(rf'<tr data-gathering="{_gathering("Vestland vår").id}">.*?</tr>',
                         drill, re.S).group(0)
    live = re.search(rf'<tr data-gathering="{_gathering("Vestland høst").id}">.*?</tr>',
                     drill, re.S).group(0)
    assert old in approved and new in live


def test_empty_year_and_default_year(builder, client):
    login(client, builder.directorate.email)
    response = client.get("/reports/national?year=2019")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="report-empty"' in html and "national-table" not in html
    assert "plotly" not in html  # no charts, no script
    # With no data at all the page shows this year.
    assert "2026" in client.get("/reports/national").get_data(as_text=True)
    builder.add(Plan("46", year=2024, granted=1000))
    builder.add(Plan("46", year=2027, granted=1000))
    html = client.get("/reports/national").get_data(as_text=True)
    # The latest year up to now with gatherings, not a planned one.
    assert re.search(r'aria-current="page">2024<', html)


@pytest.mark.parametrize("bad", ["abc", "20255", "1999", "2101", "２０２５", "-2025", " "])
def test_a_year_that_is_not_one_is_refused_clearly(year_2025, client, bad):
    login(client, year_2025.directorate.email)
    response = client.get("/reports/national", query_string={"year": bad})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "alert--error" in html and "2025" in html  # says what is shown instead
    assert client.get("/reports/national/46", query_string={"year": bad}).status_code == 422
    assert client.get("/reports/national.csv", query_string={"year": bad}).status_code == 422
    assert client.get("/reports/national/46.xlsx", query_string={"year": bad}).status_code == 422


# --- who sees what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["county_host", "counsellor"])
def test_county_staff_see_only_their_own_county(year_2025, make_user, client, role):
    user = make_user(role, county="46")
    login(client, user.email)
    html = client.get("/reports/national?year=2025").get_data(as_text=True)
    assert '<tr data-county="46">' in html
    for other in ("Oslo", "Trøndelag", "Rogaland"):
        assert other not in html.split('<main')[1].split("</main>")[0]
    report = services.national(user, 2025)
    assert [r.county.number for r in report.rows] == ["46"]
    assert report.counties_without == []
    assert _cells(html, "data-county", "total") == _shown(report.rows[0].line)

    for url in ("/reports/national/03?year=2025", "/reports/national/50?year=2025",
                "/reports/national/03.csv?year=2025", "/reports/national/50.xlsx?year=2025",
                "/reports/national/99?year=2025"):
        assert client.get(url).status_code == 404, url
    assert client.get("/reports/national/46?year=2025").status_code == 200
    csv_rows = _grant_rows(client.get("/reports/national.csv?year=2025").data)
    assert [r[0] for r in csv_rows[1:]] == ["46", ""]  # their row and the total


def test_municipal_contacts_and_strangers_are_refused(year_2025, make_user, client):
    contact = make_user("municipal_contact", county="46", municipality="4601")
    assert client.get("/reports/national").status_code == 302  # to the login page
    login(client, contact.email)
    for url in ("/reports/national?year=2025", "/reports/national/46?year=2025",
                "/reports/national.csv?year=2025", "/reports/national/46.xlsx?year=2025"):
        assert client.get(url).status_code == 403, url
    with pytest.raises(Forbidden):
        services.national(contact, 2025)


def test_nav_link_for_directorate_and_county_host(year_2025, make_user, client):
    login(client, year_2025.directorate.email)
    assert 'href="/reports/national"' in client.get("/").get_data(as_text=True)
    other = client.application.test_client()
    login(other, make_user("municipal_contact", county="46", municipality="4601").email)
    assert 'href="/reports/national"' not in other.get("/").get_data(as_text=True)


# --- exports ---------------------------------------------------------------------------------------

def _csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _sections(data: bytes) -> tuple[list[list[str]], dict[str, list[list[str]]]]:
    """A national export: the preamble, and each section (its name, then the header and rows)
    by name."""
    lines = _csv(data)
    blocks, block = [], []
    for line in lines:
        if line == []:
            blocks.append(block)
            block = []
        else:
            block.append(line)
    blocks.append(block)
    return blocks[0], {b[0][0]: b[1:] for b in blocks[1:]}


def _grant_rows(data: bytes) -> list[list[str]]:
    return _sections(data)[1]["Tilskuddstall"]


def _numbers(line: services.Line) -> list:
    return [line.participants, line.municipalities_covered, line.municipalities_total,
            line.ceiling_nok, line.granted_nok, line.spent_nok, line.per_participant_nok,
            line.repay_nok]


def test_csv_and_xlsx_hold_the_table(year_2025, client):
    report = services.national(year_2025.directorate, 2025)
    login(client, year_2025.directorate.email)
    response = client.get("/reports/national.csv?year=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "national-report-2025.csv" in response.headers["Content-Disposition"]
    preamble, sections = _sections(response.data)
    assert preamble[0] == ["År", "2025"]
    rows = sections["Tilskuddstall"]
    assert len(rows) == 1 + len(report.rows) + 1
    for row, cells in zip(report.rows, rows[1:], strict=False):
        assert cells[:3] == [row.county.number, row.county.name, str(row.line.gatherings)]
        assert cells[3:11] == ["" if v is None else str(v) for v in _numbers(row.line)]
    assert rows[-1][3:11] == [str(v) for v in _numbers(report.totals)]

    response = client.get("/reports/national.xlsx?year=2025")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)][len(preamble) + 1:]
    assert values[0] == rows[0]
    for cells, xl in zip(rows[1:], values[1:], strict=True):
        # Numbers stay numbers in the workbook.
        assert [("" if v is None else str(v)) for v in xl] == cells
        assert all(isinstance(v, int) for v in xl[2:10])


def test_drill_down_exports_and_formula_safety(year_2025, client):
    g = _gathering("Vestland høst")
    g.title = '=HYPERLINK("http://evil.example","klikk")'
    db.session.commit()
    login(client, year_2025.directorate.email)
    rows = _csv(client.get("/reports/national/46.csv?year=2025").data)
    titles = [r[0] for r in rows[1:-1]]
    assert titles == ["Vestland vår", "'=HYPERLINK(\"http://evil.example\",\"klikk\")"]
    row = services.county_report(year_2025.directorate,
                                 services.visible_county(year_2025.directorate, "46"), 2025)
    assert rows[-1][4:12] == [str(v) for v in _numbers(row.line)]
    sheet = load_workbook(io.BytesIO(client.get("/reports/national/46.xlsx?year=2025").data)).active
    assert sheet.cell(row=3, column=1).value.startswith("'=")
    assert sheet.cell(row=3, column=1).data_type == "s"


# --- plotly.js and the page's policy ------------------------------------------------------------

def test_plotlyjs_is_served_from_the_package_with_long_caching(year_2025, client):
    from eventapp.reporting.charts import plotlyjs_path

    login(client, year_2025.directorate.email)
    html = client.get("/reports/national?year=2025").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', html)
    # Under names with a hash of the content (tests/core/test_assets.py).
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", s) for s in sources] == [
        "/static/vendor/plotly/plotly.min.js", "/static/js/charts.js"]
    assert "cdn" not in html.lower()

    response = client.get(sources[0])
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Content-Length"] == str(len(response.data))
    with open(plotlyjs_path(), "rb") as f:
        assert response.data == f.read()
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    response.close()
    assert client.get("/static/vendor/plotly/plotly.min.000000000000.js").status_code == 404
    assert client.get(sources[1]).status_code == 200


def test_only_chart_pages_allow_empty_style_elements(year_2025, client):
    login(client, year_2025.directorate.email)
    default = client.get("/reports/national?year=2019").headers["Content-Security-Policy"]
    assert "sha256" not in default and "unsafe" not in default
    charts = client.get("/reports/national?year=2025").headers["Content-Security-Policy"]
    # The same policy with just the empty string's hash added to style-src.
    assert charts == default.replace(
        "style-src 'self';", "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';")
    assert "unsafe" not in charts
    assert client.get("/reports/national/46?year=2025").headers["Content-Security-Policy"] == default


def test_charts_are_built_from_the_rows(year_2025, client):
    import json

    login(client, year_2025.directorate.email)
    html = client.get("/reports/national?year=2025").get_data(as_text=True)
    data = {m[0]: json.loads(unescape(m[1])) for m in re.findall(
        r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S)}
    assert set(assert_plotly_accepts(html)) == set(data)
    participants = data["chart-participants-data"]["data"][0]
    assert participants["y"] == ["Oslo", "Vestland", "Trøndelag"]
    assert participants["x"] == [11, 19, 15]
    granted, spent = data["chart-spend-data"]["data"]
    assert granted["x"] == [40_000, 44_000, 80_000] and spent["x"] == [25_333, 59_499, 55_001]
    # Each chart has a text alternative with its figures and a caption.
    assert re.search(r'role="img" aria-label="[^"]*Vestland: 19', html)
    # And the two of who came (roles, size classes) beside their tables.
    assert html.count("<figcaption") == 4
