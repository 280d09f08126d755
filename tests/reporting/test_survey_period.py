"""The national survey comparison over a period, a single year, a county's view and a size
class: the response rate with the QR answers apart, every option of the agreement and settles
questions with its share of those who answered and its range over the counties, counted by hand
from the raw answers; the page, the CSV and the API give the same figures."""

import csv
import io
import random
import re
from datetime import date
from html import unescape

import jsonschema
import pytest
from sqlalchemy import select, update

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.reporting import services as reporting
from eventapp.surveys.models import (
    AGREEMENT,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from tests.conftest import login
from tests.surveys.conftest import add_items, open_survey, question, submit


@pytest.fixture(autouse=True)
def _now_is_2027(monkeypatch):
    monkeypatch.setattr(reporting.years, "this_year", lambda: 2027)


# county, year, size classes of the responses (in order), invited, answered by personal link
PLAN = (
    ("46", 2026, ["large"] * 3 + ["small"] * 3, 10, 4),
    ("46", 2027, ["large"] * 3 + ["small"] * 2, 8, 3),
    ("11", 2027, ["large"] * 7, 10, 5),
    ("42", 2027, ["large"] * 3, 4, 2),
    ("34", 2027, ["large"] + ["medium"] * 5, 0, 0),
)


@pytest.fixture
def period(db, places, make_user, make_gathering):
    """Five closed surveys in four counties over 2026-2027; what each respondent sent."""
    rng = random.Random(2627)
    sent = []
    for n, (county, year, sizes, invited, personal) in enumerate(PLAN):
        gathering = make_gathering(county=county, title=f"Samling {county} {year}",
                                   start=date(year, 3, 10), end=date(year, 3, 11))
        gathering.status = "held"
        db.session.commit()
        add_items(db, gathering)
        host = make_user("county_host", county=county, email=f"vert{n}@example.no")
        survey = open_survey(db, gathering, host, on=date(year, 3, 11),
                             closes_on=date(year, 3, 31))
        scale = question(survey, "cooperation").values
        settles = question(survey, "settles").values
        for size in sizes:
            answers = {}
            if rng.random() < 0.9:
                answers["cooperation"] = rng.choice(scale)
            if rng.random() < 0.8 or not answers:  # a response answers something
                answers["settles"] = rng.choice(settles)
            response, _created = submit(
                db, survey.qr_token,
                {str(question(survey, code).id): v for code, v in answers.items()},
                "municipal", on=date(year, 3, 11))
            sent.append({"county": county, "year": year, "size": size, **answers})
        db.session.execute(update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                           .values(state="shown"))
        for response, size in zip(sorted(db.session.scalars(
                SurveyResponse.__table__.select().where(
                    SurveyResponse.survey_id == survey.id)).all()), sizes, strict=True):
            db.session.execute(update(SurveyResponse).where(SurveyResponse.id == response)
                               .values(size_class=size))
        for i in range(invited):
            db.session.add(SurveyInvitation(survey_id=survey.id, token_hash=f"{n:02d}{i:062d}",
                                            answered=i < personal))
        survey.shown_personal = personal
        survey.status = "closed"
        db.session.commit()
    directorate = make_user("directorate", county=None, email="hkdir@example.no")
    return {"sent": sent, "directorate": directorate}


def _split(values: list[str], options: list[str]) -> dict[str, tuple[int, float | None]]:
    return {v: (values.count(v), values.count(v) / len(values) if values else None)
            for v in options}


def _expect(sent, *, years, shown_counties, size=None) -> dict:
    """The figures of each shown county and the nation, from what was sent."""
    picked = [s for s in sent if s["year"] in years and (size is None or s["size"] == size)]
    scale = [v for v in AGREEMENT if any(s.get("cooperation") == v for s in sent)] or []
    out = {"responses": len(picked), "counties": {}, "national": {}}
    for code in ("cooperation", "settles"):
        values = [s[code] for s in picked if code in s]
        options = scale if code == "cooperation" else ["ordinary", "ukrainian", "both", "none"]
        out["national"][code] = _split(values, options)
        for county in shown_counties:
            mine = [s[code] for s in picked if s["county"] == county and code in s]
            out["counties"].setdefault(county, {})[code] = _split(mine, options)
    return out


def _check(report, expected, shown_counties) -> None:
    for q in report["questions"]:
        if q["code"] not in ("cooperation", "settles"):
            continue
        want = expected["national"][q["code"]]
        got = {o["value"]: (o["count"], o["share"]) for o in q["options"]}
        assert {v: got[v] for v in want if v in got} == {v: want[v] for v in got}
        assert all(want.get(v, (0, 0))[0] == c for v, (c, _s) in got.items())
        rows = {r["county_number"]: r for r in q["counties"]}
        assert {c for c, r in rows.items() if not r["suppressed"]} == set(shown_counties)
        for county in shown_counties:
            mine = expected["counties"][county][q["code"]]
            assert {o["value"]: (o["count"], o["share"]) for o in rows[county]["options"]} == \
                {v: mine.get(v, (0, None if not sum(c for c, _s in mine.values()) else 0.0))
                 for v in got}
        for r in rows.values():
            if r["suppressed"]:
                assert r["options"] is None and r["answered"] is None
        # The range of every option's share over the counties shown that answered.
        answered = [c for c in shown_counties
                    if sum(n for n, _s in expected["counties"][c][q["code"]].values())]
        for value, rng in (q["ranges"] or {}).items():
            shares = [expected["counties"][c][q["code"]][value][1] for c in answered]
            assert rng == {"min": min(shares), "max": max(shares)}
        assert (q["ranges"] is None) == (not answered)


def test_period_of_two_years_by_hand(period):
    report = reporting.national_survey(period["directorate"], 2026, 2027)
    # Vestland 11 and Rogaland 7 shown; Agder (3) hidden, and Innlandet (6) with it.
    shown = ("46", "11")
    _check(report, _expect(period["sent"], years=(2026, 2027), shown_counties=shown), shown)
    assert report["responses"] == 27 and report["surveys"] == 5
    # The response rate: answers by personal link over invitations; the QR answers apart.
    assert report["invited"] == 32 and report["responses_personal"] == 14
    assert report["response_rate"] == 14 / 32 and report["responses_qr"] == 27 - 14
    vestland = next(r for r in report["response_rates"] if r["county_number"] == "46")
    assert (vestland["invited"], vestland["responses_personal"], vestland["responses"],
            vestland["responses_qr"]) == (18, 7, 11, 4)
    assert vestland["response_rate"] == 7 / 18
    innlandet = next(r for r in report["response_rates"] if r["county_number"] == "34")
    assert innlandet["response_rate"] is None and innlandet["responses_qr"] == 6
    without = {c["number"] for c in report["counties_without"]}
    assert {"03", "15", "50"} <= without and not without & {"46", "11", "42", "34"}


def test_a_single_year_by_hand(period):
    report = reporting.national_survey(period["directorate"], 2027)
    # 2027: Vestland 5, Rogaland 7, Agder 3, Innlandet 6: Agder hidden, then Vestland with it.
    shown = ("11", "34")
    _check(report, _expect(period["sent"], years=(2027,), shown_counties=shown), shown)
    assert report["responses"] == 21 and report["invited"] == 22


def test_a_size_class_by_hand(period):
    report = reporting.national_survey(period["directorate"], 2026, 2027, size_class="large")
    # Large: Vestland 6, Rogaland 7, Agder 3 (hidden), Innlandet 1 (hidden, and its medium
    # with it). Agder and Innlandet hold 4 between them, so Vestland is hidden too.
    shown = ("11",)
    _check(report, _expect(period["sent"], years=(2026, 2027), shown_counties=shown,
                           size="large"), shown)
    assert report["responses"] == 17
    assert report["invited"] is None and report["response_rate"] is None
    rows = {r["county_number"]: r for r in report["questions"][0]["counties"]}
    assert rows["11"]["responses"] == 7 and rows["46"]["responses"] is None
    # Medium: only Innlandet's five, which the national figure would give away: all hidden.
    medium = reporting.national_survey(period["directorate"], 2026, 2027, size_class="medium")
    assert all(r["suppressed"] for q in medium["questions"] for r in q["counties"])
    # Small: Vestland's five: shown, nationally too (the others have none).
    small = reporting.national_survey(period["directorate"], 2026, 2027, size_class="small")
    _check(small, _expect(period["sent"], years=(2026, 2027), shown_counties=("46",),
                          size="small"), ("46",))


def test_a_county_host_sees_their_own_rows(period, make_user):
    host = make_user("county_host", county="46", email="vert-ekstra@vestland.example")
    report = reporting.national_survey(host, 2026, 2027)
    assert {r["county_number"] for q in report["questions"] for r in q["counties"]} == {"46"}
    assert [r["county_number"] for r in report["response_rates"]] == ["46"]
    assert report["counties_without"] == []
    # Their row as the directorate sees it; the national figures and ranges over every county.
    full = reporting.national_survey(period["directorate"], 2026, 2027)
    for mine, all_ in zip(report["questions"], full["questions"], strict=True):
        assert mine["counties"] == [r for r in all_["counties"] if r["county_number"] == "46"]
        assert mine.get("options") == all_.get("options")
        assert mine.get("ranges") == all_.get("ranges")


def _headers(user) -> dict:
    _token, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _pct(share) -> str:
    from fractions import Fraction

    return f"{int(Fraction(share).limit_denominator(10_000) * 100 + Fraction(1, 2))}\u00a0%"


@pytest.mark.parametrize("query", ["from=2026&to=2027", "year=2027",
                                   "from=2026&to=2027&size_class=large"])
def test_page_csv_and_api_agree(period, client, query):
    directorate = period["directorate"]
    args = dict(p.split("=") for p in query.split("&"))
    start = int(args.get("from", args.get("year")))
    end = int(args.get("to", start))
    size = args.get("size_class")
    report = reporting.national_survey(directorate, start, end, size_class=size)
    coop = next(q for q in report["questions"] if q["code"] == "cooperation")

    api = client.get(f"/api/v1/reports/national/survey?{query}", headers=_headers(directorate))
    assert api.status_code == 200
    body = api.get_json()
    jsonschema.validate(body, next(o for o in OPERATIONS
                                   if o.operation_id == "nationalSurveyReport").response)
    api_coop = next(q for q in body["questions"] if q["code"] == "cooperation")
    assert api_coop["options"] == [{k: o[k] for k in api_coop["options"][0]}
                                   for o in coop["options"]]
    assert api_coop["ranges"] == coop["ranges"]
    assert [(r["county_number"], r["suppressed"], r["options"]) for r in api_coop["counties"]] \
        == [(r["county_number"], r["suppressed"],
             r["options"] and [{k: o[k] for k in r["options"][0]} for o in r["options"]])
            for r in coop["counties"]]
    assert body["response_rate"] == report["response_rate"]
    assert body["responses_qr"] == report["responses_qr"]

    login(client, directorate.email)
    page = client.get(f"/reports/national/survey?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    split = re.search(r'<table [^>]*data-table="cooperation-split".*?</table>', html, re.S)[0]
    national = re.search(r'<tr data-county="national">.*?</tr>', split, re.S)[0]
    for option in coop["options"]:
        cell = re.search(rf'data-field="{option["value"]}">(.*?)</td>', national, re.S)[1]
        text = unescape(re.sub(r"<[^>]+>", " ", cell))
        assert (_pct(option["share"]) if option["share"] is not None else "–") in text
        assert f"({option['count']})" in text
    for value, rng in (coop["ranges"] or {}).items():
        row = re.search(r'<tr data-county="range">.*?</tr>', split, re.S)[0]
        cell = unescape(re.search(rf'data-field="{value}">(.*?)</td>', row, re.S)[1])
        assert cell == f"{_pct(rng['min'])}–{_pct(rng['max'])}"
    if size is None:
        rate = re.search(r'<table class="report-table" id="response-rate-table">.*?</table>',
                         html, re.S)[0]
        national = re.search(r'<tr data-county="national">.*?</tr>', rate, re.S)[0]
        assert f'data-field="rate">{_pct(report["response_rate"])}<' in unescape(national)
        assert f'data-field="qr">{report["responses_qr"]}<' in national
        assert 'id="chart-response-rate"' in html
    assert 'id="chart-cooperation-split"' in html

    response = client.get(f"/reports/national/survey.csv?{query}")
    label = str(start) if start == end else f"{start}-{end}"
    assert f"sporreundersokelse-fylkene-{label}" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][1] == (str(start) if start == end else f"{start}\u2013{end}")
    national_rows = {r[4]: r for r in lines if len(r) > 5 and "Denne samlingen" in r[0]
                     and r[1] == "Hele landet"}
    for option in coop["options"]:
        row = national_rows[option["label"]]
        assert row[5] == str(option["count"])
        assert row[6] == (_pct(option["share"]).replace("\u00a0", " ")
                          if option["share"] is not None else "")


def test_a_gatherings_results_by_size_class(period, client):
    from eventapp.gatherings.models import Gathering
    from eventapp.surveys import services as surveys

    def survey_of(title):
        gathering = db.session.scalars(Gathering.__table__.select().where(
            Gathering.title == title)).first()
        return surveys.find_survey(db.session.get(Gathering, gathering))

    rogaland = survey_of("Samling 11 2027")
    figures = surveys.results(rogaland, size_class="large")
    assert not figures["suppressed"] and figures["filtered_responses"] == 7
    coop = next(q for q in figures["questions"] if q["code"] == "cooperation")
    hand = [s["cooperation"] for s in period["sent"]
            if s["county"] == "11" and s["size"] == "large" and "cooperation" in s]
    assert {o["value"]: o["count"] for o in coop["options"]} == \
        {o["value"]: hand.count(o["value"]) for o in coop["options"]}
    # Vestland 2026: three large, three small: each under five, so neither is shown.
    vestland = survey_of("Samling 46 2026")
    assert surveys.results(vestland, size_class="large")["suppressed"]
    assert surveys.results(vestland, size_class="small")["suppressed"]

    login(client, period["directorate"].email)
    page = client.get(f"/gatherings/{rogaland.gathering_id}/survey/results?size_class=large")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-figure="filtered">7 ' in html and 'value="large" selected' in html
    bad = client.get(f"/gatherings/{rogaland.gathering_id}/survey/results?size_class=huge")
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)
    two = client.get(f"/gatherings/{rogaland.gathering_id}/survey/results"
                     "?size_class=large&group=municipal")
    assert two.status_code == 422
    export = client.get(f"/gatherings/{rogaland.gathering_id}/survey/results.csv"
                        "?size_class=large")
    assert export.status_code == 200 and "-stor.csv" in export.headers["Content-Disposition"]
    api = client.get(f"/api/v1/gatherings/{rogaland.gathering_id}/survey/results"
                     "?size_class=large", headers=_headers(period["directorate"]))
    assert api.status_code == 200 and api.get_json()["filtered_responses"] == 7
    assert client.get(f"/api/v1/gatherings/{rogaland.gathering_id}/survey/results"
                      "?size_class=huge",
                      headers=_headers(period["directorate"])).status_code == 422


def test_a_size_class_keeps_the_top_items_to_its_respondents(period):
    # In each of Vestland's surveys the large municipalities' respondents chose the first
    # programme item, the small ones' the second.
    chosen = {}
    for survey in db.session.scalars(
            select(Survey).join(Gathering).where(Gathering.title.like("Samling 46 %"))):
        items = question(survey, "useful_items").option_list
        picks = {"large": items[0], "small": items[1]}
        for response in db.session.scalars(select(SurveyResponse)
                                           .where(SurveyResponse.survey_id == survey.id)):
            pick = picks[response.size_class]
            db.session.add(SurveyAnswer(response_id=response.id, choice=pick["value"],
                                        question_id=question(survey, "useful_items").id))
            chosen.setdefault(response.size_class, []).append(pick["label"])
    db.session.commit()

    def top_items(size_class=None):
        report = reporting.national_survey(period["directorate"], 2026, 2027,
                                           size_class=size_class)
        q = next(q for q in report["questions"] if q["code"] == "useful_items")
        row = next(r for r in q["counties"] if r["county_number"] == "46")
        return row["answered"], [(t["label"], t["count"], t["share"]) for t in row["top_items"]]

    def tally(labels):
        counts = {label: labels.count(label) for label in labels}
        return sorted(((label, n, n / len(labels)) for label, n in counts.items()),
                      key=lambda t: (-t[1], t[0].casefold()))

    everyone = chosen["large"] + chosen["small"]
    assert top_items() == (11, tally(everyone))
    # Under the filter the row counts Vestland's five small respondents, and so do its items:
    # not the items of the six large ones beside them.
    assert top_items("small") == (5, tally(chosen["small"]))
