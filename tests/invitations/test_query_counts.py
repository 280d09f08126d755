"""A fixed number of statements per page (issue 20): the municipality board and one
municipality's page on it run as many statements for a campaign to two municipalities as for
two campaigns to twenty, with their contacts, counsellors, opened and failed mails, outreach,
registrations and follow-up notes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.invitations.models import Campaign, Contact, Outreach
from eventapp.registration.models import GatheringMunicipality
from tests.conftest import login
from tests.invitations.test_board import _invite, _registration, _today
from tests.querycount import statements
from tests.seating.world import units


@pytest.fixture
def board_world(db, make_user, make_gathering):
    return {"gathering": make_gathering(county="46", municipal_cap=2),
            "host": make_user("county_host", county="46"),
            "directorate": make_user("directorate", county=None)}


def activity(db, make_user, world, batch: int, chosen: list, sender: str) -> None:
    """Campaign ``batch`` from ``sender`` to the municipalities ``chosen``: two contacts each
    (one opened the link, one mail failed), a counsellor of their own who called and visited,
    a registration confirmed and one waitlisted, and (once) barriers and a next step noted."""
    g, host = world["gathering"], world["host"]
    counsellor = make_user("counsellor", county="46", name=f"Veileder {batch}",
                           municipalities=[u.number for u in chosen])
    campaign = Campaign(gathering_id=g.id, sender_kind=sender, sender_name=sender,
                        subject="Invitasjon", body="{link}", status="sent",
                        created_by_id=host.id,
                        counsellor_id=counsellor.id if sender == "counsellor" else None)
    db.session.add(campaign)
    db.session.flush()
    noted = set(db.session.scalars(select(GatheringMunicipality.municipality_id).where(
        GatheringMunicipality.gathering_id == g.id)))
    for u in chosen:
        for n in range(2):
            email = f"k{n}.{batch}@k{u.number}.example"
            db.session.add(Contact(county_id=g.county_id, municipality_id=u.id,
                                   name=f"Kontakt {n}.{batch} {u.name}", email=email,
                                   role="leader"))
            _invite(db, g, campaign, u, email, opened=n == 0, failed=n == 1)
        for channel in ("phone", "visit"):
            db.session.add(Outreach(gathering_id=g.id, municipality_id=u.id,
                                    user_id=counsellor.id, channel=channel,
                                    happened_on=_today() - timedelta(days=batch + 1),
                                    note=f"{channel} {batch}"))
        _registration(db, g, u, f"r.{batch}@k{u.number}.example")
        _registration(db, g, u, f"w.{batch}@k{u.number}.example", status="waitlisted")
        if u.id not in noted:
            db.session.add(GatheringMunicipality(
                gathering_id=g.id, municipality_id=u.id, cap=3, barrier_travel_cost=True,
                barrier_other="Vakter", offered_travel_support=True, next_step="Ring igjen"))
    db.session.commit()


@pytest.mark.parametrize("who,query", [("host", ""), ("host", "?sort=-registered&q=a"),
                                       ("directorate", "?state=reached")])
def test_the_board(client, db, make_user, board_world, who, query):
    login(client, board_world[who].email)
    url = f"/gatherings/{board_world['gathering'].id}/board{query}"
    activity(db, make_user, board_world, 0, units()[0:2], "career_centre")
    with statements() as small:
        assert client.get(url).status_code == 200
    activity(db, make_user, board_world, 1, units()[2:20], "integration_adviser")
    with statements() as large:
        assert client.get(url).status_code == 200
    assert large.n == small.n, f"small: {small}\nlarge: {large}"


def test_one_municipality_on_the_board(client, db, make_user, board_world):
    login(client, board_world["host"].email)
    first = units()[0]
    url = f"/gatherings/{board_world['gathering'].id}/board/{first.id}"
    activity(db, make_user, board_world, 0, units()[0:2], "career_centre")
    with statements() as small:
        assert client.get(url).status_code == 200
    for batch, sender in enumerate(("integration_adviser", "career_centre", "counsellor"), 1):
        activity(db, make_user, board_world, batch, units()[0:3], sender)  # the same again
    with statements() as large:
        page = client.get(url)
    assert page.status_code == 200 and "Veileder 0" in page.get_data(as_text=True)
    assert large.n == small.n, f"small: {small}\nlarge: {large}"
