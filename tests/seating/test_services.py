"""The seating services on the database: the solver's instance built from registrations, the
stored plan (exactly the solver's), pins and keep-apart pairs, infeasible rules named, hand
moves and what they break, re-planning after late changes, the per-person list and calendar,
and who may change what."""

import json
from datetime import date

import icalendar
import pytest
from flask_babel import force_locale

from eventapp.core import policy
from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.registration import services as registration_services
from eventapp.seating import calendar as seating_calendar
from eventapp.seating import services, solver
from eventapp.seating.models import SeatingSettings
from tests.seating import world as W


@pytest.fixture(autouse=True)
def english(app):
    """English, so the assertions read the same before and after the Bokmål catalogue."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def w(db, make_user, make_gathering):
    return W.build(make_user, make_gathering)


@pytest.fixture
def planned(db, w):
    W.setup_plan(w)
    services.plan(w["gathering"], w["host"])
    db.session.commit()
    return w


def _table_of(view, round_index, registration):
    return next(tv.table for tv in view.rounds[round_index].tables if registration in tv.people)


def _table_view(view, round_index, table):
    return next(tv for tv in view.rounds[round_index].tables if tv.table.id == table.id)


# --- the instance ------------------------------------------------------------------------------

def test_instance_from_registrations(db, w):
    g, host, p, u = w["gathering"], w["host"], w["people"], w["units"]
    W.setup_plan(w)
    services.update_settings(g, host, min_counsellors_per_table=1, max_county_staff_per_table=2,
                             max_per_organisation=1, seed=7, time_limit_s=5)
    services.add_apart(g, host, first_id=p["M1"].id, second_id=p["M0"].id)
    rounds, tables = services.rounds(g), services.tables(g)
    services.add_pin(g, host, registration_id=p["Siv"].id, round_id=rounds[1].id,
                     table_id=tables[2].id)
    db.session.commit()

    instance = services.build_instance(g)

    kari, ola = f"u{w['kari_user'].id}", f"u{w['ola_user'].id}"
    people = {x["id"]: x for x in instance["people"]}
    rid = {name: f"r{reg.id}" for name, reg in p.items()}
    # Only the confirmed: not the waitlisted, not the cancelled.
    assert set(people) == {rid[n] for n in p if n not in ("waiting", "gone")}
    assert people[rid["Kari"]] == {"id": rid["Kari"], "role": "career_counsellor",
                                   "organisation": "46", "region": kari}
    assert people[rid["Ola"]]["region"] == ola  # matched to the user by email
    assert people[rid["Siv"]] == {"id": rid["Siv"], "role": "career_counsellor",
                                  "organisation": "46", "region": None}  # no user: no region
    assert people[rid["Tor"]] == {"id": rid["Tor"], "role": "county_staff", "organisation": "46",
                                  "region": None}
    # A partner written in by name (no partner picked from the county's list): the kind is
    # guessed from the name.
    assert people[rid["Nav"]] == {"id": rid["Nav"], "role": "partner",
                                  "organisation": "NAV Vestland", "region": None,
                                  "partner_kind": "nav"}
    # Municipal staff carry their municipality's size class (none: no facts for the year).
    for i in range(8):
        assert people[rid[f"M{i}"]] == {
            "id": rid[f"M{i}"], "role": "leader" if i % 2 else "programme_adviser",
            "organisation": u[i].number, "region": kari if i < 4 else ola, "size_class": None}
    assert instance["tables"] == [{"id": f"t{t.id}", "seats": 5} for t in tables]
    assert instance["rounds"] == [{"mode": "mixed"}, {"mode": "mixed"}]
    assert instance["rules"] == {
        "min_counsellors_per_table": 1, "max_county_staff_per_table": 2,
        "max_per_organisation": 1,
        "apart": [sorted([rid["M0"], rid["M1"]], key=lambda s: int(s[1:]))],
        "pinned": [{"person": rid["Siv"], "round": 1, "table": f"t{tables[2].id}"}],
        # New settings spread NAV and adult education.
        "spread_partner_kinds": ["nav", "adult_education"]}
    assert instance["seed"] == 7 and instance["time_limit_s"] == 5
    assert "previous" not in instance


def test_instance_leaves_out_pins_and_pairs_of_people_no_longer_confirmed(db, w):
    g, host, p = w["gathering"], w["host"], w["people"]
    W.setup_plan(w)
    services.add_apart(g, host, first_id=p["M0"].id, second_id=p["M2"].id)
    services.add_pin(g, host, registration_id=p["M2"].id, round_id=services.rounds(g)[0].id,
                     table_id=services.tables(g)[0].id)
    registration_services.cancel(p["M2"])
    db.session.commit()
    instance = services.build_instance(g)
    assert instance["rules"]["apart"] == [] and instance["rules"]["pinned"] == []
    assert f"r{p['M2'].id}" not in {x["id"] for x in instance["people"]}
    solver.solve(instance)  # the solver takes it as it is


def test_oslo_districts_are_their_own_organisation_and_served_through_oslo(
        db, make_user, make_gathering):
    g = make_gathering(county="03", title="Oslosamlinga")
    whole_city = make_user("counsellor", county="03", email="by@oslo.example",
                           municipalities=["0301"])
    own = make_user("counsellor", county="03", email="bydel@oslo.example",
                    municipalities=["030102"])
    gamle = W.person(g, "Gamle Oslo-deltaker", kind="district", where=W.unit("030101"))
    gruner = W.person(g, "Grünerløkka-deltaker", kind="district", where=W.unit("030102"))
    people = {x["id"]: x for x in services.build_instance(g)["people"]}
    assert people[f"r{gamle.id}"]["organisation"] == "030101"
    assert people[f"r{gamle.id}"]["region"] == f"u{whole_city.id}"
    assert people[f"r{gruner.id}"]["organisation"] == "030102"
    assert people[f"r{gruner.id}"]["region"] == f"u{own.id}"  # the district's own counsellor


# --- planning ----------------------------------------------------------------------------------

def test_plan_stores_exactly_the_solvers_plan(db, w, monkeypatch):
    g, host = w["gathering"], w["host"]
    W.setup_plan(w)
    seen = {}
    real = solver.solve

    def spy(instance):
        seen["instance"] = instance
        seen["result"] = real(instance)
        return seen["result"]

    monkeypatch.setattr(services.solver, "solve", spy)
    view = services.plan(g, host)
    db.session.commit()
    result = seen["result"]

    # Every confirmed person once per round, and exactly where the solver put them.
    rounds, tables = services.rounds(g), services.tables(g)
    confirmed = {r.id for r in services.people(g)}
    assert len(confirmed) == 13
    stored = W.seat_map(g)
    assert len(stored) == 13 * 2
    for rnd, rplan in zip(rounds, result["rounds"], strict=True):
        assert {reg for (r, reg) in stored if r == rnd.id} == confirmed
        for tid, members in rplan["tables"].items():
            for pid in members:
                assert stored[(rnd.id, int(pid[1:]))] == int(tid[1:])
    # The plan the page shows is the solver's, table by table and person by person.
    again = services.current_plan(g)
    for plan_view in (view, again):
        for rv, rplan in zip(plan_view.rounds, result["rounds"], strict=True):
            assert [tv.table for tv in rv.tables] == tables
            shown = {f"t{tv.table.id}": sorted(f"r{x.id}" for x in tv.people) for tv in rv.tables}
            assert shown == {t: sorted(m) for t, m in rplan["tables"].items()}
        assert plan_view.metrics == result["metrics"]
        # Only notes (a soft spread met as far as the counts allow, count 0) besides nothing.
        assert all(v.get("soft") and v["count"] == 0 for v in result["violations"])
        assert plan_view.violations == []
        assert not plan_view.problems and not plan_view.infeasible and not plan_view.stale
        by_person = dict(plan_view.by_person)
        for reg in services.people(g):
            assert [r for r, _t in by_person[reg]] == rounds
    assert again.metrics["hard_violations"] == 0
    saved = json.loads(db.session.get(SeatingSettings, g.id).plan_report)
    assert saved["metrics"] == result["metrics"] and saved["infeasible"] == []
    assert db.session.get(SeatingSettings, g.id).planned_at is not None
    # The rules as set: a counsellor at every table, at most 2 county staff, one per municipality.
    counsellors = {w["people"][n].id for n in ("Kari", "Ola", "Siv")}
    county = counsellors | {w["people"]["Tor"].id}
    for rv in again.rounds:
        for tv in rv.tables:
            ids = [x.id for x in tv.people]
            assert len(ids) <= 5
            assert len(set(ids) & counsellors) >= 1 and len(set(ids) & county) <= 2
            orgs = [services.organisation_key(x) for x in tv.people if x.id not in county]
            assert len(orgs) == len(set(orgs))


def test_plan_is_refused_without_tables_rounds_or_people(db, w, make_gathering):
    g, host = w["gathering"], w["host"]
    with pytest.raises(Conflict, match="Set up the tables first"):
        services.plan(g, host)
    services.set_tables(g, host, count=3, seats=5)
    with pytest.raises(Conflict, match="Set up the rounds of group work first"):
        services.plan(g, host)
    empty = make_gathering(title="Tom samling")
    services.set_tables(empty, host, count=2, seats=4)
    services.set_rounds(empty, host, [("mixed", None)])
    with pytest.raises(Conflict, match="Nobody to seat yet"):
        services.plan(empty, host)
    assert W.seat_count(g) == 0 and W.seat_count(empty) == 0
    assert services.current_plan(g) is None


def test_pins_and_pairs_kept_apart_are_honoured(db, w):
    g, host, p = w["gathering"], w["host"], w["people"]
    W.setup_plan(w)
    rounds, tables = services.rounds(g), services.tables(g)
    services.add_pin(g, host, registration_id=p["M3"].id, round_id=rounds[1].id,
                     table_id=tables[2].id)
    services.add_pin(g, host, registration_id=p["Siv"].id, round_id=rounds[0].id,
                     table_id=tables[0].id)
    # Kept apart: two municipalities, and two of the counsellors.
    services.add_apart(g, host, first_id=p["M0"].id, second_id=p["M1"].id)
    services.add_apart(g, host, first_id=p["Kari"].id, second_id=p["Nav"].id)
    view = services.plan(g, host)
    db.session.commit()
    seats = W.seat_map(g)
    assert seats[(rounds[1].id, p["M3"].id)] == tables[2].id
    assert seats[(rounds[0].id, p["Siv"].id)] == tables[0].id
    for rnd in rounds:
        assert seats[(rnd.id, p["M0"].id)] != seats[(rnd.id, p["M1"].id)]
        assert seats[(rnd.id, p["Kari"].id)] != seats[(rnd.id, p["Nav"].id)]
    assert view.metrics["hard_violations"] == 0 and not view.problems


def test_too_few_counsellors_is_reported_with_the_rule_named(db, w):
    g, host, p = w["gathering"], w["host"], w["people"]
    registration_services.cancel(p["Siv"])  # two counsellors left for three tables
    W.setup_plan(w)
    view = services.plan(g, host)
    db.session.commit()
    assert view.infeasible == ["Every table should have a career counsellor, but 2 career "
                               "counsellors cannot cover the tables (3 needed)."]
    assert [i["rule"] for i in view.infeasible_raw] == ["min_counsellors_per_table"]
    # The best plan still seats everyone and lists each table left without a counsellor.
    assert W.seat_count(g) == 12 * 2
    by_rule = view.metrics["hard_violations_by_rule"]
    assert by_rule["min_counsellors_per_table"] == 2 and view.metrics["hard_violations"] == 2
    texts = [x.text for x in view.problems]
    assert len(texts) == 2
    for number, rv in enumerate(view.rounds, start=1):
        bare = [tv.table.name for tv in rv.tables
                if not any(x.role == "career_counsellor" for x in tv.people)]
        assert len(bare) == 1
        assert f"{bare[0]} has no career counsellor in round {number}" in texts
    # The stored plan says the same when read again.
    again = services.current_plan(g)
    assert again.infeasible == view.infeasible and [x.text for x in again.problems] == texts


# --- moving by hand ----------------------------------------------------------------------------

def test_moving_a_counsellor_away_shows_the_table_left_without_one(db, planned):
    g, p = planned["gathering"], planned["people"]
    view = services.current_plan(g)
    before_seats, before_report = W.seat_rows(g), W.report(g)
    kari_table = _table_of(view, 0, p["Kari"])
    tor = p["Tor"]
    target = next(tv for tv in view.rounds[0].tables
                  if tv.table != kari_table and len(tv.people) < 5 and tor not in tv.people)
    rnd = view.rounds[0].round

    preview = services.preview_move(g, registration_id=p["Kari"].id, round_id=rnd.id,
                                    table_id=target.table.id)

    assert [x.text for x in preview.new_problems] == [
        f"{kari_table.name} has no career counsellor in round 1"]
    assert preview.preview and preview.move.from_table == kari_table
    assert preview.move.to_table == target.table and preview.move.registration == p["Kari"]
    assert p["Kari"] in _table_view(preview, 0, target.table).people
    assert preview.metrics["hard_violations"] == 1
    # Nothing saved.
    assert not db.session.dirty and not db.session.new
    db.session.commit()
    assert W.seat_rows(g) == before_seats and W.report(g) == before_report


def test_moving_one_of_a_pair_kept_apart_next_to_the_other(db, w):
    g, host, p = w["gathering"], w["host"], w["people"]
    W.setup_plan(w)
    services.add_apart(g, host, first_id=p["M2"].id, second_id=p["M5"].id)
    services.plan(g, host)
    db.session.commit()
    view = services.current_plan(g)
    there = _table_of(view, 1, p["M2"])
    full = len(_table_view(view, 1, there).people) == 5

    preview = services.preview_move(g, registration_id=p["M5"].id,
                                    round_id=view.rounds[1].round.id, table_id=there.id)

    first, second = sorted((p["M2"].name, p["M5"].name))
    expected = {f"{first} and {second} should not sit together ({there.name}, round 2)"}
    if full:
        expected.add(f"{there.name} has 6 people at 5 seats in round 2")
    assert {x.text for x in preview.new_problems} == expected
    apart = next(x for x in preview.new_problems if x.rule == "apart")
    assert set(apart.people) == {p["M2"], p["M5"]} and apart.table == there
    assert W.seat_count(g) == 26 and services.current_plan(g).problems == []


def test_moving_into_a_full_table_is_allowed_and_shows_the_capacity(db, planned):
    g, host, p = planned["gathering"], planned["host"], planned["people"]
    view = services.current_plan(g)
    full = next(tv for tv in view.rounds[0].tables if len(tv.people) == 5)
    mover = next(x for x in (p[f"M{i}"] for i in range(8)) if x not in full.people)
    rnd = view.rounds[0].round

    moved = services.move(g, host, registration_id=mover.id, round_id=rnd.id,
                          table_id=full.table.id)
    db.session.commit()

    text = f"{full.table.name} has 6 people at 5 seats in round 1"
    assert [x.text for x in moved.new_problems] == [text]
    assert not moved.preview and (mover.id, rnd.id) in moved.moved_by_hand
    seat = next(s for s in services._seats(g) if s.round_id == rnd.id
                and s.registration_id == mover.id)
    assert seat.table_id == full.table.id and seat.moved_by_hand
    # The stored report now lists the break.
    again = services.current_plan(g)
    assert [x.text for x in again.problems] == [text] and not again.stale
    assert again.metrics["hard_violations_by_rule"]["capacity"] == 1
    assert json.loads(W.report(g))["metrics"]["hard_violations"] == 1
    assert len(_table_view(again, 0, full.table).people) == 6


def test_move_saves_only_the_one_seat(db, planned):
    g, host, p = planned["gathering"], planned["host"], planned["people"]
    view = services.current_plan(g)
    before = W.seat_map(g)
    rnd = view.rounds[1].round
    mover = p["Nav"]
    target = next(tv.table for tv in view.rounds[1].tables
                  if tv.table.id != before[(rnd.id, mover.id)])
    services.move(g, host, registration_id=mover.id, round_id=rnd.id, table_id=target.id)
    db.session.commit()
    after = W.seat_map(g)
    assert {k for k in after if after[k] != before[k]} == {(rnd.id, mover.id)}
    assert after[(rnd.id, mover.id)] == target.id


def test_move_refuses_bad_input_and_changes_nothing(db, planned, make_gathering):
    g, host, p = planned["gathering"], planned["host"], planned["people"]
    other = make_gathering(title="Annen samling")
    foreign = W.person(other, "Fremmed", where=planned["units"][0])
    rnd, table = services.rounds(g)[0], services.tables(g)[0]
    before = W.seat_rows(g)
    for kwargs, where in (
            ({"registration_id": p["waiting"].id}, "registration_id"),
            ({"registration_id": foreign.id}, "registration_id"),
            ({"round_id": 999_999}, "round_id"),
            ({"table_id": 999_999}, "table_id")):
        args = {"registration_id": p["M0"].id, "round_id": rnd.id, "table_id": table.id, **kwargs}
        with pytest.raises(ValidationFailed) as refused:
            services.move(g, host, **args)
        assert where in refused.value.fields
        with pytest.raises(ValidationFailed):
            services.preview_move(g, **args)
    with pytest.raises(Forbidden):
        services.move(g, planned["counsellor"], registration_id=p["M0"].id, round_id=rnd.id,
                      table_id=table.id)
    db.session.rollback()
    assert W.seat_rows(g) == before


def test_move_without_a_plan_is_refused(db, w):
    W.setup_plan(w)
    g, p = w["gathering"], w["people"]
    with pytest.raises(Conflict, match="no table plan yet"):
        services.preview_move(g, registration_id=p["M0"].id,
                              round_id=services.rounds(g)[0].id,
                              table_id=services.tables(g)[0].id)


# --- late changes and re-planning --------------------------------------------------------------

def test_replan_after_a_cancellation_and_a_walk_in_moves_few(db, planned):
    g, host, p = planned["gathering"], planned["host"], planned["people"]
    before = W.seat_map(g)
    registration_services.cancel(p["M3"])
    walk_in = W.person(g, "Walk Inn", where=planned["units"][9], role="leader")
    db.session.commit()

    stale = services.current_plan(g)
    assert stale.stale and stale.stale.dropped == [p["M3"]] and stale.stale.unseated == [walk_in]
    assert stale.stale.count == 2 and stale.stale.names == [p["M3"].name, "Walk Inn"]
    assert p["M3"] not in [x for x, _places in stale.by_person]
    # The stale plan is still scored, for the people who have seats.
    assert stale.metrics["hard_violations"] == 0

    view = services.plan(g, host, replan=True)
    db.session.commit()
    after = W.seat_map(g)
    rounds = services.rounds(g)
    assert not view.stale and view.metrics["hard_violations"] == 0
    assert all((r.id, p["M3"].id) not in after for r in rounds)
    assert all((r.id, walk_in.id) in after for r in rounds)
    stayed = [k for k in before if k[1] != p["M3"].id]
    moved = [k for k in stayed if after[k] != before[k]]
    # Nobody else needs to move: the walk-in can take the freed seat in every round.
    assert len(moved) <= 1
    assert view.metrics["moved"] == len(moved)


def test_a_fresh_plan_after_changes_is_not_bound_to_the_old(db, planned):
    g, host = planned["gathering"], planned["host"]
    instance = services.build_instance(g, previous=True)
    assert len(instance["previous"]["rounds"]) == 2
    seated = sorted(pid for t in instance["previous"]["rounds"][0]["tables"].values()
                    for pid in t)
    assert seated == sorted(x["id"] for x in instance["people"])
    view = services.plan(g, host, replan=False)
    assert view.metrics.get("moved") == 0 and W.seat_count(g) == 26


def test_changed_rules_and_tables_mark_the_plan(db, planned):
    g, host = planned["gathering"], planned["host"]
    services.update_settings(g, host, min_counsellors_per_table=2, max_county_staff_per_table=2,
                             max_per_organisation=1, seed=0, time_limit_s=10)
    db.session.commit()
    view = services.current_plan(g)
    assert view.stale.changed and not view.stale.unseated
    # Scored against the new rule: no table has two counsellors.
    assert view.metrics["hard_violations_by_rule"]["min_counsellors_per_table"] == 2 * 3
    assert sorted(x.text for x in view.problems) == sorted(
        f"{t.name} has 1 career counsellor in round {n}, 2 needed"
        for n in (1, 2) for t in services.tables(g))
    assert view.infeasible == ["Every table should have a career counsellor, but 3 career "
                               "counsellors cannot cover the tables (6 needed)."]
    services.set_tables(g, host, count=2, seats=8)
    db.session.commit()
    shrunk = services.current_plan(g)
    # The people at the removed table have lost their seats there.
    assert shrunk.stale.unseated and all(len(rv.tables) == 2 for rv in shrunk.rounds)


def test_an_unchanged_plan_shows_the_solvers_report_without_scoring_it_again(
        db, planned, monkeypatch):
    # Issue 20: the plan page reads the plan on every view; scoring it again when nothing
    # changed would only recompute the report already stored.
    g = planned["gathering"]
    saved = json.loads(services.settings_for(g).plan_report)

    def scored(*args, **kwargs):
        raise AssertionError("the unchanged plan was scored again")

    monkeypatch.setattr(solver, "evaluate", scored)
    view = services.current_plan(g)
    assert not view.stale and view.metrics == saved["metrics"]
    assert view.infeasible_raw == saved["infeasible"]


# --- tables, rounds, pins, pairs, settings -----------------------------------------------------

def test_set_tables_keeps_names_and_removes_extra_tables_with_their_seats(db, planned):
    g, host = planned["gathering"], planned["host"]
    first = services.tables(g)
    assert [t.name for t in first] == ["Table 1", "Table 2", "Table 3"]
    services.update_table(first[0], host, name="  Fjorden ", seats=6)
    db.session.commit()
    assert first[0].name == "Fjorden" and first[0].seats == 6
    made = services.set_tables(g, host, count=4, seats=4)
    assert [t.name for t in made] == ["Fjorden", "Table 2", "Table 3", "Table 4"]
    assert {t.seats for t in made} == {4} and made[0].id == first[0].id
    third = made[2]
    services.set_tables(g, host, count=2, seats=4)
    db.session.commit()
    assert [t.name for t in services.tables(g)] == ["Fjorden", "Table 2"]
    assert all(s.table_id != third.id for s in services._seats(g))
    named = services.set_tables(g, host, count=3, seats=5, names=["Table 2", "A", "B"])
    assert [t.name for t in named] == ["Table 2", "A", "B"]  # names may swap


def test_new_tables_skip_names_already_taken(db, w):
    g, host = w["gathering"], w["host"]
    services.set_tables(g, host, count=1, seats=5, names=["Table 2"])
    assert [t.name for t in services.set_tables(g, host, count=3, seats=5)] == [
        "Table 2", "Table 3", "Table 4"]


@pytest.mark.parametrize("kwargs,fields", [
    ({"count": 0, "seats": 5}, {"count"}),
    ({"count": 101, "seats": 5}, {"count"}),
    ({"count": 3, "seats": 0}, {"seats"}),
    ({"count": 3, "seats": 31}, {"seats"}),
    ({"count": "3", "seats": True}, {"count", "seats"}),
    ({"count": 2, "seats": 5, "names": ["A"]}, {"names"}),
    ({"count": 2, "seats": 5, "names": ["A", " a "]}, {"names"}),
    ({"count": 2, "seats": 5, "names": ["A", "  "]}, {"names"}),
    ({"count": 1, "seats": 5, "names": ["x" * 41]}, {"names"}),
])
def test_bad_tables_are_refused_and_change_nothing(db, planned, kwargs, fields):
    g, host = planned["gathering"], planned["host"]
    before = [(t.id, t.name, t.seats) for t in services.tables(g)]
    with pytest.raises(ValidationFailed) as refused:
        services.set_tables(g, host, **kwargs)
    assert set(refused.value.fields) == fields
    db.session.rollback()
    assert [(t.id, t.name, t.seats) for t in services.tables(g)] == before


def test_update_table_refuses_a_name_taken_and_bad_seats(db, planned):
    g, host = planned["gathering"], planned["host"]
    first, second, _third = services.tables(g)
    with pytest.raises(ValidationFailed) as refused:
        services.update_table(second, host, name="table 1", seats=5)
    assert refused.value.fields == {"name": "Another table already has this name."}
    with pytest.raises(ValidationFailed) as refused:
        services.update_table(second, host, name="B", seats=40)
    assert set(refused.value.fields) == {"seats"}
    with pytest.raises(Forbidden):
        services.update_table(second, planned["counsellor"], name="B", seats=5)


def test_rounds_from_the_programme_and_by_hand(db, w):
    g, host = w["gathering"], w["host"]
    assert services.group_work_items(g) == [w["gw1"], w["gw2"]]  # not the removed one
    made = services.rounds_from_programme(g, host)
    assert [(r.mode, r.programme_item_id, r.position) for r in made] == [
        ("mixed", w["gw1"].id, 0), ("mixed", w["gw2"].id, 1)]
    services.set_rounds(g, host, [("regional", w["gw1"].id), ("mixed", w["gw2"].id),
                                  ("mixed", None)])
    again = services.rounds_from_programme(g, host)
    assert [(r.mode, r.programme_item_id) for r in again] == [
        ("regional", w["gw1"].id), ("mixed", w["gw2"].id)]
    assert [r.id for r in again] == [r.id for r in made]  # kept by position


@pytest.mark.parametrize("rounds,field", [
    ([("circle", None)], "rounds.0.mode"),
    ([("mixed", None), ("mixed", -1)], "rounds.1.programme_item_id"),
    ([("mixed", "talk")], "rounds.0.programme_item_id"),
    ([("mixed", "gw1"), ("regional", "gw1")], "rounds.1.programme_item_id"),
    ([("mixed", "gw_removed")], "rounds.0.programme_item_id"),
    ([("mixed",)], "rounds.0"),
    ([("mixed", None)] * 21, "rounds"),
])
def test_bad_rounds_are_refused_and_change_nothing(db, w, rounds, field):
    g, host = w["gathering"], w["host"]
    services.set_rounds(g, host, [("mixed", w["gw1"].id)])
    db.session.commit()
    given = [tuple(w[x].id if isinstance(x, str) and x in w else x for x in r) for r in rounds]
    with pytest.raises(ValidationFailed) as refused:
        services.set_rounds(g, host, given)
    assert field in refused.value.fields
    db.session.rollback()
    assert [(r.mode, r.programme_item_id) for r in services.rounds(g)] == [("mixed", w["gw1"].id)]


def test_rounds_from_a_programme_without_group_work_is_refused(db, make_user, make_gathering):
    g = make_gathering(title="Uten gruppearbeid")
    host = make_user("county_host", county="46")
    with pytest.raises(Conflict, match="no group work"):
        services.rounds_from_programme(g, host)


def test_an_item_of_another_gathering_cannot_be_a_round(db, w, make_gathering):
    other = make_gathering(title="Annen")
    theirs = W.item(other, "group_work", "Deres gruppearbeid", 1, 13)
    with pytest.raises(ValidationFailed):
        services.set_rounds(w["gathering"], w["host"], [("mixed", theirs.id)])


def test_pins_replace_and_refuse(db, w, make_gathering):
    g, host, p = w["gathering"], w["host"], w["people"]
    W.setup_plan(w)
    rounds, tables = services.rounds(g), services.tables(g)
    pin = services.add_pin(g, host, registration_id=p["M0"].id, round_id=rounds[0].id,
                           table_id=tables[0].id)
    again = services.add_pin(g, host, registration_id=p["M0"].id, round_id=rounds[0].id,
                             table_id=tables[1].id)
    assert again.id == pin.id and len(services.pins(g)) == 1 and again.table_id == tables[1].id
    with pytest.raises(ValidationFailed, match="Only confirmed participants"):
        services.add_pin(g, host, registration_id=p["waiting"].id, round_id=rounds[0].id,
                         table_id=tables[0].id)
    other = make_gathering(title="Annen")
    services.set_tables(other, host, count=1, seats=3)
    with pytest.raises(ValidationFailed) as refused:
        services.add_pin(g, host, registration_id=p["M0"].id, round_id=rounds[0].id,
                         table_id=services.tables(other)[0].id)
    assert set(refused.value.fields) == {"table_id"}
    with pytest.raises(Forbidden):
        services.add_pin(g, w["counsellor"], registration_id=p["M1"].id,
                         round_id=rounds[0].id, table_id=tables[0].id)
    with pytest.raises(Forbidden):
        services.remove_pin(again, w["outsider"])
    services.remove_pin(again, host)
    assert services.pins(g) == []


def test_pairs_kept_apart_are_ordered_and_refused_twice(db, w):
    g, host, p = w["gathering"], w["host"], w["people"]
    pair = services.add_apart(g, host, first_id=p["M4"].id, second_id=p["M1"].id)
    assert (pair.first_id, pair.second_id) == tuple(sorted((p["M1"].id, p["M4"].id)))
    with pytest.raises(ValidationFailed, match="already kept apart"):
        services.add_apart(g, host, first_id=p["M1"].id, second_id=p["M4"].id)
    with pytest.raises(ValidationFailed, match="two different people"):
        services.add_apart(g, host, first_id=p["M1"].id, second_id=p["M1"].id)
    with pytest.raises(ValidationFailed):
        services.add_apart(g, host, first_id=p["M1"].id, second_id=p["gone"].id)
    with pytest.raises(Forbidden):
        services.add_apart(g, w["contact"], first_id=p["M2"].id, second_id=p["M3"].id)
    with pytest.raises(Forbidden):
        services.remove_apart(pair, w["counsellor"])
    services.remove_apart(pair, host)
    assert services.aparts(g) == []


def test_settings_are_validated_field_by_field(db, w):
    g, host = w["gathering"], w["host"]
    settings = services.settings_for(g)
    assert (settings.min_counsellors_per_table, settings.max_county_staff_per_table,
            settings.max_per_organisation, settings.seed, settings.time_limit_s) == (1, 2, 1, 0, 10)
    with pytest.raises(ValidationFailed) as refused:
        services.update_settings(g, host, min_counsellors_per_table=11,
                                 max_county_staff_per_table=-1, max_per_organisation=2,
                                 seed=2**31, time_limit_s=0)
    assert set(refused.value.fields) == {"min_counsellors_per_table",
                                         "max_county_staff_per_table", "seed", "time_limit_s"}
    assert refused.value.fields["time_limit_s"] == "Give a whole number from 1 to 60."
    with pytest.raises(Forbidden):
        services.update_settings(g, w["counsellor"], min_counsellors_per_table=1,
                                 max_county_staff_per_table=2, max_per_organisation=1, seed=0,
                                 time_limit_s=10)
    saved = services.update_settings(g, host, min_counsellors_per_table=0,
                                     max_county_staff_per_table=3, max_per_organisation=2,
                                     seed=42, time_limit_s=3)
    assert (saved.min_counsellors_per_table, saved.seed) == (0, 42)


@pytest.mark.parametrize("who", ["counsellor", "contact", "outsider", "directorate"])
def test_only_the_countys_host_changes_the_plan(db, w, who):
    g, actor = w["gathering"], w[who]
    W.setup_plan(w)
    for call in (
            lambda: services.set_tables(g, actor, count=2, seats=5),
            lambda: services.set_rounds(g, actor, [("mixed", None)]),
            lambda: services.rounds_from_programme(g, actor),
            lambda: services.plan(g, actor),
            lambda: services.update_settings(g, actor, min_counsellors_per_table=1,
                                             max_county_staff_per_table=2,
                                             max_per_organisation=1, seed=0, time_limit_s=10)):
        with pytest.raises(Forbidden, match="Only the county's host"):
            call()
    assert W.seat_count(g) == 0
    assert policy.can(w[who], "seating.view", g) is (who == "counsellor")
    assert policy.can(w["host"], "seating.view", g) and policy.can(w["host"], "seating.manage", g)
    assert not policy.can(w[who], "seating.manage", g)


# --- in words ----------------------------------------------------------------------------------

NAMES = {"r1": "Kari", "r2": "Ola", "t1": "Table 3", "t2": "Table 4", "4601": "Bergen"}


@pytest.mark.parametrize("violation,text", [
    ({"rule": "capacity", "round": 0, "table": "t1", "count": 1, "have": 7, "limit": 6,
      "message": ""}, "Table 3 has 7 people at 6 seats in round 1"),
    ({"rule": "min_counsellors_per_table", "round": 0, "table": "t1", "count": 2, "have": 1,
      "limit": 3, "message": ""}, "Table 3 has 1 career counsellor in round 1, 3 needed"),
    ({"rule": "max_per_organisation", "round": 2, "table": "t2", "count": 2, "have": 3,
      "limit": 1, "organisation": "NAV", "message": ""},
     "Table 4 has 3 people from NAV in round 3 (at most 1)"),
    ({"rule": "pinned", "round": 0, "table": "t1", "count": 1, "person": "r2",
      "pinned_table": "t2", "message": ""},
     "Ola is pinned to Table 4 in round 1 but sits at Table 3"),
])
def test_broken_rules_in_words_from_the_solvers_fields(violation, text):
    assert services.describe(violation, NAMES) == text


def test_each_rule_the_solver_names_is_put_into_words_from_its_own_output():
    """The solver's own messages (not hand-written copies) give the texts above."""
    people = [{"id": "r1", "role": "leader", "organisation": "4601"},
              {"id": "r2", "role": "leader", "organisation": "4601"},
              {"id": "r3", "role": "county_staff"}, {"id": "r4", "role": "county_staff"}]
    inst = {"people": people, "tables": [{"id": "t1", "seats": 3}, {"id": "t2", "seats": 3}],
            "rounds": [{"mode": "mixed"}],
            "rules": {"min_counsellors_per_table": 1, "max_county_staff_per_table": 1,
                      "max_per_organisation": 1, "apart": [["r1", "r2"]],
                      "pinned": [{"person": "r1", "round": 0, "table": "t2"}]}}
    result = solver.evaluate(inst, {"rounds": [{"tables": {"t1": ["r1", "r2", "r3", "r4"],
                                                           "t2": []}}]})
    texts = {services.describe(v, NAMES) for v in result["violations"]}
    assert texts == {
        "Table 3 has 4 people at 3 seats in round 1",
        "Table 3 has no career counsellor in round 1",
        "Table 4 has no career counsellor in round 1",
        "Table 3 has 2 county staff in round 1 (at most 1)",
        "Table 3 has 2 people from Bergen in round 1 (at most 1)",
        "Kari and Ola should not sit together (Table 3, round 1)",
        "Kari is pinned to Table 4 in round 1 but sits at Table 3",
    }
    infeasible = {services.describe_infeasible(i, NAMES) for i in result["infeasible"]}
    assert "Every table should have a career counsellor, but 0 career counsellors cannot " \
           "cover the tables (2 needed)." in infeasible


# --- the per-person list and the calendar ------------------------------------------------------

def test_person_summary_lists_the_tables_round_by_round(db, planned):
    g, p = planned["gathering"], planned["people"]
    view = services.current_plan(g)
    first, second = _table_of(view, 0, p["M0"]), _table_of(view, 1, p["M0"])
    assert services.person_summary(p["M0"]) == [f"Round 1: {first.name}",
                                                 f"Round 2: {second.name}"]
    assert services.seats_for(p["M0"]) == [(view.rounds[0].round, first),
                                           (view.rounds[1].round, second)]
    assert services.person_summary(p["waiting"]) == []
    registration_services.cancel(p["M0"])
    assert services.person_summary(p["M0"]) == []  # seats kept until re-planning, not shown


def test_participant_calendar_carries_the_tables(db, planned):
    g, p = planned["gathering"], planned["people"]
    view = services.current_plan(g)
    first, second = _table_of(view, 0, p["M1"]), _table_of(view, 1, p["M1"])

    ics = seating_calendar.participant_ics(p["M1"])

    cal = icalendar.Calendar.from_ical(ics)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Velkommen", "Gruppearbeid 1", "Gruppearbeid 2",
                           "Avlyst gruppearbeid"}
    gw1, gw2 = events["Gruppearbeid 1"], events["Gruppearbeid 2"]
    assert str(gw1["location"]) == f"{first.name}, Sal A, Rådhuset"
    assert str(gw1["description"]).startswith(f"Your table: {first.name}")
    assert str(gw2["location"]) == f"{second.name}, Rådhuset"
    assert str(gw2["description"]) == f"Your table: {second.name}"
    assert str(events["Velkommen"]["location"]) == "Rådhuset"
    assert "description" not in events["Velkommen"]
    assert str(events["Avlyst gruppearbeid"]["status"]) == "CANCELLED"
    assert gw1.decoded("dtstart").date() == date(2027, 3, 10)
    # Stable UIDs of the person's own, apart from the programme's.
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    assert str(gw1["uid"]) == f"r{p['M1'].id}.{planned['gw1'].uid}"
    again = icalendar.Calendar.from_ical(seating_calendar.participant_ics(p["M1"]))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == uids
    other = icalendar.Calendar.from_ical(seating_calendar.participant_ics(p["M2"]))
    assert not uids & {str(e["uid"]) for e in other.walk("VEVENT")}


def test_calendar_without_a_seat_is_the_plain_programme(db, w):
    cal = icalendar.Calendar.from_ical(seating_calendar.participant_ics(w["people"]["M0"]))
    locations = {str(e["summary"]): str(e.get("location")) for e in cal.walk("VEVENT")}
    assert locations["Gruppearbeid 1"] == "Sal A, Rådhuset"
    assert seating_calendar.person_summary(w["people"]["M0"]) == []
