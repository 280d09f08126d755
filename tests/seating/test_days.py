"""People are seated only on the days they come (issue 19 §1): each round belongs to the day of
its group-work item, a person's rounds are those of the days they registered for, and once
check-in has started re-planning can follow who came. The end-to-end tests need a solver that
seats people only in their rounds (``rounds`` in the instance)."""

from datetime import date

import pytest
from flask_babel import force_locale

from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.seating import services
from eventapp.seating.services import days as seating_days
from tests.conftest import login
from tests.seating import world as W


@pytest.fixture
def w(db, make_user, make_gathering):
    return W.build(make_user, make_gathering)


def one_day(w, *names_days):
    """Register the named people for one day only: ("M0", 1), ("M1", 2) …"""
    for name, day in names_days:
        reg = w["people"][name]
        reg.day1, reg.day2 = day == 1, day == 2
    db.session.commit()


def people_of(instance) -> dict:
    return {p["id"]: p for p in instance["people"]}


def test_one_day_people_are_seated_only_in_their_days_rounds(w):
    """The defect: in the demo's Trøndelag gathering, people registered for one day were seated
    in both group-work rounds. Round 1 is on day 1 (Gruppearbeid 1), round 2 on day 2."""
    g, p = w["gathering"], w["people"]
    W.setup_plan(w)
    one_day(w, ("M0", 1), ("M1", 2), ("M2", 1))
    rounds = services.rounds(g)

    instance = services.build_instance(g)
    people = people_of(instance)
    assert people[f"r{p['M0'].id}"]["rounds"] == [0]
    assert people[f"r{p['M1'].id}"]["rounds"] == [1]
    assert "rounds" not in people[f"r{p['M3'].id}"]  # both days: every round

    services.plan(g, w["host"])
    db.session.commit()
    seats = W.seat_map(g)
    assert (rounds[0].id, p["M0"].id) in seats and (rounds[1].id, p["M0"].id) not in seats
    assert (rounds[1].id, p["M1"].id) in seats and (rounds[0].id, p["M1"].id) not in seats
    assert (rounds[1].id, p["M2"].id) not in seats
    assert len(seats) == 13 * 2 - 3
    # The plan is whole and up to date: nobody is "unseated" for a day they do not come.
    view = services.current_plan(g)
    assert not view.stale
    places = dict(view.by_person)
    assert [rnd.id for rnd, _t in places[p["M0"]]] == [rounds[0].id]
    assert [rnd.id for rnd, _t in services.seats_for(p["M1"])] == [rounds[1].id]
    assert len(services.person_summary(p["M1"])) == 1


def test_a_round_with_no_programme_item_is_for_everyone(w):
    g, p = w["gathering"], w["people"]
    W.setup_plan(w, rounds=[("mixed", w["gw1"].id), ("mixed", None)])
    one_day(w, ("M0", 2))
    people = people_of(services.build_instance(g))
    assert people[f"r{p['M0'].id}"]["rounds"] == [1]  # not on day 1; the round without a day
    assert services.round_day(g, services.rounds(g)[1]) is None


def test_replanning_after_check_in_follows_who_came(w, monkeypatch):
    g, p, host = w["gathering"], w["people"], w["host"]
    W.setup_plan(w)
    # Day 2 of the gathering: day 1 has begun and ended, day 2 has begun.
    monkeypatch.setattr(seating_days, "today", lambda: date(2027, 3, 11))
    p["M0"].attended_day1 = True  # came on day 1 only
    p["M1"].attended_day1, p["M1"].attended_day2 = True, True
    p["M2"].day1, p["M2"].attended_day2 = False, True  # a walk-in on day 2
    db.session.commit()
    # Not asked: the days registered for.
    people = people_of(services.build_instance(g))
    assert "rounds" not in people[f"r{p['M0'].id}"]
    assert people[f"r{p['M2'].id}"]["rounds"] == [1]

    services.update_more_rules(g, host, follow_attendance=True)
    db.session.commit()
    people = people_of(services.build_instance(g))
    assert people[f"r{p['M0'].id}"]["rounds"] == [0]
    assert "rounds" not in people[f"r{p['M1'].id}"]
    assert people[f"r{p['M2'].id}"]["rounds"] == [1]
    assert people[f"r{p['M3'].id}"]["rounds"] == []  # checked in on neither day: not seated

    # Before check-in starts the switch changes nothing.
    for name in ("M0", "M1", "M2"):
        p[name].attended_day1 = p[name].attended_day2 = None
    db.session.commit()
    assert not services.checkin_started(g)
    people = people_of(services.build_instance(g))
    assert "rounds" not in people[f"r{p['M3'].id}"]


def test_a_pin_or_a_hand_move_in_a_round_the_person_misses_is_refused(w):
    g, p, host = w["gathering"], w["people"], w["host"]
    W.setup_plan(w)
    rounds, tables = services.rounds(g), services.tables(g)
    services.plan(g, host)
    db.session.commit()
    one_day(w, ("M0", 1))
    for call in (lambda: services.add_pin(g, host, registration_id=p["M0"].id,
                                          round_id=rounds[1].id, table_id=tables[0].id),
                 lambda: services.move(g, host, registration_id=p["M0"].id,
                                       round_id=rounds[1].id, table_id=tables[0].id)):
        with pytest.raises(ValidationFailed) as refused, force_locale("en"):
            call()
        assert "round_id" in refused.value.fields
        assert "does not come on day 2" in refused.value.fields["round_id"]
        db.session.rollback()
    assert services.pins(g) == []
    # Round 1 is still fine.
    services.add_pin(g, host, registration_id=p["M0"].id, round_id=rounds[0].id,
                     table_id=tables[0].id)


def test_a_seat_on_a_day_the_person_no_longer_comes_is_not_shown(w, app):
    """Planned while they came both days; then they change to day 1 only: the plan page, the
    printouts and their own page show no seat on day 2, and the plan says it is out of date."""
    g, p, host = w["gathering"], w["people"], w["host"]
    W.setup_plan(w)
    rounds = services.rounds(g)
    services.plan(g, host)
    db.session.commit()
    one_day(w, ("M0", 1))
    assert [rnd.id for rnd, _t in services.seats_for(p["M0"])] == [rounds[0].id]
    view = services.current_plan(g)
    assert p["M0"] in view.stale.absent and view.stale
    assert p["M0"] not in view.stale.unseated
    assert all(p["M0"] not in tv.people for tv in view.rounds[1].tables)
    assert any(p["M0"] in tv.people for tv in view.rounds[0].tables)

    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, host.email)
    for url in (f"/gatherings/{g.id}/seating/plan?view=people",
                f"/gatherings/{g.id}/seating/print/people"):
        html = client.get(url).get_data(as_text=True)
        assert f'data-person="{p["M0"].id}"' in html
    people_page = client.get(f"/gatherings/{g.id}/seating/plan?view=people").get_data(
        as_text=True)
    row = people_page.split(f'<tr data-person="{p["M0"].id}">')[1].split("</tr>")[0]
    assert f'data-round="{rounds[1].id}" data-table=""' in row
