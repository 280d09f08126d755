"""The follow-up log's figures in the overview's afterwards phase (issue 16): the items still
open of all raised, and answers not yet mailed; only for those who may see the log, in one
statement however many items there are."""

from datetime import timedelta

from sqlalchemy import event

from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db as _db
from eventapp.followup.models import FollowUpItem
from eventapp.followup.overview import followup_facts
from eventapp.gatherings.overview import overview, providers

TODAY = utcnow().astimezone(OSLO).date()


def _held(make_gathering):
    return make_gathering(start=TODAY - timedelta(days=10), end=TODAY - timedelta(days=9),
                          status="held")


def _items(db, gathering, *statuses, answered=0):
    for i, status in enumerate(statuses):
        db.session.add(FollowUpItem(gathering_id=gathering.id, kind="question",
                                    raised=f"Spørsmål {i}", status=status,
                                    answer="Svar" if i < answered else None))
    db.session.commit()


def _afterwards(app, gathering, viewer):
    with app.test_request_context():
        return next(p for p in overview(gathering, viewer) if p.key == "afterwards")


def test_registered_as_a_provider(app):
    assert followup_facts in providers()


def test_host_sees_open_items_and_unmailed_answers(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = _held(make_gathering)
    _items(db, gathering, "open", "in_progress", "done", answered=1)
    phase = _afterwards(app, gathering, host)
    facts = {f.label: f for f in phase.facts}
    assert facts["Åpne oppfølgingspunkter"].value == "2 av 3"
    assert facts["Åpne oppfølgingspunkter"].tone == "warn"
    assert facts["Svar som ikke er sendt ennå"].value == "1"
    step = next(s for s in phase.steps if s.url == f"/gatherings/{gathering.id}/follow-up")
    assert step.label == "Følg opp de åpne punktene"


def test_nothing_raised_and_a_reader_only_reads(app, db, make_user, make_gathering):
    counsellor = make_user("counsellor", county="46")
    gathering = _held(make_gathering)
    phase = _afterwards(app, gathering, counsellor)
    facts = {f.label: f.value for f in phase.facts}
    assert facts["Åpne oppfølgingspunkter"] == "Ingen meldt inn"
    _items(db, gathering, "open")
    step = next(s for s in _afterwards(app, gathering, counsellor).steps
                if s.url.endswith("/follow-up"))
    assert step.label == "Oppfølgingsloggen"


def test_those_who_may_not_see_the_log_see_nothing(app, db, make_user, make_gathering):
    gathering = _held(make_gathering)
    _items(db, gathering, "open")
    for viewer in (make_user("municipal_contact", county="11", municipality="1103"),
                   make_user("county_host", county="11")):
        with app.test_request_context():
            assert followup_facts(gathering, viewer) == []


def test_a_municipal_contact_reads_the_log_but_not_what_is_unmailed(app, db, make_user,
                                                                    make_gathering):
    # Issue 17: the county's municipal contacts read the log from the gathering's overview;
    # which answers the county has not mailed yet is the county's own business.
    gathering = _held(make_gathering)
    _items(db, gathering, "open", "done", answered=2)
    contact = make_user("municipal_contact", county="46", municipality="4601")
    phase = _afterwards(app, gathering, contact)
    facts = {f.label: f.value for f in phase.facts}
    assert facts == {"Åpne oppfølgingspunkter": "1 av 2"}
    step = next(s for s in phase.steps if s.url == f"/gatherings/{gathering.id}/follow-up")
    assert step.label == "Oppfølgingsloggen"


def test_one_statement_whatever_the_number_of_items(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    few, many = _held(make_gathering), _held(make_gathering)
    _items(db, few, "open")
    _items(db, many, *(["open", "done", "in_progress"] * 10), answered=12)
    n = {"n": 0}

    def tick(*_args):
        n["n"] += 1

    counts = []
    event.listen(_db.engine, "before_cursor_execute", tick)
    try:
        for gathering in (few, many):
            n["n"] = 0
            with app.test_request_context():
                _db.session.expire_all()
                followup_facts(gathering, host)
            counts.append(n["n"])
    finally:
        event.remove(_db.engine, "before_cursor_execute", tick)
    # One of its own; the rest is the gathering and the viewer read again after expire_all.
    assert counts[0] == counts[1] <= 4
