"""The national survey comparison: each county's figure on the page is its own results()
pooled, the national figure the hand count over every response; counties under five are
"too few"; a county host sees the national figure and range and only their own row."""

import csv
import io
import json
import random
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from eventapp.core.errors import Forbidden
from eventapp.reporting import services as reporting
from eventapp.surveys import services
from eventapp.surveys.models import AGREEMENT, Survey, SurveyAnswer, SurveyResponse
from tests.conftest import get_csrf, login
from tests.reporting.plotly_check import assert_plotly_accepts
from tests.surveys.conftest import make_world, open_survey, question, submit

SETTLES = ("ordinary", "ukrainian", "both", "none")


@pytest.fixture(autouse=True)
def _now_is_2027(monkeypatch):
    monkeypatch.setattr(reporting.years, "this_year", lambda: 2027)


@pytest.fixture
def year_2027(db, places, make_user, make_gathering):
    """Vestland (two gatherings, 6 + 5 responses), Rogaland (7), Agder (3: too few), Innlandet
    (6: hidden with Agder, or the national figure less the others would give Agder); what each
    respondent sent, per county (the useful items by title). The first comment in each survey
    is tagged "Lokalet" (in Vestland's second as "lokalet"), the second also "Mat"."""
    rng = random.Random(27)
    sent: dict[str, list[dict]] = {}
    hosts = {}
    surveys_of: dict[str, list] = {}
    plan = (("46", 6, "vert@vestland.example"), ("46", 5, None), ("11", 7, None),
            ("42", 3, None), ("34", 6, None))
    for county, n, email in plan:
        gathering, host = make_world(db, make_user, make_gathering, county,
                                     email if county not in hosts else None)
        hosts.setdefault(county, host)
        survey = open_survey(db, gathering, host)
        for _ in range(n):
            answers = {}
            if rng.random() < 0.9:
                answers["cooperation"] = rng.choice(AGREEMENT)
            if rng.random() < 0.8:
                answers["settles"] = rng.choice(SETTLES)
            if rng.random() < 0.6:
                answers["comments"] = f"Kommentar {rng.randint(1, 99)}"
            items = question(survey, "useful_items").option_list
            if rng.random() < 0.8:
                answers["useful_items"] = [o["value"] for o in rng.sample(items,
                                                                          rng.randint(1, 3))]
            submit(db, survey.qr_token,
                   {str(question(survey, code).id): v for code, v in answers.items()},
                   rng.choice(["municipal", "county", "partner"]))
            titles = {o["value"]: o["label"] for o in items}
            sent.setdefault(county, []).append(
                {**answers, "useful_items": [titles[v] for v in answers.get("useful_items", [])]}
                if "useful_items" in answers else answers)
        # As responses stored before figures moved five at a time are (the migration shows them
        # all), so that counties under five are there to hide.
        db.session.execute(update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                           .values(state="shown"))
        comments = db.session.scalars(select(SurveyAnswer).where(
            SurveyAnswer.question_id == question(survey, "comments").id)
            .order_by(SurveyAnswer.id)).all()
        first = "lokalet" if county in surveys_of else "Lokalet"
        lokalet, mat = (reporting.create_theme(survey, host, n) for n in (first, "Mat"))
        for answer, tags in zip(comments, ([lokalet], [lokalet, mat]), strict=False):
            answer.themes.extend(tags)
        db.session.commit()
        surveys_of.setdefault(county, []).append(survey)
    directorate = make_user("directorate", county=None, email="hkdir@example.no")
    return {"sent": sent, "hosts": hosts, "directorate": directorate, "surveys": surveys_of}


def agree_share(values):
    """Over all who answered, "vet ikke" included, as HK-dir's evaluation computed it."""
    agree = [v for v in values if v in ("helt_enig", "delvis_enig")]
    return (len(agree) / len(values)) if values else None


def pct(share) -> str:
    return f"{whole(share)}\u00a0%"


def whole(share) -> int:
    """Whole percent, halves up, as people round (13/40 is 33 %)."""
    from fractions import Fraction

    return int(Fraction(share).limit_denominator(10_000) * 100 + Fraction(1, 2))


def table_rows(body: str) -> list[list[str]]:
    """The first table of a CSV export, without the period and counts above it and the tables
    after it."""
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    rows = rows[rows.index([]) + 3:]
    return rows[:rows.index([])] if [] in rows else rows


def rows_of(html: str, code: str, table: str | None = None) -> dict[str, dict[str, str]]:
    """The rows of a question's table (``table``: its full split, "split") by county."""
    name = code if table is None else f"{code}-{table}"
    section = re.search(rf'<table [^>]*data-table="{name}".*?</table>', html, re.S)[0]
    out = {}
    for county, body in re.findall(r'<tr data-county="(\w+)"[^>]*>(.*?)</tr>', section, re.S):
        # The cell's own text, without the note beneath it.
        out[county] = {k: unescape(re.sub(r"<[^>]+>", "", re.sub(r"<span.*?</span>", "", v)))
                       .strip()
                       for k, v in re.findall(r'data-field="([\w-]+)"[^>]*>(.*?)</td>', body,
                                              re.S)}
    return out


def test_directorate_sees_every_county_equal_to_its_own_results(client, db, year_2027):
    sent = year_2027["sent"]
    login(client, year_2027["directorate"].email)
    response = client.get("/reports/national/survey?year=2027")
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert re.search(r'data-figure="responses">27 ', html)

    coop = rows_of(html, "cooperation")
    assert set(coop) == {"46", "11", "42", "34", "national"}
    # Each county's figure: its surveys' results() pooled, and the hand count.
    for county in ("46", "11"):
        surveys_here = [s for s in db.session.scalars(select(Survey))
                        if s.gathering.county.number == county]
        pooled = [o for s in surveys_here for o in next(
            q for q in services.results(s)["questions"] if q["code"] == "cooperation")["options"]]
        counts = {v: sum(o["count"] for o in pooled if o["value"] == v) for v in AGREEMENT}
        values = [v for v, c in counts.items() for _ in range(c)]
        hand = [a["cooperation"] for a in sent[county] if "cooperation" in a]
        assert sorted(values) == sorted(hand)
        assert coop[county]["share"] == pct(agree_share(hand))
        assert coop[county]["considered"] == str(len([v for v in hand if v != "vet_ikke"]))
        assert coop[county]["responses"] == str(len(sent[county]))
    assert "few" in coop["42"] and "share" not in coop["42"]
    assert "few" in coop["34"] and "share" not in coop["34"]
    everyone = [a["cooperation"] for c in sent.values() for a in c if "cooperation" in a]
    assert coop["national"]["share"] == pct(agree_share(everyone))
    shares = [agree_share([a["cooperation"] for a in sent[c] if "cooperation" in a])
              for c in ("46", "11")]
    rng = unescape(re.search(r'data-figure="range">([^<]*)<', html)[1])
    assert pct(min(shares)) in rng and pct(max(shares)) in rng

    settles = rows_of(html, "settles")
    for county in ("46", "11"):
        for value in SETTLES:
            hand = sum(1 for a in sent[county] if a.get("settles") == value)
            assert settles[county][value] == str(hand)
    assert settles["national"]["both"] == str(sum(1 for c in sent.values() for a in c
                                                  if a.get("settles") == "both"))
    comments = rows_of(html, "comments")
    assert comments["11"]["answered"] == str(sum("comments" in a for a in sent["11"]))

    # The chart: a bar per county with enough responses, the national figure as a line.
    assert_plotly_accepts(html)
    figure = json.loads(unescape(re.search(
        r'id="chart-cooperation-data">(.*?)</script>', html, re.S)[1]))
    assert figure["data"][0]["y"] == ["Rogaland", "Vestland"]
    assert figure["data"][0]["x"] == [whole(s) for s in (shares[1], shares[0])]
    assert figure["layout"]["shapes"][0]["x0"] == agree_share(everyone) * 100
    # The figures sit inside their bars, over the national line drawn beneath them.
    assert figure["layout"]["shapes"][0]["layer"] == "below"
    assert all(p == ("inside" if x >= 12 else "outside")
               for p, x in zip(figure["data"][0]["textposition"], figure["data"][0]["x"],
                               strict=True))
    # Settles: each county's answers as shares of 100 %.
    figure = json.loads(unescape(re.search(
        r'id="chart-settles-data">(.*?)</script>', html, re.S)[1]))
    for i, county in enumerate(("11", "46")):  # by county number, as the table
        given = [a["settles"] for a in sent[county] if "settles" in a]
        for trace, value in zip(figure["data"], SETTLES, strict=True):
            assert trace["x"][i] == pytest.approx(given.count(value) / len(given) * 100)
            assert trace["customdata"][i] == given.count(value)

    # The useful items: each county's top three by title, with the share of who answered.
    top = re.search(r'id="nq-useful_items".*?</section>', html, re.S)[0]
    for county in ("46", "11"):
        chose = [a["useful_items"] for a in sent[county] if a.get("useful_items")]
        tally = {}
        for titles in chose:
            for t in titles:
                tally[t] = tally.get(t, 0) + 1
        want = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:3]
        row = re.search(rf'<tr data-county="{county}".*?</tr>', top, re.S)[0]
        got = [unescape(x) for x in re.findall(r'<li data-count="\d+">([^<]*)</li>', row)]
        assert got == [f"{t}: {n} ({pct(n / len(chose))})" for t, n in want]
    agder = re.search(r'<tr data-county="42".*?</tr>', top, re.S)[0]
    assert "<li data-count" not in agder and "data-link" not in agder
    # The themes: Vestland's two surveys' "Lokalet"/"lokalet" count as one; Agder shows none.
    comments_html = re.search(r'id="nq-comments".*?</section>', html, re.S)[0]
    themes = {county: re.findall(r'<li data-count="(\d+)">([^<:]*):', row)
              for county, row in re.findall(r'<tr data-county="(\w+)".*?>(.*?)</tr>',
                                            comments_html, re.S)}
    assert themes["46"] == [("4", "Lokalet"), ("2", "Mat")]
    assert themes["11"] == [("2", "Lokalet"), ("1", "Mat")]
    assert themes["42"] == []
    # Each county links to its gatherings' results; Vestland has two.
    links = dict(re.findall(r'<tr data-county="(\w+)"[^>]*>\s*<th scope="row">(.*?)</th>',
                            comments_html, re.S))
    ids = {c: [s.gathering_id for s in year_2027["surveys"][c]] for c in ("46", "11")}
    assert re.findall(r'/gatherings/(\d+)/survey/results', links["11"]) == [str(ids["11"][0])]
    assert re.findall(r'/gatherings/(\d+)/survey/results', links["46"]) == [
        str(i) for i in ids["46"]]


def test_host_sees_the_national_figure_and_only_their_own_county(client, year_2027):
    login(client, year_2027["hosts"]["46"].email)
    html = client.get("/reports/national/survey?year=2027").get_data(as_text=True)
    coop = rows_of(html, "cooperation")
    assert set(coop) == {"46", "national"}
    everyone = [a["cooperation"] for c in year_2027["sent"].values() for a in c
                if "cooperation" in a]
    assert coop["national"]["share"] == pct(agree_share(everyone))
    assert 'data-figure="range"' in html
    assert "Rogaland" not in html and "Agder" not in html
    # Links to their own gatherings only.
    own = {str(s.gathering_id) for s in year_2027["surveys"]["46"]}
    assert set(re.findall(r'/gatherings/(\d+)/survey/results', html)) == own
    response = client.get("/reports/national/survey.csv?year=2027")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="sporreundersokelse-vestland-2027.csv"'
    body = response.data.decode("utf-8-sig")
    counties = {r[1] for r in table_rows(body)}
    assert "Rogaland" not in counties and "Vestland" in counties
    assert "Rogaland" not in body
    # In English, the questions and the options are.
    client.post("/language", data={"language": "en", "next": "/reports/national/survey",
                                   "csrf_token": get_csrf(client, "/reports/national/survey")})
    html = client.get("/reports/national/survey?year=2027").get_data(as_text=True)
    assert "Refugees from Ukraine" in html and "Flyktninger fra Ukraina" not in html
    assert services.NATIONAL_DEFAULTS[0][3] in html and services.NATIONAL_DEFAULTS[0][2] not in html
    assert "5 surveys" in html or "5 spørreundersøkelser" in html


def test_export_year_switch_and_refusals(app, client, year_2027, make_user):
    login(client, year_2027["directorate"].email)
    response = client.get("/reports/national/survey.csv?year=2027")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(
        'filename="sporreundersokelse-fylkene-2027.csv"')
    body = response.data.decode("utf-8-sig")
    assert body.split("\r\n")[0].endswith(";2027")
    rows = table_rows(body)
    coop = [r for r in rows if "Denne samlingen" in r[0]]
    assert {r[1] for r in coop} >= {"Vestland", "Rogaland", "Agder", "Hele landet"}
    agder = next(r for r in coop if r[1] == "Agder")
    assert agder[2] == "3" and agder[3] == "" and "%" not in "".join(agder)
    # Agder's themes and items stay out of the file too; Vestland's are in it.
    agder_rows = [r[0] for r in rows if r[1] == "Agder"]
    assert len(agder_rows) == len(set(agder_rows)) == len({r[0] for r in rows})
    assert any(r[1] == "Vestland" and r[4].endswith("Lokalet") and r[5] == "4" for r in rows)
    book = load_workbook(io.BytesIO(client.get("/reports/national/survey.xlsx?year=2027").data))
    # The first sheet: the same lines as the CSV's first section (the preamble, a blank line,
    # the header and the rows), less the sheet's name the CSV writes as a line of its own.
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert book.active.max_row == lines.index([]) + 2 + len(rows)
    assert book.sheetnames[1:] == ["Svarprosent", "Ingen svar"]
    shares = [r[5].value for r in book.active.iter_rows() if r[4].value == "Helt eller delvis enig"]
    assert shares and all(isinstance(v, float) and 0 <= v <= 1 for v in shares)

    # The year switch, and a year without responses.
    html = client.get("/reports/national/survey?year=2026").get_data(as_text=True)
    assert 'href="/reports/national/survey?year=2027"' in html
    assert "survey-question" not in html and "plotly" not in html
    bad = client.get("/reports/national/survey?year=20x7")
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)
    assert client.get("/reports/national/survey.csv?year=abc").status_code == 422
    # Linked from the grant report.
    assert 'id="survey-comparison-link"' in client.get("/reports/national?year=2027") \
        .get_data(as_text=True)

    contact = make_user("municipal_contact", county="46", municipality="4601",
                        email="kontakt@bergen.example")
    counsellor = make_user("counsellor", county="46", email="veileder@vestland.example")
    for user in (contact, counsellor):
        other = app.test_client()
        login(other, user.email)
        for fmt in ("", ".csv", ".xlsx"):
            assert other.get(f"/reports/national/survey{fmt}?year=2027").status_code == 403
    # The counsellor's grant report no longer points there.
    assert 'id="survey-comparison-link"' not in other.get("/reports/national?year=2027") \
        .get_data(as_text=True)
    with pytest.raises(Forbidden):
        reporting.national_survey(counsellor, 2027)
    assert app.test_client().get("/reports/national/survey").status_code == 302
