"""The "most useful items" by programme topic, computed by hand from the raw rows for a period,
a single year and one county, and the page, the files and topicReport agreeing with it.

The rows are written straight into the tables (gatherings, items with topics, a survey with its
"most useful items" question, responses and their ticks), with the noise a real year has: a
pending response, a response that skipped the question, a cancelled item, a tick naming
another gathering's item, a draft gathering, a gathering outside the period."""

import csv
import io
import json
from datetime import date

import jsonschema
import pytest
from sqlalchemy import event

from eventapp.core.time import utcnow
from eventapp.gatherings.models import ProgrammeItem, ProgrammeTopic
from eventapp.gatherings.services import seed_topics
from eventapp.reporting.services import topics as service
from eventapp.reporting.services.years import Period
from eventapp.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from tests import factories
from tests.conftest import login
from tests.reporting.plotly_check import assert_plotly_accepts

QUESTION = "useful_items"


class Raw:
    """What was written, kept as plain rows for the hand computation."""

    def __init__(self, db):
        self.db = db
        self.gatherings = []  # {id, county, year, status}
        self.items = []  # {id, gathering, topics, cancelled}
        self.responses = []  # {id, gathering, state, ticks: [item ids], answered}
        self.topics = {t.code: t for t in db.session.query(ProgrammeTopic)
                       .order_by(ProgrammeTopic.position)}
        self.keyed = {}  # every item written, by its key
        self.n = 0

    def gathering(self, county, year, status, items, responses=()):
        """``items``: (key, topic codes, cancelled); ``responses``: (state, [item keys], other
        answers only) where a key may name an item of an earlier gathering."""
        self.n += 1
        g = factories.make_gathering(county=county, title=f"Samling {self.n}",
                                     start=date(year, 4, 10), end=date(year, 4, 11))
        g.status = status
        keyed = {}
        for key, codes, cancelled in items:
            item = ProgrammeItem(
                gathering=g, kind="talk", title=f"{key} ({self.n})",
                starts_at=utcnow().replace(year=year, month=4, day=10, hour=8 + len(keyed),
                                           minute=0, second=0, microsecond=0),
                ends_at=utcnow().replace(year=year, month=4, day=10, hour=8 + len(keyed),
                                         minute=45, second=0, microsecond=0),
                topics=[self.topics[c] for c in codes],
                cancelled_at=utcnow() if cancelled else None)
            self.db.session.add(item)
            self.db.session.flush()
            keyed[key] = item
            self.keyed[key] = item
            self.items.append({"id": item.id, "gathering": g.id, "topics": set(codes),
                               "cancelled": cancelled})
        self.gatherings.append({"id": g.id, "county": county, "year": year, "status": status})
        if responses:
            survey = Survey(gathering_id=g.id, status="closed")
            self.db.session.add(survey)
            self.db.session.flush()
            question = SurveyQuestion(
                survey_id=survey.id, code=QUESTION, national=True, kind="programme_items",
                text="Hvilke innlegg/programposter opplevde du som mest nyttige?",
                position=0, options=json.dumps([{"value": f"item-{i.id}", "label": i.title}
                                                for i in keyed.values()]))
            other = SurveyQuestion(survey_id=survey.id, code="cooperation", national=True,
                                   kind="single", text="Samarbeid?", position=1)
            self.db.session.add_all([question, other])
            self.db.session.flush()
            for state, ticks, other_only in responses:
                response = SurveyResponse(survey_id=survey.id, submitted_on=date(year, 4, 12),
                                          state=state)
                self.db.session.add(response)
                self.db.session.flush()
                ids = [self.keyed[k].id for k in ticks]
                for item_id in ids:
                    self.db.session.add(SurveyAnswer(response_id=response.id,
                                                     question_id=question.id,
                                                     choice=f"item-{item_id}"))
                # An "item-" value in another question is not a tick.
                self.db.session.add(SurveyAnswer(
                    response_id=response.id, question_id=other.id,
                    choice=f"item-{ids[0]}" if ids else "ja"))
                self.responses.append({"id": response.id, "gathering": g.id, "state": state,
                                       "ticks": ids, "answered": bool(ids) and not other_only})
                assert not other_only  # (kept simple: "answered" is having a tick)
        self.db.session.commit()
        return g

    def expected(self, start, end, counties=None) -> dict:
        """By hand: per topic code (held, of, respondents, ticked or None when under five)."""
        counted = [g for g in self.gatherings if g["status"] != "draft"
                   and start <= g["year"] <= end and (counties is None or g["county"] in counties)]
        ids = {g["id"] for g in counted}
        items = {i["id"]: i for i in self.items}
        out = {}
        for code in self.topics:
            held = {i["gathering"] for i in self.items
                    if i["gathering"] in ids and code in i["topics"] and not i["cancelled"]}
            there = [r for r in self.responses
                     if r["gathering"] in held and r["state"] != "pending" and r["answered"]]
            ticked = [r for r in there
                      if any(items[t]["gathering"] == r["gathering"] and code in items[t]["topics"]
                             and not items[t]["cancelled"] for t in r["ticks"])]
            out[code] = (len(held), len(counted), len(there),
                         len(ticked) if len(there) >= 5 else None)
        return out


@pytest.fixture
def raw(db, places):
    seed_topics()
    db.session.commit()
    r = Raw(db)
    shown = "shown"
    # Vestland 2024: a cancelled NAV item (its tick counts for nothing), a pending response.
    r.gathering("46", 2024, "reported", [
        ("a", ["refugee_groups"], False),
        ("b", ["legal_framework", "county_municipality"], False),
        ("c", ["county_municipality"], False),
        ("d", ["nav_measures"], True),
    ], [(shown, ["a"], False), (shown, ["a", "b"], False), (shown, ["c"], False),
        (shown, ["b"], False), (shown, ["a", "c"], False), (shown, ["d"], False),
        ("pending", ["a"], False), (shown, [], False)])
    # Rogaland 2025: one response names Vestland's item "a" (not this gathering's): it answered,
    # but ticked nothing of this programme.
    r.gathering("11", 2025, "held", [
        ("e", ["refugee_groups"], False),
        ("f", ["nav_measures", "adult_education"], False),
        ("g", [], False),
    ], [(shown, ["e"], False), (shown, ["e", "f"], False), (shown, ["g"], False),
        (shown, ["f"], False), (shown, ["e"], False), ("replaced", ["g", "e"], False),
        (shown, ["a"], False)])
    # Vestland 2025: three answered, under five.
    r.gathering("46", 2025, "held", [("h", ["refugee_groups", "user_involvement"], False)],
                [(shown, ["h"], False), (shown, ["h"], False), (shown, ["h"], False)])
    # Oslo 2025, a draft: never counted.
    r.gathering("03", 2025, "draft", [("i", ["refugee_groups"], False)],
                [(shown, ["i"], False)] * 6)
    # Vestland 2026: open, no survey yet.
    r.gathering("46", 2026, "open", [("j", ["refugee_groups", "training_education"], False)])
    # Rogaland 2023: outside every period asked below.
    r.gathering("11", 2023, "reported", [("k", ["refugee_groups"], False)],
                [(shown, ["k"], False)] * 5)
    return r


@pytest.fixture
def users(make_user):
    return {"directorate": make_user("directorate"),
            "host46": make_user("county_host", county="46"),
            "host11": make_user("county_host", county="11"),
            "counsellor": make_user("counsellor", county="46")}


def _figures(report) -> dict:
    return {row.code: (row.held, report.gatherings, row.respondents, row.ticked)
            for row in report.rows}


def _active_or_held(raw, expected):
    # The report lists every active topic, and a deactivated one only where it was held.
    return {code: v for code, v in expected.items() if raw.topics[code].active or v[0]}


@pytest.mark.parametrize("start, end, who, county, counties", [
    (2024, 2025, "directorate", None, None),  # a period, every county
    (2025, 2025, "directorate", None, None),  # a single year
    (2024, 2026, "host46", None, {"46"}),  # a county host: their own county
    (2024, 2026, "directorate", "46", {"46"}),  # the directorate asks for one county
    (2025, 2025, "host11", None, {"11"}),
])
def test_the_roll_up_is_the_hand_count(db, raw, users, start, end, who, county, counties):
    user = users[who]
    chosen = service.report_county(user, county)
    report = service.topic_report(user, Period(start, end), chosen)
    expected = _active_or_held(raw, raw.expected(start, end, counties))
    assert _figures(report) == expected
    assert [row.code for row in report.rows] == [c for c in raw.topics if c in expected]
    for row in report.rows:
        if row.ticked is not None:
            assert row.share == pytest.approx(row.ticked / row.respondents)


def test_the_worked_example(db, raw, users):
    """One case spelt out, so a reader can follow it: refugee groups over 2024–2025."""
    report = service.topic_report(users["directorate"], Period(2024, 2025))
    refugees = next(r for r in report.rows if r.code == "refugee_groups")
    # Held at Vestland 2024 (a), Rogaland 2025 (e) and Vestland 2025 (h): 3 of 3.
    # Answered: Vestland 2024 6 (not the pending, not the one without ticks), Rogaland 2025 7
    # (with the replaced one still shown, and the one naming Vestland's item), Vestland 2025 3.
    # Ticked: a ×3, e ×4 (with the replaced one), h ×3.
    assert (refugees.held, report.gatherings, refugees.respondents, refugees.ticked) == (
        3, 3, 16, 10)
    assert refugees.share == pytest.approx(10 / 16)
    nav = next(r for r in report.rows if r.code == "nav_measures")
    assert (nav.held, nav.respondents, nav.ticked) == (1, 7, 2)  # the cancelled item is not held
    assert report.respondents == 16


def test_a_topic_with_fewer_than_five_respondents_shows_no_share(db, raw, users):
    report = service.topic_report(users["host46"], Period(2025, 2025))
    row = next(r for r in report.rows if r.code == "refugee_groups")
    assert (row.held, row.respondents, row.ticked, row.share, row.suppressed) == (
        1, 3, None, None, True)


def test_a_deactivated_topic_stays_where_it_was_held(db, raw, users):
    user_involvement = raw.topics["user_involvement"]
    prior = raw.topics["prior_learning"]
    user_involvement.active = prior.active = False
    db.session.commit()
    codes = [r.code for r in service.topic_report(users["directorate"], Period(2025, 2025)).rows]
    assert "user_involvement" in codes and "prior_learning" not in codes


def test_the_queries_do_not_grow_with_the_gatherings(db, raw, users, engine_statements):
    with engine_statements() as few:
        service.topic_report(users["directorate"], Period(2023, 2026))
    for year in (2024, 2025, 2026):
        raw.gathering("15", year, "held", [("x", ["refugee_groups"], False)],
                      [("shown", ["x"], False)] * 6)
    with engine_statements() as many:
        report = service.topic_report(users["directorate"], Period(2023, 2026))
    assert report.gatherings == 8
    assert len(many) == len(few) <= 7


@pytest.fixture
def engine_statements(db):
    from contextlib import contextmanager

    @contextmanager
    def count():
        seen = []

        def listen(conn, cursor, statement, *args):
            seen.append(statement)

        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)

    return count


# --- the page, the files and the API say the same ---------------------------------------------

def _page_rows(html: str) -> dict:
    import re

    rows = {}
    for code, body in re.findall(r'<tr data-topic="(\w+)"[^>]*>(.*?)</tr>', html, re.S):
        cells = dict(re.findall(r'data-field="(\w+)">(.*?)</td>', body, re.S))
        rows[code] = cells
    return rows


def test_page_files_and_api_agree_with_the_hand_count(db, client, raw, users, api_headers):
    from eventapp.api.spec import OPERATIONS

    expected = _active_or_held(raw, raw.expected(2024, 2025))
    client.set_cookie("lang", "en")
    login(client, users["directorate"].email)
    page = client.get("/reports/topics?from=2024&to=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="chart-topics"' in html
    assert_plotly_accepts(html)
    assert "sha256-47DEQ" in page.headers["Content-Security-Policy"]  # the chart pages' policy
    rows = _page_rows(html)
    assert set(rows) == set(expected)
    for code, (held, of, respondents, ticked) in expected.items():
        assert rows[code]["held"] == f"{held} of {of}"
        assert rows[code]["respondents"] == str(respondents)
        if ticked is not None and respondents:
            assert f"({ticked})" in rows[code]["ticked"]

    body = client.get("/reports/topics.csv?from=2024&to=2025")
    assert body.status_code == 200
    assert 'filename="programme-topics-2024-2025.csv"' in body.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(body.get_data(as_text=True)), delimiter=";"))
    by_code = {line[1]: line for line in lines if len(line) == 7 and line[1] in expected}
    for code, (held, of, respondents, ticked) in expected.items():
        hidden = "Too few responses" if respondents else ""
        assert by_code[code][2:6] == [str(held), str(of), str(respondents),
                                      hidden if ticked is None else str(ticked)]
    xlsx = client.get("/reports/topics.xlsx?from=2024&to=2025")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"

    api = client.get("/api/v1/reports/topics?from=2024&to=2025",
                     headers=api_headers(users["directorate"]))
    assert api.status_code == 200
    data = api.get_json()
    jsonschema.validate(data, next(o for o in OPERATIONS if o.operation_id == "topicReport").response)
    assert (data["from"], data["to"], data["county_number"]) == (2024, 2025, None)
    assert {t["code"]: (t["held_at"], data["gatherings"], t["respondents"], t["ticked"])
            for t in data["topics"]} == expected


def test_one_county_through_the_api_and_the_page(db, client, raw, users, api_headers):
    expected = _active_or_held(raw, raw.expected(2024, 2026, {"46"}))
    for user, query in ((users["directorate"], "&county=46"), (users["host46"], ""),
                        (users["host46"], "&county=46")):
        data = client.get(f"/api/v1/reports/topics?from=2024&to=2026{query}",
                          headers=api_headers(user)).get_json()
        assert {t["code"]: (t["held_at"], data["gatherings"], t["respondents"], t["ticked"])
                for t in data["topics"]} == expected


def test_who_may_see_it(db, client, raw, users, api_headers):
    # A county host asking for another county: 404; a counsellor: 403.
    assert client.get("/api/v1/reports/topics?county=11",
                      headers=api_headers(users["host46"])).status_code == 404
    assert client.get("/api/v1/reports/topics?county=99",
                      headers=api_headers(users["directorate"])).status_code == 404
    assert client.get("/api/v1/reports/topics",
                      headers=api_headers(users["counsellor"])).status_code == 403
    assert client.get("/api/v1/reports/topics").status_code == 401
    login(client, users["counsellor"].email)
    assert client.get("/reports/topics").status_code == 403
    client.delete_cookie("session")
    login(client, users["host46"].email)
    assert client.get("/reports/topics?county=11").status_code == 404
    page = client.get("/reports/topics?from=2024&to=2026").get_data(as_text=True)
    assert 'name="county"' not in page  # a host has no county to choose


@pytest.mark.parametrize("query", ["from=2026&to=2024", "from=abc", "year=2025&from=2024",
                                   "from=1800"])
def test_a_bad_period_is_refused(db, client, raw, users, api_headers, query):
    client.set_cookie("lang", "en")
    response = client.get(f"/api/v1/reports/topics?{query}",
                          headers=api_headers(users["directorate"]))
    assert response.status_code == 422
    login(client, users["directorate"].email)
    page = client.get(f"/reports/topics?{query}")
    assert page.status_code == 422
    assert 'role="alert"' in page.get_data(as_text=True)
    assert client.get(f"/reports/topics.csv?{query}").status_code == 422
