"""A fixed number of statements per page (issue 20): the host's registrations list and the public
registration form run as many statements for a few registrations from two municipalities as for
many from a dozen, with county staff and partners (picked from the county's list or written in)
among them. ``crowd`` builds the registrations; the API's test reads the same crowd."""

from datetime import date, timedelta

import pytest

from eventapp.partners.services import create_partner
from eventapp.registration.services import RegistrationData, register, set_municipality_cap
from tests.conftest import login
from tests.querycount import statements
from tests.seating.world import units


@pytest.fixture
def crowd_world(db, make_user, make_gathering):
    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2, pool_cap=20)
    g.status = "open"
    db.session.commit()
    return {"gathering": g, "host": make_user("county_host", county="46"),
            "directorate": make_user("directorate", county=None)}


def crowd(db, gathering, host, first: int, last: int) -> None:
    """Registrations from Vestland's municipalities ``first`` to ``last - 1`` (by number): a
    leader and an adviser confirmed and a third waitlisted in each, the first of them with places
    the host raised; per call also one county staff member, one partner from the county's list
    and one written in, and a cancelled registration."""
    made = []

    def add(name: str, kind: str, role: str, **fields):
        made.append(register(gathering, RegistrationData(
            name=name, email=f"{name}@crowd.example", organisation_kind=kind, role=role,
            **fields), channel="host", actor=host))

    for unit in units()[first:last]:
        for n, role in enumerate(("leader", "programme_adviser", "other")):
            add(f"m{unit.number}-{n}", "municipality", role, municipality_number=unit.number,
                seating_wish="regional" if n == 2 else None)
    set_municipality_cap(gathering, host, units()[first], 3)
    add(f"county{first}", "county", "county_staff", county_number="46")
    partner = create_partner(host, gathering.county_id, name=f"NAV Krets {first}", kind="nav")
    add(f"partner{first}", "partner", "partner", partner_id=partner.id)
    add(f"written{first}", "partner", "partner", partner_name=f"Voksenopplæringa {first}")
    made[0].status, made[0].cancelled_at = "cancelled", made[0].created_at
    db.session.commit()


def counts_at_two_sizes(client, db, world, url: str, **request) -> tuple:
    """The statements of one GET of ``url`` with a small crowd, then with a large one."""
    g, host = world["gathering"], world["host"]
    crowd(db, g, host, 0, 2)
    with statements() as small:
        first = client.get(url, **request)
    crowd(db, g, host, 2, 12)
    with statements() as large:
        second = client.get(url, **request)
    assert first.status_code == second.status_code == 200
    return small, large, second


@pytest.mark.parametrize("query", ["", "?sort=name", "?status=confirmed&sort=-organisation"])
def test_the_registrations_list(client, db, crowd_world, query):
    login(client, crowd_world["host"].email)
    url = f"/gatherings/{crowd_world['gathering'].id}/registrations{query}"
    small, large, page = counts_at_two_sizes(client, db, crowd_world, url)
    assert "Voksenopplæringa 2" in page.get_data(as_text=True)
    assert large.n == small.n, f"small: {small}\nlarge: {large}"


def test_the_public_registration_form(client, db, crowd_world):
    url = f"/gatherings/{crowd_world['gathering'].id}/register"
    small, large, page = counts_at_two_sizes(client, db, crowd_world, url)
    assert "NAV Krets 2" in page.get_data(as_text=True)  # the partners to pick from
    assert large.n == small.n, f"small: {small}\nlarge: {large}"
