"""A fixed number of statements per page (issue 20): the table plan, table by table and person
by person, runs as many statements for the small Vestland world as for one with twice the
people from more municipalities, partners linked and written in, more counsellors and their
regions, more tables, rounds, neighbours, pins and pairs kept apart; and an out-of-date plan as
many for one person who lost their place as for four."""

import pytest

from eventapp.partners.services import create_partner
from eventapp.seating import services
from tests.conftest import login
from tests.querycount import statements
from tests.seating import world

VIEWS = ("", "?view=people")


@pytest.fixture
def w(db, make_user, make_gathering):
    w = world.build(make_user, make_gathering)
    g, host, u, people = w["gathering"], w["host"], w["units"], w["people"]
    world.setup_plan(w, commit=False)
    people["Nav"].partner_id = create_partner(host, g.county_id, name="NAV Vestland",
                                              kind="nav").id
    services.update_more_rules(g, host, apart_regions=[w["kari_user"].id, w["ola_user"].id],
                               spread_partner_kinds=True, apart_neighbours=True,
                               spread_large=True)
    services.add_neighbour(g, host, municipality_id=u[0].id, neighbour_id=u[1].id)
    _constraints(w, 0)
    db.session.commit()
    return w


def _constraints(w, n: int) -> None:
    """A pin and a pair kept apart among the world's people, the ``n``-th of each."""
    g, host, people = w["gathering"], w["host"], w["people"]
    rnd, table = services.rounds(g)[0], services.tables(g)[n]
    services.add_pin(g, host, registration_id=people[f"M{n}"].id, round_id=rnd.id,
                     table_id=table.id)
    services.add_apart(g, host, first_id=people[f"M{n + 1}"].id,
                       second_id=people[f"M{n + 2}"].id)


def _grow(db, make_user, w) -> None:
    g, host, u = w["gathering"], w["host"], w["units"]
    per = make_user("counsellor", county="46", name="Per Veileder",
                    municipalities=[x.number for x in u[8:16]])
    people = w["people"]
    for i, x in enumerate(u[8:20]):
        people[f"M{i + 8}"] = world.person(g, f"Deltaker {x.name}", where=x, commit=False,
                                           role=("leader", "programme_adviser", "other")[i % 3])
    people["Stab"] = world.person(g, "Stine Stab", role="county_staff", kind="county",
                                  commit=False)
    people["Vo"] = world.person(g, "Vera VO", role="partner", kind="partner",
                                partner="Voksenopplæringa Sunnfjord", commit=False)
    linked = world.person(g, "Imre IMDi", role="partner", kind="partner", partner="IMDi Vest",
                          commit=False)
    db.session.flush()
    linked.partner_id = create_partner(host, g.county_id, name="IMDi Vest", kind="imdi").id
    gw3 = world.item(g, "group_work", "Gruppearbeid 3", 2, 15)
    world.setup_plan(w, count=6, seats=6, rounds=[("mixed", w["gw1"].id),
                                                  ("regional", w["gw2"].id), ("mixed", gw3.id)],
                     commit=False)
    services.update_more_rules(g, host, apart_regions=[w["kari_user"].id, w["ola_user"].id,
                                                       per.id])
    for a, b in ((2, 3), (8, 9), (10, 11)):
        services.add_neighbour(g, host, municipality_id=u[a].id, neighbour_id=u[b].id)
    for n in (1, 2, 3):
        _constraints(w, n)
    db.session.commit()


def _plan(db, w) -> None:
    services.plan(w["gathering"], w["host"], time_limit_s=1)
    db.session.commit()


def _counts(client, w) -> list:
    found = []
    for view in VIEWS:
        url = f"/gatherings/{w['gathering'].id}/seating/plan{view}"
        with statements() as counted:
            response = client.get(url)
        assert response.status_code == 200
        found.append(counted)
    return found


def _assert_same(small: list, large: list) -> None:
    for view, few, many in zip(VIEWS, small, large, strict=True):
        assert many.n == few.n, f"{view or 'tables'}\nsmall: {few}\nlarge: {many}"


def test_the_plan_page(client, db, make_user, w):
    login(client, w["host"].email)
    _plan(db, w)
    small = _counts(client, w)
    _grow(db, make_user, w)
    _plan(db, w)
    assert services.current_plan(w["gathering"]).stale.count == 0
    large = _counts(client, w)
    _assert_same(small, large)


def test_an_out_of_date_plan(client, db, make_user, w):
    login(client, w["counsellor"].email)
    _plan(db, w)
    people = w["people"]
    people["M7"].status = "cancelled"
    db.session.commit()
    small = _counts(client, w)
    for key in ("M4", "M5", "M6"):
        people[key].status = "cancelled"
    db.session.commit()
    large = _counts(client, w)
    assert len(services.current_plan(w["gathering"]).stale.dropped) == 4
    _assert_same(small, large)
