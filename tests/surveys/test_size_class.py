"""SurveyResponse.size_class: set at submission from the respondent's municipality's class in
the gathering's year, for personal links only; NULL for QR answers, for county staff and
partners, and for a municipality without figures. Figures made up for the test."""

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventapp.places.services import facts_import
from eventapp.surveys import services
from eventapp.surveys.models import SurveyResponse
from tests.surveys.conftest import add_person, open_survey, submit

BERGEN, VOSS, SOLUND = "4601", "4621", "4636"


def _agreement(survey):
    return next(q for q in survey.questions if q.kind == "agreement")


@pytest.fixture
def people(db, places, world):
    director = world["directorate"]
    # 2027 is the gathering's year: Bergen large, Voss medium (Solund has no line). 2026 says
    # otherwise and must not be read.
    facts_import.import_facts(director, 2027, "tall.csv",
                              f"kommunenummer;bosatt\n{BERGEN};655\n{VOSS};30\n".encode())
    facts_import.import_facts(director, 2026, "tall.csv",
                              f"kommunenummer;bosatt\n{BERGEN};1\n{SOLUND};500\n".encode())
    db.session.commit()
    g = world["gathering"]
    return {
        "bergen": add_person(db, g, unit=places.unit(BERGEN)),
        "voss": add_person(db, g, unit=places.unit(VOSS)),
        "solund": add_person(db, g, unit=places.unit(SOLUND)),
        "county": add_person(db, g, kind="county", role="county_staff"),
        "partner": add_person(db, g, kind="partner", role="partner"),
    }


def test_size_class_comes_from_the_respondents_municipality_in_the_gatherings_year(
        db, world, people):
    survey = open_survey(db, world["gathering"], world["host"])
    tokens = services.invite(survey, world["host"])
    db.session.commit()
    coop = _agreement(survey)
    got = {}
    for who, person in people.items():
        response, created = submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
        assert created
        got[who] = response.size_class
    assert got == {"bergen": "large", "voss": "medium", "solund": None, "county": None,
                   "partner": None}
    # The QR code says nothing of the municipality, even when the group is municipal.
    qr, _created = submit(db, survey.qr_token, {str(coop.id): "delvis_enig"}, group="municipal")
    assert qr.size_class is None and qr.participant_group == "municipal"
    assert Counter(db.session.scalars(select(SurveyResponse.size_class))) == \
        Counter({"large": 1, "medium": 1, None: 4})


def test_an_edit_keeps_the_class(db, world, people):
    survey = open_survey(db, world["gathering"], world["host"])
    tokens = services.invite(survey, world["host"])
    db.session.commit()
    coop = _agreement(survey)
    for person in people.values():
        submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
    # Five responses: released (shown). Bergen's edit waits as a new response with its class.
    edited, created = submit(db, tokens[people["bergen"].id], {str(coop.id): "helt_uenig"})
    assert not created and edited.state == "pending" and edited.size_class == "large"


def test_the_database_refuses_an_unknown_class(db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    db.session.add(SurveyResponse(survey_id=survey.id, submitted_on=survey.opens_on,
                                  size_class="Bergen"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
