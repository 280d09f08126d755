"""The board reads the municipality facts of the gathering's year: coverage over the settling
municipalities (all of them when the year has no figures), and higher places suggested for the
large settlers, applied by the host in one action through the cap service.

The figures are made up for the test."""

import pytest
from sqlalchemy import select

from eventapp.core.errors import Forbidden
from eventapp.invitations.services import board as board_facts
from eventapp.invitations.services import board_rows, board_units
from eventapp.places.services import facts_import
from eventapp.registration.models import GatheringMunicipality, Registration
from tests.conftest import csrf_from, login

BERGEN, STORD, VOSS, ASKOY, SOLUND = "4601", "4614", "4621", "4627", "4636"
YEAR = 2027  # the gathering starts on 10 March 2027
FIGURES = ("kommunenummer;vedtatt;bosatt\n"
           f"{BERGEN};700;655\n"   # large (>= 60)
           f"{VOSS};30;30\n"       # medium
           f"{STORD};0;0\n"        # settles none
           f"{ASKOY};120;110\n"    # large, but the host set its places
           f"{SOLUND};3;2\n")      # small


def _register(db, gathering, unit, email, status="confirmed"):
    db.session.add(Registration(
        gathering_id=gathering.id, organisation_kind="municipality", name=email.split("@")[0],
        email=email, role="leader", day1=True, day2=True, status=status, channel="host",
        municipality_id=unit.id))


def _facts(db, director, text=FIGURES, year=YEAR):
    facts_import.import_facts(director, year, "tall.csv", text.encode())
    db.session.commit()


@pytest.fixture
def world(db, places, make_user, make_gathering):
    host = make_user("county_host", county="46")
    counsellor = make_user("counsellor", county="46")
    director = make_user("directorate", county=None)
    gathering = make_gathering(county="46", municipal_cap=2)
    unit = places.unit
    _register(db, gathering, unit(BERGEN), "a@bergen.example")
    _register(db, gathering, unit(BERGEN), "b@bergen.example")
    _register(db, gathering, unit(BERGEN), "c@bergen.example", status="waitlisted")
    _register(db, gathering, unit(STORD), "a@stord.example")
    db.session.add(GatheringMunicipality(gathering_id=gathering.id,
                                         municipality_id=unit(ASKOY).id, cap=3))
    db.session.commit()
    return {"gathering": gathering, "host": host, "counsellor": counsellor,
            "director": director}


def test_without_figures_the_coverage_counts_every_municipality(db, world):
    g = world["gathering"]
    rows = board_rows(g)
    coverage = board_facts.board_coverage(g, rows)
    # Vestland's units, all of them: Bergen and Stord have registered.
    assert (coverage.registered, coverage.total, coverage.settling_only) == \
        (2, len(board_units(g)), False)
    assert board_facts.cap_suggestions(g, rows) == []


def test_with_figures_the_coverage_counts_the_settling_ones(db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    # Settling by hand: Bergen (655), Voss (30), Askøy (110), Solund (2); Stord settles none.
    # Registered among them: Bergen only. Stord registered but does not settle.
    coverage = board_facts.board_coverage(g, board_rows(g))
    assert (coverage.registered, coverage.total, coverage.settling_only) == (1, 4, True)
    assert coverage.not_settling_registered == 1
    assert coverage.all_units == len(board_units(g))
    # Figures for another year do not count for this gathering.
    _facts(db, world["director"], year=YEAR - 1, text=f"kommunenummer;bosatt\n{VOSS};1\n")
    assert board_facts.board_coverage(g, board_rows(g)).total == 4


def test_large_settlers_without_a_cap_of_their_own_are_suggested_twice_the_places(db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    suggestions = board_facts.cap_suggestions(g)
    # Bergen is large with the gathering's 2 places; Askøy is large but has its own cap (3).
    assert [(s.municipality.number, s.cap, s.suggested) for s in suggestions] == \
        [(BERGEN, 2, 4)]


def test_the_host_applies_the_suggestions_through_the_cap_service(db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    bergen = board_facts.cap_suggestions(g)[0].municipality
    with pytest.raises(Forbidden):
        board_facts.apply_cap_suggestions(g, world["counsellor"], [bergen.id])
    db.session.rollback()
    applied, promoted = board_facts.apply_cap_suggestions(g, world["host"], [bergen.id])
    db.session.commit()
    assert [s.municipality.number for s in applied] == [BERGEN]
    row = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.gathering_id == g.id,
        GatheringMunicipality.municipality_id == bergen.id)).one()
    assert row.cap == 4 and row.updated_by_id == world["host"].id
    # The raised cap confirmed Bergen's waitlisted registrant, as a raised cap does.
    assert [r.email for r in promoted] == ["c@bergen.example"]
    assert db.session.scalars(select(Registration.status).where(
        Registration.email == "c@bergen.example")).one() == "confirmed"
    # Applied once: no longer suggested (the cap is now the host's own).
    assert board_facts.cap_suggestions(g) == []


def test_applying_only_what_is_still_suggested(db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    # Voss is medium and Askøy has its own cap: neither is suggested, so neither changes.
    ids = [r.municipality.id for r in board_rows(g) if r.municipality.number in (VOSS, ASKOY)]
    applied, _promoted = board_facts.apply_cap_suggestions(g, world["host"], ids)
    db.session.commit()
    assert applied == []
    assert db.session.scalars(select(GatheringMunicipality.cap).where(
        GatheringMunicipality.gathering_id == g.id, GatheringMunicipality.cap.is_not(None))
    ).all() == [3]


def test_the_board_page_shows_coverage_and_the_suggestions(client, db, places, world):
    g = world["gathering"]
    login(client, world["host"].email)
    page = client.get(f"/gatherings/{g.id}/board").get_data(as_text=True)
    assert 'data-settling-only="false"' in page and "ingen bosettingstall" in page
    _facts(db, world["director"])
    page = client.get(f"/gatherings/{g.id}/board").get_data(as_text=True)
    assert 'data-settling-only="true"' in page
    assert "1 av 4 kommuner som bosetter, har meldt seg på." in page
    assert f'data-municipality="{BERGEN}"' in page
    question = client.get(f"/gatherings/{g.id}/board/caps")
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and "fra 2 til 4 plasser" in text
    done = client.post(f"/gatherings/{g.id}/board/caps", data={
        "csrf_token": csrf_from(text), "confirmed": "1",
        "municipalities": str(places.unit(BERGEN).id)})
    assert done.status_code == 302
    assert db.session.scalars(select(GatheringMunicipality.cap).where(
        GatheringMunicipality.gathering_id == g.id,
        GatheringMunicipality.cap.is_not(None)).order_by(GatheringMunicipality.cap)).all() \
        == [3, 4]


def test_without_the_confirmation_nothing_is_applied(client, db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    login(client, world["host"].email)
    text = client.get(f"/gatherings/{g.id}/board/caps").get_data(as_text=True)
    response = client.post(f"/gatherings/{g.id}/board/caps",
                           data={"csrf_token": csrf_from(text), "municipalities": "1,2,3"})
    assert response.status_code == 200  # the question again
    assert board_facts.cap_suggestions(g) != []


def test_a_counsellor_sees_the_coverage_but_no_suggestions(app, db, world):
    g = world["gathering"]
    _facts(db, world["director"])
    other = app.test_client()
    login(other, world["counsellor"].email)
    page = other.get(f"/gatherings/{g.id}/board").get_data(as_text=True)
    assert 'data-settling-only="true"' in page and "cap-suggestions" not in page
    assert other.get(f"/gatherings/{g.id}/board/caps").status_code == 403


def test_oslo_districts_take_oslos_figures(db, places, make_user, make_gathering):
    make_user("county_host", county="03")
    director = make_user("directorate", county=None)
    oslo = make_gathering(county="03")
    _facts(db, director, text="kommunenummer;bosatt\n0301;1420\n")
    coverage = board_facts.board_coverage(oslo, board_rows(oslo))
    assert (coverage.registered, coverage.total, coverage.settling_only) == (0, 15, True)
    assert {r.size_class for r in board_rows(oslo)} == {"large"}
    assert len(board_facts.cap_suggestions(oslo)) == 15


def test_postgresql_applying_waits_for_a_place_being_taken(app, db, world, is_postgres):
    """The suggestions go through the cap service, which holds the gathering exclusively:
    while a registration holds it shared (taking a place), applying waits, then applies."""
    if not is_postgres:
        pytest.skip("SQLite serialises every writer: no two transactions ever interleave")
    from tests.registration.test_lock_order import Holder, Step, wait_for_waiters

    g = world["gathering"]
    _facts(db, world["director"])
    gid, host_id = g.id, world["host"].id
    bergen_id = board_facts.cap_suggestions(g)[0].municipality.id
    db.session.commit()
    holder = Holder("SELECT id FROM gatherings WHERE id = :id FOR SHARE", id=gid)

    def apply():
        from eventapp.accounts.models import User
        from eventapp.extensions import db as _db
        from eventapp.gatherings.models import Gathering

        return board_facts.apply_cap_suggestions(_db.session.get(Gathering, gid),
                                                 _db.session.get(User, host_id), [bergen_id])

    step = Step(app, apply, "apply suggestions")
    step.start()
    wait_for_waiters(1)
    assert not step.finished.is_set()
    holder.release()
    step.done()
    assert step.error is None and len(step.result[0]) == 1
    db.session.expire_all()
    assert db.session.scalars(select(GatheringMunicipality.cap).where(
        GatheringMunicipality.municipality_id == bergen_id)).one() == 4
