"""Fixtures for the survey: a held gathering in Vestland with a programme, its people, and
helpers that invite, answer and open."""

from datetime import UTC, date, datetime

import pytest

from eventapp.gatherings.models import ProgrammeItem
from eventapp.surveys import services
from tests.grants.conftest import add_person, api_headers, vestland_units  # noqa: F401

OPEN_DAY = date(2027, 3, 11)


def add_items(db, gathering, kinds=("talk", "panel", "break", "experience_sharing",
                                     "group_work")) -> list[ProgrammeItem]:
    items = []
    for i, kind in enumerate(kinds):
        start = datetime(gathering.start_date.year, gathering.start_date.month,
                         gathering.start_date.day, 8 + i, tzinfo=UTC)
        item = ProgrammeItem(gathering_id=gathering.id, kind=kind, title=f"Post {i + 1}: {kind}",
                             starts_at=start, ends_at=start.replace(minute=45))
        db.session.add(item)
        items.append(item)
    db.session.commit()
    db.session.refresh(gathering)
    return items


def make_world(db, make_user, make_gathering, county="46", host_email=None):
    gathering = make_gathering(county=county, title=f"Samling {county}", start=date(2027, 3, 10),
                               end=date(2027, 3, 11))
    gathering.status = "held"
    db.session.commit()
    add_items(db, gathering)
    host = make_user("county_host", county=county, email=host_email)
    return gathering, host


@pytest.fixture
def world(db, places, make_user, make_gathering):
    gathering, host = make_world(db, make_user, make_gathering, "46", "vert@vestland.example")
    return {
        "gathering": gathering,
        "host": host,
        "counsellor": make_user("counsellor", county="46", email="veileder@vestland.example"),
        "contact": make_user("municipal_contact", county="46", municipality="4601",
                             email="kontakt@bergen.example"),
        "outsider": make_user("county_host", county="11", email="vert@rogaland.example"),
        "directorate": make_user("directorate", county=None, email="hkdir@example.no"),
    }


def open_survey(db, gathering, host, *, on=OPEN_DAY, closes_on=date(2027, 3, 31)):
    survey = services.survey_for(gathering, host)
    services.open_survey(survey, host, on=on, closes_on=closes_on)
    db.session.commit()
    return survey


def question(survey, code):
    return next(q for q in survey.questions if q.code == code)


def submit(db, token, answers, group=None, on=OPEN_DAY):
    response, created = services.submit(token, answers, group, on=on)
    db.session.commit()
    return response, created


def random_answers(rng, survey, texts) -> dict:
    """One respondent's answers by question id, about one question in seven left out; free
    texts drawn from ``texts`` with a number added, so they differ."""
    from eventapp.surveys.models import AGREEMENT

    answers = {}
    for q in survey.questions:
        if rng.random() < 0.15:
            continue
        if q.kind == "agreement":
            answers[q.id] = rng.choice(AGREEMENT)
        elif q.kind == "single":
            answers[q.id] = rng.choice(q.values)
        elif q.kind in ("multiple", "programme_items"):
            answers[q.id] = rng.sample(q.values, rng.randint(1, len(q.values)))
        else:
            answers[q.id] = f"{rng.choice(texts)} {rng.randint(1, 999)}"
    return answers
