"""The survey's figures in the overview's afterwards phase (issue 16): the survey's state, the
responses shown so far and the response rate; only for those who may see the survey, in a
fixed number of statements."""

from datetime import timedelta

from sqlalchemy import event

from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db as _db
from eventapp.gatherings.overview import overview, providers
from eventapp.surveys.models import Survey, SurveyInvitation, SurveyResponse
from eventapp.surveys.overview import survey_facts

TODAY = utcnow().astimezone(OSLO).date()


def _held(make_gathering):
    return make_gathering(start=TODAY - timedelta(days=10), end=TODAY - timedelta(days=9),
                          status="held")


def _survey(db, gathering, *, invited: int, shown: int, personal: int):
    survey = Survey(gathering_id=gathering.id, status="open", shown_personal=personal)
    db.session.add(survey)
    db.session.flush()
    for i in range(invited):
        db.session.add(SurveyInvitation(survey_id=survey.id, token_hash=f"{gathering.id:04d}{i:060d}",
                                        answered=i < personal))
    for i in range(shown + 2):  # two still pending: not counted until released
        db.session.add(SurveyResponse(survey_id=survey.id, submitted_on=TODAY,
                                      state="shown" if i < shown else "pending"))
    db.session.commit()
    return survey


def _afterwards(app, gathering, viewer):
    with app.test_request_context():
        return next(p for p in overview(gathering, viewer) if p.key == "afterwards")


def _facts(phase):
    return {f.label: f.value for f in phase.facts}


def test_registered_as_a_provider(app):
    assert survey_facts in providers()


def test_host_sees_responses_and_the_response_rate(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = _held(make_gathering)
    _survey(db, gathering, invited=20, shown=10, personal=8)
    phase = _afterwards(app, gathering, host)
    facts = _facts(phase)
    assert facts["Spørreundersøkelse"] == "Åpen for svar"
    assert facts["Svar på spørreundersøkelsen"] == "10"
    assert facts["Svarprosent"].startswith("40") and "av 20 invitert" in facts["Svarprosent"]
    rate = next(f for f in phase.facts if f.label == "Svarprosent")
    assert (rate.count, rate.total, rate.tone) == (8, 20, "warn")
    assert f"/gatherings/{gathering.id}/survey/results" in [s.url for s in phase.steps]


def test_without_a_survey_the_host_is_asked_to_set_it_up(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    counsellor = make_user("counsellor", county="46")
    gathering = _held(make_gathering)
    phase = _afterwards(app, gathering, host)
    assert _facts(phase)["Spørreundersøkelse"] == "Ikke satt opp"
    assert "Sett opp spørreundersøkelsen" in [s.label for s in phase.steps]
    # A counsellor reads the survey but does not set it up.
    assert "Sett opp spørreundersøkelsen" not in [s.label for s in
                                                   _afterwards(app, gathering, counsellor).steps]


def test_those_who_may_not_see_the_survey_see_no_figures(app, db, make_user, make_gathering):
    gathering = _held(make_gathering)
    _survey(db, gathering, invited=5, shown=5, personal=5)
    contact = make_user("municipal_contact", county="46", municipality="4601")
    other_host = make_user("county_host", county="11")
    for viewer in (contact, other_host):
        with app.test_request_context():
            assert survey_facts(gathering, viewer) == []


def test_statements_do_not_grow_with_responses(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    few, many = _held(make_gathering), _held(make_gathering)
    _survey(db, few, invited=1, shown=1, personal=1)
    _survey(db, many, invited=40, shown=30, personal=25)

    def count(gathering):
        n = {"n": 0}

        def tick(*_args):
            n["n"] += 1

        event.listen(_db.engine, "before_cursor_execute", tick)
        try:
            with app.test_request_context():
                _db.session.expire_all()
                survey_facts(gathering, host)
        finally:
            event.remove(_db.engine, "before_cursor_execute", tick)
        return n["n"]

    # Three of its own; the rest is the gathering and the viewer read again after expire_all.
    assert count(few) == count(many) <= 6
