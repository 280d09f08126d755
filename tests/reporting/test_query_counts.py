"""The report pages run a fixed number of SQL statements (issue 20): each page is counted on a
small data set, the data grows (more counties, gatherings, answers, themes, budget lines), and
the page must run exactly as many statements again."""

import random

import pytest
from sqlalchemy import select, update

from eventapp.grants import services as grants
from eventapp.registration.models import Registration
from eventapp.reporting import services as reporting
from eventapp.surveys.models import AGREEMENT, SurveyAnswer, SurveyResponse
from tests.conftest import login
from tests.querycount import statements
from tests.reporting.builders import Builder, Plan
from tests.surveys.conftest import OPEN_DAY, make_world, open_survey, question


@pytest.fixture(autouse=True)
def _now_is_2027(monkeypatch):
    monkeypatch.setattr(reporting.years, "this_year", lambda: 2027)


def counted(client, url: str):
    with statements() as found:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return found


def assert_same(small, large) -> None:
    assert large.n == small.n, f"small data: {small}\n\nlarger data: {large}"


# --- survey data, written straight into the tables (the counts are what is under test) ---------

def answer(db, survey, n: int, rng, prefix: str = "Kommentar") -> None:
    """``n`` released responses, each with a comment, an agreement and some useful items."""
    comments, coop = question(survey, "comments"), question(survey, "cooperation")
    items = question(survey, "useful_items").values
    for i in range(n):
        response = SurveyResponse(survey_id=survey.id, participant_group=rng.choice(
            ["municipal", "county", "partner"]), submitted_on=OPEN_DAY, state="shown")
        db.session.add(response)
        db.session.flush()
        db.session.add_all([
            SurveyAnswer(response_id=response.id, question_id=comments.id,
                         text=f"{prefix} {i} {rng.randint(1, 999)}"),
            SurveyAnswer(response_id=response.id, question_id=coop.id,
                         choice=rng.choice(AGREEMENT)),
            *[SurveyAnswer(response_id=response.id, question_id=question(survey, "useful_items").id,
                           choice=v) for v in rng.sample(items, 2)]])
    db.session.commit()


def tag_all(db, survey, host, names: list[str]) -> None:
    """Themes by ``names`` (those missing made), one to three on every comment."""
    have = {t.name: t for t in reporting.themes(survey)}
    themes = [have.get(n) or reporting.create_theme(survey, host, n) for n in names]
    comments = db.session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.question_id == question(survey, "comments").id)).all()
    for i, a in enumerate(comments):
        for theme in themes[: 1 + i % min(3, len(themes))]:
            if theme not in a.themes:
                a.themes.append(theme)
    db.session.commit()


def survey_in(db, make_user, make_gathering, county: str, n: int, themes: list[str], rng):
    gathering, host = make_world(db, make_user, make_gathering, county)
    survey = open_survey(db, gathering, host)
    answer(db, survey, n, rng)
    tag_all(db, survey, host, themes)
    return gathering, survey, host


def test_national_survey_comparison(client, db, places, make_user, make_gathering):
    rng = random.Random(1)
    for county in ("46", "11"):
        survey_in(db, make_user, make_gathering, county, 6, ["Lokalet"], rng)
    directorate = make_user("directorate", county=None)
    login(client, directorate.email)
    url = "/reports/national/survey?year=2027"
    small = counted(client, url)
    for county, n in (("46", 9), ("42", 7), ("34", 12), ("15", 8), ("50", 6)):
        survey_in(db, make_user, make_gathering, county, n, ["Lokalet", "Mat", "Reise"], rng)
    large = counted(client, url)
    assert_same(small, large)
    # The figures grew with the data, so the same count is not an empty page twice.
    html = client.get(url).text
    assert html.count('data-field="themes"') > 2 and "Reise" in html


def test_survey_results(client, db, places, make_user, make_gathering):
    rng = random.Random(2)
    gathering, survey, host = survey_in(db, make_user, make_gathering, "46", 6, ["Lokalet"],
                                        rng)
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/survey/results"
    small = counted(client, url)
    answer(db, survey, 40, rng, "Mer")
    tag_all(db, survey, host, ["Lokalet", "Mat", "Reise", "Tid"])
    large = counted(client, url)
    assert_same(small, large)
    assert client.get(url).text.count('class="survey-text"') == 46


# --- grant data, built through the services ------------------------------------------------------

def plans(counties: list[str], per_county: int) -> list[Plan]:
    """Gatherings in each county: a report not yet started, one approved (frozen figures), one
    sent back; the grant decided on some, undecided on others."""
    kinds = [dict(report=None, granted=None), dict(report="approved", granted=30_000),
             dict(report="returned", granted=25_000), dict(report="draft", granted=20_000)]
    return [Plan(county, month=1 + i, title=f"Samling {county} {i}", **kinds[i % len(kinds)])
            for county in counties for i in range(per_county)]


def test_national_report(client, db, places, make_user):
    builder = Builder(make_user)
    for plan in plans(["46", "11"], 2):
        builder.add(plan)
    login(client, builder.directorate.email)
    url = "/reports/national?year=2025"
    small = counted(client, url)
    for plan in plans(["42", "34", "15"], 4):
        builder.add(plan)
    large = counted(client, url)
    assert_same(small, large)


def test_national_report_before_the_reports_are_in(client, db, places, make_user):
    """Every gathering's figures live: counted from the registrations."""
    builder = Builder(make_user)
    for county in ("46", "11"):
        builder.add(Plan(county))
    login(client, builder.directorate.email)
    url = "/reports/national?year=2025"
    small = counted(client, url)
    for county in ("42", "34", "15", "50", "18"):
        for month in (4, 9):
            builder.add(Plan(county, month=month, title=f"Samling {county} {month}",
                             granted=40_000, municipal=8))
    large = counted(client, url)
    assert_same(small, large)


def test_county_drill_down(client, db, places, make_user):
    builder = Builder(make_user)
    for plan in plans(["46"], 2):
        builder.add(plan)
    login(client, builder.directorate.email)
    url = "/reports/national/46?year=2025"
    small = counted(client, url)
    for plan in plans(["46"], 8)[2:]:
        builder.add(plan)
    large = counted(client, url)
    assert_same(small, large)


def _travel(db, gathering, host, lines: int, people: slice) -> None:
    """The gathering's registrations in ``people`` ask for travel support, paid from ``lines``
    new travel support lines (one of them left asking)."""
    asking = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed")
        .order_by(Registration.id)).all()[people]
    db.session.execute(update(Registration).where(Registration.id.in_([p.id for p in asking]))
                       .values(travel_support_requested=True))
    db.session.commit()
    made = [grants.add_line(gathering, host, grants.LineData(
        "travel_support", f"Reisestøtte {people.start} {i}", 5_000, 4_000)) for i in range(lines)]
    for i, line in enumerate(made):
        grants.link_travel(line, host, [p.id for p in asking[i::lines]
                                        if p is not asking[-1]])
    db.session.commit()


def test_budget(client, db, places, make_user):
    builder = Builder(make_user)
    gathering = builder.add(Plan("46", year=2027, granted=30_000))
    host = builder.host("46")
    _travel(db, gathering, host, 1, slice(0, 3))
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/budget"
    small = counted(client, url)
    for i in range(8):
        grants.add_line(gathering, host, grants.LineData(
            ["venue", "meals", "speakers"][i % 3], f"Linje {i}", 1_000 * i, 900 * i))
    db.session.commit()
    _travel(db, gathering, host, 3, slice(3, 12))
    large = counted(client, url)
    assert_same(small, large)
    html = client.get(url).text
    assert html.count('class="panel travel-line"') == 4
