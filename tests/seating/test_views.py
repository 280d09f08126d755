"""The seating pages as their users see them: setup, the plan, hand moves, printouts and the
participant's calendar file. Pages are read in English (the cookie) or by data attributes."""

import re
from html import unescape

import icalendar
import pytest
from sqlalchemy import func, select

from eventapp.seating import services
from eventapp.seating.models import (
    Seat,
    SeatingApart,
    SeatingPin,
    SeatingRound,
    SeatingSettings,
    SeatingTable,
)
from tests.conftest import get_csrf, login
from tests.seating import world


@pytest.fixture
def w(db, make_user, make_gathering):
    return world.build(make_user, make_gathering)


@pytest.fixture
def as_user(app):
    """A fresh client logged in as ``user``, reading English."""

    def make(user):
        client = app.test_client()
        client.set_cookie("lang", "en")
        assert login(client, user.email).status_code == 302, "login failed"
        return client

    return make


def post(client, url: str, data: dict, page: str):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, page)})


def text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def error_beside(html: str, field_id: str) -> str:
    """The error message shown beside the field with this id (and the field points at it)."""
    match = re.search(rf'<p class="error-message" id="{re.escape(field_id)}-error">([^<]*)</p>',
                      html)
    assert match, f"no error beside {field_id}"
    assert re.search(rf'id="{re.escape(field_id)}"[^>]*aria-invalid="true"|'
                     rf'aria-invalid="true"[^>]*id="{re.escape(field_id)}"', html), \
        f"{field_id} is not marked invalid"
    return match.group(1)


def base(g) -> str:
    return f"/gatherings/{g.id}/seating"


def planned(db, w, **kwargs):
    """The world's tables and rounds with a stored plan."""
    world.setup_plan(w, **kwargs)
    services.plan(w["gathering"], w["host"])
    db.session.commit()
    return services.current_plan(w["gathering"])


def cards(html: str) -> dict[tuple[int, int], list[int]]:
    """(round id, table id) → the people listed on that table's card, in page order."""
    found = {}
    for section in re.finditer(r'<section [^>]*class="plan-round" data-round="(\d+)">(.*?)'
                               r'</section>', html, re.S):
        round_id = int(section.group(1))
        parts = re.split(r'<li class="card seat-card" data-table="(\d+)">', section.group(2))
        for table_id, body in zip(parts[1::2], parts[2::2], strict=True):
            found[(round_id, int(table_id))] = [int(p) for p in
                                                re.findall(r'data-person="(\d+)"', body)]
    return found


# --- who may see and change what ----------------------------------------------------------------

PAGES = ("", "/plan", "/plan?view=people", "/move", "/print/tables", "/print/people")


def test_host_and_counsellors_read_others_get_404(db, client, as_user, w):
    g = w["gathering"]
    planned(db, w)
    for who in ("host", "counsellor"):
        reader = as_user(w[who])
        for page in PAGES:
            assert reader.get(base(g) + page).status_code == 200, (who, page)
    for who in ("outsider", "contact", "directorate"):
        other = as_user(w[who])
        for page in PAGES:
            assert other.get(base(g) + page).status_code == 404, (who, page)
    for page in PAGES:
        assert client.get(base(g) + page).status_code == 302  # to the login page
    assert as_user(w["host"]).get("/gatherings/999999/seating").status_code == 404


def test_the_subnav_links_to_tables_for_readers_only(as_user, w):
    g = w["gathering"]
    link = f'href="{base(g)}"'
    assert link in text(as_user(w["host"]).get(f"/gatherings/{g.id}"))
    assert link in text(as_user(w["counsellor"]).get(f"/gatherings/{g.id}"))
    assert link not in text(as_user(w["contact"]).get(f"/gatherings/{g.id}"))


def test_counsellor_reads_without_forms_and_cannot_post(db, as_user, w):
    g = w["gathering"]
    view = planned(db, w)
    counsellor = as_user(w["counsellor"])
    html = text(counsellor.get(base(g)))
    assert "<form" not in html.split('class="site-footer"')[0].split("</header>")[1]
    assert 'data-rule="min_counsellors_per_table">1<' in html
    plan_html = text(counsellor.get(base(g) + "/plan"))
    assert 'data-action="plan"' not in plan_html and "/seating/move" not in plan_html
    token = get_csrf(counsellor, base(g))
    first = view.by_person[0][0]
    rnd, table = view.rounds[0].round, view.rounds[0].tables[1].table
    pin = services.add_pin(g, w["host"], registration_id=first.id, round_id=rnd.id,
                           table_id=table.id)
    db.session.commit()
    before = (world.seat_rows(g), count(db, SeatingTable), count(db, SeatingPin))
    for url, data in (
            ("/tables", {"count": "5", "seats": "6"}),
            ("/rounds/from-programme", {}),
            ("/rules", {"min_counsellors_per_table": "0", "max_county_staff_per_table": "0",
                        "max_per_organisation": "0", "seed": "1", "time_limit_s": "1"}),
            ("/pins", {"registration_id": first.id, "round_id": rnd.id, "table_id": table.id}),
            (f"/pins/{pin.id}/delete", {}),
            ("/plan", {"plan": "1"}),
            ("/move", {"registration_id": first.id, "round_id": rnd.id, "table_id": table.id,
                       "move": "1"})):
        response = counsellor.post(base(g) + url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    assert (world.seat_rows(g), count(db, SeatingTable), count(db, SeatingPin)) == before


def test_another_countys_host_gets_404_on_posts(db, as_user, w):
    g = w["gathering"]
    outsider = as_user(w["outsider"])
    token = get_csrf(outsider, "/gatherings/")
    for url in ("/tables", "/rules", "/plan", "/move", "/rounds/from-programme"):
        assert outsider.post(base(g) + url, data={"csrf_token": token}).status_code == 404
    assert count(db, SeatingTable) == 0


def test_posts_without_a_csrf_token_are_refused(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    assert host.post(base(g) + "/tables", data={"count": "3", "seats": "5"}).status_code == 400
    world.setup_plan(w)
    assert host.post(base(g) + "/plan", data={"plan": "1"}).status_code == 400
    assert count(db, Seat) == 0
    assert len(services.tables(g)) == 3 and services.tables(g)[0].seats == 5


# --- setup: tables ------------------------------------------------------------------------------

def test_host_sets_tables_and_renames_them(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    response = post(host, base(g) + "/tables", {"count": "4", "seats": "6"}, base(g))
    assert response.status_code == 302
    tables = services.tables(g)
    assert [(t.name, t.seats) for t in tables] == [(f"Table {i}", 6) for i in range(1, 5)]
    data = {}
    for i, t in enumerate(tables):
        data |= {f"tables-{i}-table_id": t.id, f"tables-{i}-table_name": f"Bord {i + 1}",
                 f"tables-{i}-seats": "8" if i else "10"}
    response = post(host, base(g) + "/tables/names", data, base(g))
    assert response.status_code == 302
    assert [(t.name, t.seats) for t in services.tables(g)] == [
        ("Bord 1", 10), ("Bord 2", 8), ("Bord 3", 8), ("Bord 4", 8)]
    html = text(host.get(base(g)))
    assert 'value="Bord 3"' in html and "4 tables with 34 seats in all" in html


@pytest.mark.parametrize("count_, seats, field, message", [
    ("3", "0", "seats", "Give a whole number from 1 to 30."),
    ("0", "8", "count", "Give a whole number from 1 to 100."),
    ("tre", "8", "count", "Give the number of tables as a whole number"),
    ("3", "", "seats", "Give the number of seats per table."),
])
def test_bad_table_numbers_are_refused_beside_the_field(db, as_user, w, count_, seats, field,
                                                        message):
    g = w["gathering"]
    host = as_user(w["host"])
    response = post(host, base(g) + "/tables", {"count": count_, "seats": seats}, base(g))
    assert response.status_code == 422
    assert message in error_beside(text(response), field)
    assert count(db, SeatingTable) == 0


def test_renaming_refuses_duplicates_unknown_tables_and_zero_seats(db, as_user, w):
    g = w["gathering"]
    world.setup_plan(w)
    host = as_user(w["host"])
    t1, t2, t3 = services.tables(g)

    def rows(*entries):
        data = {}
        for i, (ident, name, seats) in enumerate(entries):
            data |= {f"tables-{i}-table_id": ident, f"tables-{i}-table_name": name,
                     f"tables-{i}-seats": seats}
        return data

    before = [(t.id, t.name, t.seats) for t in services.tables(g)]
    response = post(host, base(g) + "/tables/names",
                    rows((t1.id, "Bord A", "5"), (t2.id, "bord a", "5"), (t3.id, "C", "5")),
                    base(g))
    assert response.status_code == 422
    assert "already called" in error_beside(text(response), "tables-1-table_name")
    response = post(host, base(g) + "/tables/names",
                    rows((t1.id, "A", "5"), (999999, "B", "5"), (t3.id, "C", "5")), base(g))
    assert response.status_code == 422
    assert "no longer there" in error_beside(text(response), "tables-1-table_name")
    response = post(host, base(g) + "/tables/names",
                    rows((t1.id, "A", "5"), (t2.id, "B", "0"), (t3.id, "C", "5")), base(g))
    assert response.status_code == 422
    assert "from 1 to 30" in error_beside(text(response), "tables-1-seats")
    response = post(host, base(g) + "/tables/names",
                    rows((t1.id, "", "5"), (t2.id, "B", "5"), (t3.id, "C", "5")), base(g))
    assert response.status_code == 422
    assert "Give the table a name." in error_beside(text(response), "tables-0-table_name")
    assert [(t.id, t.name, t.seats) for t in services.tables(g)] == before


# --- setup: rounds ------------------------------------------------------------------------------

def test_rounds_from_the_programme_show_day_and_time(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    html = text(host.get(base(g)))
    assert "The programme has 2 group-work items." in html
    assert post(host, base(g) + "/rounds/from-programme", {}, base(g)).status_code == 302
    rounds = services.rounds(g)
    assert [(r.mode, r.programme_item_id) for r in rounds] == [
        ("mixed", w["gw1"].id), ("mixed", w["gw2"].id)]
    html = text(host.get(base(g)))
    assert "Round 1: Wednesday 10 March 13:00–14:00: Gruppearbeid 1" in html
    assert "Round 2: Thursday 11 March 10:00–11:00: Gruppearbeid 2" in html
    assert "Avlyst gruppearbeid" not in html  # the removed item is not offered


def test_host_changes_adds_and_removes_rounds(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    world.setup_plan(w)
    r1, r2 = services.rounds(g)
    response = post(host, base(g) + "/rounds", {
        "rounds-0-round_id": r1.id, "rounds-0-mode": "regional", "rounds-0-item": w["gw1"].id,
        "rounds-1-round_id": r2.id, "rounds-1-mode": "mixed", "rounds-1-item": ""}, base(g))
    assert response.status_code == 302
    assert [(r.id, r.mode, r.programme_item_id) for r in services.rounds(g)] == [
        (r1.id, "regional", w["gw1"].id), (r2.id, "mixed", None)]
    response = post(host, base(g) + "/rounds/add", {"mode": "mixed", "item": w["gw2"].id},
                    base(g))
    assert response.status_code == 302
    r3 = services.rounds(g)[2]
    assert (r3.mode, r3.programme_item_id) == ("mixed", w["gw2"].id)
    # A pin in round 3 stays with round 3 when round 2 goes.
    kari = w["people"]["Kari"]
    services.add_pin(g, w["host"], registration_id=kari.id, round_id=r3.id,
                     table_id=services.tables(g)[1].id)
    db.session.commit()
    r1_id, r2_id, r3_id = r1.id, r2.id, r3.id
    response = post(host, base(g) + f"/rounds/{r2_id}/delete", {}, base(g))
    assert response.status_code == 302
    db.session.expire_all()
    assert [(r.id, r.position) for r in services.rounds(g)] == [(r1_id, 0), (r3_id, 1)]
    assert [(p.round_id, p.registration_id) for p in services.pins(g)] == [(r3_id, kari.id)]
    assert post(host, base(g) + f"/rounds/{r2_id}/delete", {}, base(g)).status_code == 404


def test_bad_rounds_are_refused_beside_the_field(db, as_user, w, make_gathering):
    g = w["gathering"]
    host = as_user(w["host"])
    world.setup_plan(w)
    r1, r2 = services.rounds(g)
    other = make_gathering(county="46", title="Annen samling")
    foreign = world.item(other, "group_work", "Fremmed gruppearbeid", 1, 13)
    before = [(r.id, r.mode, r.programme_item_id) for r in services.rounds(g)]
    response = post(host, base(g) + "/rounds", {
        "rounds-0-round_id": r1.id, "rounds-0-mode": "mixed", "rounds-0-item": foreign.id,
        "rounds-1-round_id": r2.id, "rounds-1-mode": "mixed", "rounds-1-item": ""}, base(g))
    assert response.status_code == 422
    assert "group-work item" in error_beside(text(response), "rounds-0-item")
    response = post(host, base(g) + "/rounds", {
        "rounds-0-round_id": r1.id, "rounds-0-mode": "mixed", "rounds-0-item": w["gw1"].id,
        "rounds-1-round_id": r2.id, "rounds-1-mode": "mixed", "rounds-1-item": w["gw1"].id},
        base(g))
    assert response.status_code == 422
    assert "one round only" in error_beside(text(response), "rounds-1-item")
    response = post(host, base(g) + "/rounds/add", {"mode": "sideways", "item": ""}, base(g))
    assert response.status_code == 422
    error_beside(text(response), "mode")
    response = post(host, base(g) + "/rounds/add", {"mode": "mixed", "item": "999999"}, base(g))
    assert response.status_code == 422
    error_beside(text(response), "item")
    assert [(r.id, r.mode, r.programme_item_id) for r in services.rounds(g)] == before


# --- setup: rules, pins, pairs kept apart -------------------------------------------------------

RULES = {"min_counsellors_per_table": "1", "max_county_staff_per_table": "2",
         "max_per_organisation": "1", "seed": "7", "time_limit_s": "5"}


def test_host_saves_the_rules_and_bad_ones_are_refused(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    html = text(host.get(base(g)))
    assert "Participants said every table should have a career counsellor." in html
    assert post(host, base(g) + "/rules", RULES, base(g)).status_code == 302
    settings = db.session.get(SeatingSettings, g.id)
    assert (settings.seed, settings.time_limit_s) == (7, 5)
    for field, value in (("min_counsellors_per_table", "11"), ("time_limit_s", "0"),
                         ("max_per_organisation", "-1"), ("seed", "")):
        response = post(host, base(g) + "/rules", {**RULES, field: value}, base(g))
        assert response.status_code == 422, field
        error_beside(text(response), field)
    db.session.expire_all()
    settings = db.session.get(SeatingSettings, g.id)
    assert (settings.min_counsellors_per_table, settings.seed, settings.time_limit_s) == (1, 7, 5)


def test_host_adds_and_removes_a_pin(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    world.setup_plan(w)
    nav = w["people"]["Nav"]
    rnd, table = services.rounds(g)[1], services.tables(g)[2]
    html = text(host.get(base(g)))
    assert "Nina NAV · NAV Vestland" in html  # the select names people with organisation
    assert "Venter Venteliste" not in html and "Avbud Avmeldt" not in html
    response = post(host, base(g) + "/pins", {"registration_id": nav.id, "round_id": rnd.id,
                                             "table_id": table.id}, base(g))
    assert response.status_code == 302
    pin = db.session.scalars(select(SeatingPin)).one()
    assert (pin.registration_id, pin.round_id, pin.table_id) == (nav.id, rnd.id, table.id)
    html = text(host.get(base(g)))
    # world.setup_plan names the tables in the default language (nb): «Bord 1» …
    assert "Nina NAV · NAV Vestland → Bord 3, Round 2" in html
    assert post(host, base(g) + f"/pins/{pin.id}/delete", {}, base(g)).status_code == 302
    assert count(db, SeatingPin) == 0


def test_bad_pins_are_refused_beside_the_field(db, as_user, w, make_gathering):
    g = w["gathering"]
    host = as_user(w["host"])
    world.setup_plan(w)
    other = make_gathering(county="46", title="Annen samling")
    stranger = world.person(other, "Fremmed Person", where=w["units"][0])
    services.set_tables(other, w["host"], count=1, seats=5)
    services.set_rounds(other, w["host"], [("mixed", None)])
    db.session.commit()
    ok = {"registration_id": w["people"]["Nav"].id, "round_id": services.rounds(g)[0].id,
          "table_id": services.tables(g)[0].id}
    for field, value in (("registration_id", stranger.id),
                         ("registration_id", w["people"]["waiting"].id),
                         ("registration_id", "999999"), ("registration_id", "abc"),
                         ("round_id", services.rounds(other)[0].id), ("round_id", "999999"),
                         ("table_id", services.tables(other)[0].id), ("table_id", "")):
        response = post(host, base(g) + "/pins", {**ok, field: value}, base(g))
        assert response.status_code == 422, (field, value)
        error_beside(text(response), field)
    assert count(db, SeatingPin) == 0


def test_host_keeps_two_apart_and_bad_pairs_are_refused(db, as_user, w, make_gathering):
    g = w["gathering"]
    host = as_user(w["host"])
    m0, m1 = w["people"]["M0"], w["people"]["M1"]
    response = post(host, base(g) + "/apart", {"first_id": m1.id, "second_id": m0.id}, base(g))
    assert response.status_code == 302
    pair = db.session.scalars(select(SeatingApart)).one()
    assert (pair.first_id, pair.second_id) == tuple(sorted((m0.id, m1.id)))
    response = post(host, base(g) + "/apart", {"first_id": m0.id, "second_id": m1.id}, base(g))
    assert response.status_code == 422
    assert "already kept apart" in error_beside(text(response), "second_id")
    response = post(host, base(g) + "/apart", {"first_id": m0.id, "second_id": m0.id}, base(g))
    assert "two different people" in error_beside(text(response), "second_id")
    stranger = world.person(make_gathering(county="46", title="Annen"), "Fremmed",
                            where=w["units"][0])
    response = post(host, base(g) + "/apart", {"first_id": stranger.id, "second_id": m0.id},
                    base(g))
    assert response.status_code == 422
    error_beside(text(response), "first_id")
    assert count(db, SeatingApart) == 1
    assert post(host, base(g) + f"/apart/{pair.id}/delete", {}, base(g)).status_code == 302
    assert count(db, SeatingApart) == 0


# --- the plan -----------------------------------------------------------------------------------

def test_before_planning_the_pages_say_so(db, as_user, w):
    g = w["gathering"]
    host = as_user(w["host"])
    html = text(host.get(base(g) + "/plan"))
    assert 'data-note="no-plan"' in html and 'data-note="missing"' in html
    assert 'data-action="plan"' not in html
    # A plan asked for anyway is refused in words, and nothing is stored.
    response = post(host, base(g) + "/plan", {"plan": "1"}, base(g))
    assert response.status_code == 302
    assert "Set up the tables first." in text(host.get(base(g) + "/plan"))
    for page in ("/move", "/print/tables", "/print/people"):
        assert 'data-note="no-plan"' in text(host.get(base(g) + page))
    assert count(db, Seat) == 0


def test_host_plans_and_the_page_shows_exactly_the_stored_seats(db, as_user, w):
    g = w["gathering"]
    world.setup_plan(w)
    host = as_user(w["host"])
    html = text(host.get(base(g) + "/plan"))
    assert 'data-action="plan"' in html
    response = post(host, base(g) + "/plan", {"plan": "1"}, base(g) + "/plan")
    assert response.status_code == 302
    html = text(host.get(base(g) + "/plan"))
    assert "The table plan is made." in html
    assert "· County host ·" in html  # the header's role, not shadowed by participants' roles
    stored = world.seat_map(g)
    assert len(stored) == 13 * 2
    expected: dict[tuple[int, int], list[int]] = {}
    for (round_id, reg_id), table_id in stored.items():
        expected.setdefault((round_id, table_id), []).append(reg_id)
    shown = cards(html)
    assert {k: sorted(v) for k, v in shown.items() if v} == {k: sorted(v)
                                                             for k, v in expected.items()}
    report = services.current_plan(g).metrics
    assert f'data-figure="hard-violations">{report["hard_violations"]}<' in html
    assert f'data-figure="repeat-pairs">{report["repeat_pairs"]}<' in html
    assert f'data-figure="repeat-lower-bound">{report["repeat_pairs_lower_bound"]}<' in html
    # County staff and counsellors are marked on the cards.
    assert html.count('data-mark="career_counsellor"') == 3 * 2
    assert html.count('data-mark="county_staff"') == 1 * 2
    # Person by person: one row each, with the stored table in each round.
    people_html = text(host.get(base(g) + "/plan?view=people"))
    rows = re.findall(r'<tr data-person="(\d+)">(.*?)</tr>', people_html, re.S)
    assert len(rows) == 13
    for reg_id, row in rows:
        cells = dict(re.findall(r'data-round="(\d+)" data-table="(\d+)"', row))
        assert {(int(r), int(reg_id)): int(t) for r, t in cells.items()} == {
            k: v for k, v in stored.items() if k[1] == int(reg_id)}


def test_problems_and_infeasible_rules_are_named_in_words(db, as_user, w):
    g = w["gathering"]
    # Four tables but three counsellors: one table must go without.
    world.setup_plan(w, count=4, seats=5)
    host = as_user(w["host"])
    post(host, base(g) + "/plan", {"plan": "1"}, base(g) + "/plan")
    html = text(host.get(base(g) + "/plan"))
    assert 'data-list="infeasible"' in html
    assert re.search(r'<li data-rule="min_counsellors_per_table"><strong>Career counsellors per '
                     r'table:</strong> Every table should have a career counsellor, but 3 career '
                     r'counsellors cannot cover the tables \(4 needed\)', html)
    assert re.search(r'data-figure="broken-min_counsellors_per_table">[1-9]', html)
    assert re.search(r"Bord \d has no career counsellor in round \d", html)  # nb table names
    assert f'r{w["people"]["Kari"].id}' not in html  # names, never the solver's ids


def test_a_stale_plan_offers_to_plan_again_and_replanning_moves_few(db, as_user, w):
    g = w["gathering"]
    planned(db, w)
    host = as_user(w["host"])
    html = text(host.get(base(g) + "/plan"))
    assert 'data-note="stale"' not in html and 'data-action="replan"' not in html
    w["people"]["waiting"].status = "confirmed"
    db.session.commit()
    html = text(host.get(base(g) + "/plan"))
    assert 'data-note="stale"' in html and 'data-action="replan"' in html
    assert "have no seat: Venter Venteliste" in html or "has no seat: Venter Venteliste" in html
    before = world.seat_map(g)
    assert post(host, base(g) + "/plan", {"replan": "1"}, base(g) + "/plan").status_code == 302
    after = world.seat_map(g)
    waiting = w["people"]["waiting"].id
    assert {k[0] for k in after if k[1] == waiting} == {r.id for r in services.rounds(g)}
    kept = sum(1 for k, t in before.items() if after.get(k) == t)
    assert kept >= len(before) - 4
    assert 'data-note="stale"' not in text(host.get(base(g) + "/plan"))


# --- moving by hand -----------------------------------------------------------------------------

def _move_setup(db, w):
    """The plan with Kari and Ola (counsellors) and where Ola sits in round 1."""
    view = planned(db, w)
    g = w["gathering"]
    rnd = services.rounds(g)[0]
    seats = world.seat_map(g)
    kari, ola = w["people"]["Kari"], w["people"]["Ola"]
    return g, rnd, seats, kari, ola, view


def test_move_preview_saves_nothing_and_shows_what_breaks(db, as_user, w):
    g, rnd, seats, kari, ola, _view = _move_setup(db, w)
    host = as_user(w["host"])
    page = base(g) + f"/move?person={kari.id}"
    html = text(host.get(page))
    assert f'id="round-{rnd.id}"' in html and 'data-action="preview"' in html
    before = (world.seat_rows(g), world.report(g))
    # Kari to Ola's table: two counsellors there, none where Kari was.
    response = post(host, base(g) + "/move", {
        "registration_id": kari.id, "round_id": rnd.id, "table_id": seats[(rnd.id, ola.id)],
        "preview": "1"}, page)
    assert response.status_code == 200
    html = text(response)
    assert 'data-preview="breaks"' in html and "Nothing is saved yet." in html
    assert re.search(r'<li data-rule="min_counsellors_per_table">Bord \d has no career '
                     r'counsellor in round 1</li>', html)
    assert (world.seat_rows(g), world.report(g)) == before


def test_move_saves_and_says_what_it_broke(db, as_user, w):
    g, rnd, seats, kari, ola, _view = _move_setup(db, w)
    host = as_user(w["host"])
    page = base(g) + f"/move?person={kari.id}"
    target = seats[(rnd.id, ola.id)]
    response = post(host, base(g) + "/move", {
        "registration_id": kari.id, "round_id": rnd.id, "table_id": target, "move": "1"}, page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/move?person={kari.id}#round-{rnd.id}")
    seat = db.session.scalars(select(Seat).where(Seat.round_id == rnd.id,
                                                 Seat.registration_id == kari.id)).one()
    assert (seat.table_id, seat.moved_by_hand) == (target, True)
    html = text(host.get(page))
    assert "Kari Veileder now sits at Bord" in html  # the tables were named in nb
    assert re.search(r"This breaks a rule: Bord \d has no career counsellor in round 1", html)
    plan_html = text(host.get(base(g) + "/plan"))
    assert cards(plan_html)[(rnd.id, target)].count(kari.id) == 1
    assert 'data-mark="moved"' in plan_html


def test_bad_moves_are_refused_and_change_nothing(db, as_user, w, make_gathering):
    g, rnd, seats, kari, ola, _view = _move_setup(db, w)
    host = as_user(w["host"])
    page = base(g) + f"/move?person={kari.id}"
    other = make_gathering(county="46", title="Annen samling")
    stranger = world.person(other, "Fremmed Person", where=w["units"][0])
    services.set_tables(other, w["host"], count=1, seats=5)
    db.session.commit()
    before = (world.seat_rows(g), world.report(g))
    ok = {"registration_id": kari.id, "round_id": rnd.id,
          "table_id": seats[(rnd.id, ola.id)]}
    for button in ("preview", "move"):
        response = post(host, base(g) + "/move",
                        {**ok, "table_id": services.tables(other)[0].id, button: "1"}, page)
        assert response.status_code == 422
        assert "Choose one of this gathering's tables." in error_beside(
            text(response), f"table_id-{rnd.id}")
        response = post(host, base(g) + "/move", {**ok, "table_id": "999999", button: "1"}, page)
        assert response.status_code == 422
        error_beside(text(response), f"table_id-{rnd.id}")
        for field, value in (("registration_id", stranger.id), ("registration_id", "x"),
                             ("round_id", "999999")):
            response = post(host, base(g) + "/move", {**ok, field: value, button: "1"}, page)
            assert response.status_code == 422, (field, value)
            assert 'data-note="refused"' in text(response)
    assert (world.seat_rows(g), world.report(g)) == before


# --- printouts and the participant's own page ---------------------------------------------------

def test_printouts_list_everyone_once_per_round(db, as_user, w):
    g = w["gathering"]
    view = planned(db, w)
    people = {r.id for r, _places in view.by_person}
    rounds = [r.id for r in services.rounds(g)]
    for who in ("host", "counsellor"):
        client = as_user(w[who])
        html = text(client.get(base(g) + "/print/tables"))
        assert "@media print" not in html  # print styles live in the stylesheet
        articles = re.findall(r'<article class="table-card" data-round="(\d+)" '
                              r'data-table="(\d+)">(.*?)</article>', html, re.S)
        assert len(articles) == len(rounds) * 3
        for round_id in rounds:
            listed = [int(p) for r, _t, body in articles if int(r) == round_id
                      for p in re.findall(r'data-person="(\d+)"', body)]
            assert sorted(listed) == sorted(people)
        html = text(client.get(base(g) + "/print/people"))
        items = re.findall(r'<li data-person="(\d+)">(.*?)</li>', html, re.S)
        assert sorted(int(p) for p, _body in items) == sorted(people)
        for _reg_id, body in items:
            assert [int(r) for r in re.findall(r'data-round="(\d+)"', body)] == rounds
            # The rounds are labelled in English (the cookie); the tables were named in nb.
            assert re.search(r"Round 1: Bord \d, Round 2: Bord \d", " ".join(
                re.sub(r"<[^>]+>", "", body).split()))
    with open("static/css/app.css", encoding="utf-8") as sheet:
        css = sheet.read()
    assert ".table-card" in css.split("@media print")[-1]


def test_participant_page_and_calendar_show_their_tables(db, client, w):
    g = w["gathering"]
    planned(db, w)
    kari = w["people"]["Kari"]
    client.set_cookie("lang", "en")
    tables = {rnd.id: t.name for rnd, t in services.seats_for(kari)}
    r1, r2 = services.rounds(g)
    html = text(client.get(f"/registration/{kari.manage_token}"))
    assert f"Round 1: {tables[r1.id]}" in html and f"Round 2: {tables[r2.id]}" in html
    link = f"/registrations/{kari.manage_token}/calendar.ics"
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert tables[r1.id] in str(events["Gruppearbeid 1"]["LOCATION"])
    assert f"Your table: {tables[r2.id]}" in str(events["Gruppearbeid 2"]["DESCRIPTION"])
    assert client.get("/registrations/not-a-token/calendar.ics").status_code == 404
    # A waitlisted person has no tables on their page.
    waiting = w["people"]["waiting"]
    assert 'data-list="my-tables"' not in text(client.get(f"/registration/"
                                                             f"{waiting.manage_token}"))


def test_round_model_is_scoped_by_gathering(db, as_user, w, make_gathering):
    """A round, pin or pair of another gathering is not found through this one."""
    g = w["gathering"]
    host = as_user(w["host"])
    other = make_gathering(county="46", title="Annen samling")
    services.set_rounds(other, w["host"], [("mixed", None)])
    services.set_tables(other, w["host"], count=1, seats=5)
    stranger = world.person(other, "Fremmed Person", where=w["units"][0], commit=False)
    stranger2 = world.person(other, "Fremmed To", where=w["units"][1], commit=False)
    db.session.commit()
    pin = services.add_pin(other, w["host"], registration_id=stranger.id,
                           round_id=services.rounds(other)[0].id,
                           table_id=services.tables(other)[0].id)
    pair = services.add_apart(other, w["host"], first_id=stranger.id, second_id=stranger2.id)
    db.session.commit()
    round_id = db.session.scalars(select(SeatingRound.id)).first()
    for url in (f"/rounds/{round_id}/delete", f"/pins/{pin.id}/delete",
                f"/apart/{pair.id}/delete"):
        assert post(host, base(g) + url, {}, base(g)).status_code == 404
    assert count(db, SeatingPin) == 1 and count(db, SeatingApart) == 1
    assert count(db, SeatingRound) == 1
