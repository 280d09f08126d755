"""Registering within caps: personal and public links, waitlists, cancellation, concurrency."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.invitations.models import Campaign, Invitation
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services import RegistrationData, cancel, register
from tests.conftest import get_csrf


@pytest.fixture
def gathering(open_gathering):
    return open_gathering


def person(n, municipality="4601", **kw):
    return RegistrationData(name=f"Person {n}", email=f"p{n}@kommune.example",
                            organisation_kind="municipality", municipality_number=municipality,
                            role="programme_adviser", **kw)


def statuses(db, **where):
    stmt = select(Registration.status, func.count()).group_by(Registration.status)
    for name, value in where.items():
        stmt = stmt.where(getattr(Registration, name) == value)
    return dict(db.session.execute(stmt).all())


def test_two_places_per_municipality_then_the_waitlist(db, gathering, places):
    results = [register(gathering, person(i), channel="public_link").status for i in range(4)]
    db.session.commit()
    assert results == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    # Another municipality has its own two places.
    assert register(gathering, person(9, "4602"), channel="public_link").status == "confirmed"


def test_a_raised_cap_lets_more_in_and_lowering_removes_nobody(db, gathering, places):
    row = GatheringMunicipality(gathering_id=gathering.id, municipality_id=places.unit("4601").id,
                                cap=3)
    db.session.add(row)
    db.session.commit()
    assert [register(gathering, person(i), channel="host").status for i in range(4)] == \
        ["confirmed", "confirmed", "confirmed", "waitlisted"]
    row.cap = 1
    db.session.commit()
    assert statuses(db) == {"confirmed": 3, "waitlisted": 1}


def test_pool_and_venue_capacity(db, gathering, places):
    gathering.pool_cap = 2
    db.session.commit()
    partner = [RegistrationData(name=f"NAV {i}", email=f"nav{i}@nav.example",
                                organisation_kind="partner", partner_name="NAV Vestland",
                                role="partner") for i in range(3)]
    assert [register(gathering, p, channel="public_link").status for p in partner] == \
        ["confirmed", "confirmed", "waitlisted"]
    gathering.capacity = 3
    db.session.commit()
    assert register(gathering, person(1), channel="public_link").status == "confirmed"
    assert register(gathering, person(2, "4602"), channel="public_link").status == "waitlisted"


@pytest.mark.parametrize("data,field", [
    (RegistrationData(name="", email="a@b.example", organisation_kind="municipality",
                      municipality_number="4601", role="leader"), "name"),
    (RegistrationData(name="A", email="not-an-email", organisation_kind="municipality",
                      municipality_number="4601", role="leader"), "email"),
    (RegistrationData(name="A", email="a@b.example", organisation_kind="municipality",
                      municipality_number="1103", role="leader"), "municipality"),  # Rogaland
    (RegistrationData(name="A", email="a@b.example", organisation_kind="municipality",
                      municipality_number="9999", role="leader"), "municipality"),
    (RegistrationData(name="A", email="a@b.example", organisation_kind="partner", role="partner"),
     "partner_name"),
    (RegistrationData(name="A", email="a@b.example", organisation_kind="municipality",
                      municipality_number="4601", role="boss"), "role"),
    (RegistrationData(name="A", email="a@b.example", organisation_kind="municipality",
                      municipality_number="4601", role="leader", day1=False, day2=False), "days"),
    (RegistrationData(name="A", email="a@b.example", organisation_kind="municipality",
                      municipality_number="4601", role="leader", dietary_needs="Nøtter"),
     "dietary_consent"),
])
def test_bad_input_is_refused_and_changes_nothing(db, gathering, places, data, field):
    with pytest.raises(ValidationFailed) as exc:
        register(gathering, data, channel="public_link")
    assert field in exc.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_same_email_twice_is_refused(db, gathering, places):
    register(gathering, person(1), channel="public_link")
    db.session.commit()
    again = person(1)
    again.email = "P1@Kommune.example"
    with pytest.raises(ValidationFailed) as exc:
        register(gathering, again, channel="public_link")
    assert "email" in exc.value.fields


def test_after_the_deadline_only_the_host_registers(db, gathering, places, make_user):
    gathering.registration_closes = date.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        register(gathering, person(1), channel="public_link")
    host = make_user("county_host", county="46")
    assert register(gathering, person(1), channel="host", actor=host).status == "confirmed"


def test_cancelling_promotes_the_first_on_the_waitlist_and_mails_them(db, gathering, places):
    first, second, third, fourth = (register(gathering, person(i), channel="public_link")
                                    for i in range(4))
    db.session.commit()
    assert (third.status, fourth.status) == ("waitlisted", "waitlisted")
    promoted = cancel(second)
    db.session.commit()
    assert promoted == [third] and third.status == "confirmed" and fourth.status == "waitlisted"
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == third.email)
                               .order_by(OutboxMessage.id)).all()
    assert [m.kind for m in mails] == ["registration.waitlisted", "registration.confirmed"]


def test_personal_link_opens_the_form_with_the_municipality_and_records_the_channel(
        client, db, gathering, places):
    campaign = Campaign(gathering_id=gathering.id, sender_kind="career_centre",
                        sender_name="Karrieresenteret", subject="Invitasjon", body="{link}")
    db.session.add(campaign)
    db.session.flush()
    invitation = Invitation(gathering_id=gathering.id, campaign_id=campaign.id,
                            municipality_id=places.unit("4624").id, name="Berit Bjørnafjorden",
                            email="berit@bjornafjorden.example")
    db.session.add(invitation)
    db.session.commit()
    url = f"/r/{invitation.token}"
    page = client.get(url).get_data(as_text=True)
    assert "Bjørnafjorden" in page and 'value="berit@bjornafjorden.example"' in page
    assert db.session.get(Invitation, invitation.id).open_count == 1
    response = client.post(url, data={
        "csrf_token": get_csrf(client, url), "name": "Berit Bjørnafjorden",
        "email": "berit@bjornafjorden.example", "organisation_kind": "municipality",
        "municipality": "4601",  # tampered: the link decides the municipality
        "role": "leader", "day1": "y", "day2": "y"})
    assert response.status_code == 302
    saved = db.session.scalars(select(Registration)).one()
    assert saved.municipality.number == "4624" and saved.channel == "personal_link"
    assert saved.invitation_id == invitation.id and saved.status == "confirmed"
    manage = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Berit Bjørnafjorden" in manage
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.attachments[0].filename == "samling.ics"
    assert re.search(r"/registration/\S+", mail.body_text)
    assert client.get("/r/not-a-token").status_code == 404


def test_public_link_for_a_draft_is_not_found_and_errors_show_beside_fields(
        client, db, gathering, places):
    url = f"/gatherings/{gathering.id}/register"
    response = client.post(url, data={"csrf_token": get_csrf(client, url), "name": "",
                                      "email": "x", "organisation_kind": "municipality",
                                      "municipality": "", "role": "leader", "day1": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    gathering.status = "draft"
    db.session.commit()
    assert client.get(url).status_code == 404


def test_own_cancellation_by_the_private_link(client, db, gathering, places):
    registration = register(gathering, person(1), channel="public_link")
    waiting = [register(gathering, person(i), channel="public_link") for i in (2, 3)]
    db.session.commit()
    url = f"/registration/{registration.manage_token}"
    response = client.post(f"{url}/cancel", data={"csrf_token": get_csrf(client, url),
                                                "confirmed": "1"})
    assert response.status_code == 302
    assert db.session.get(Registration, registration.id).status == "cancelled"
    assert db.session.get(Registration, waiting[1].id).status == "confirmed"


def test_api_create_and_list_registrations(client, db, gathering, make_user):
    from eventapp.api.services import create_token

    host = make_user("county_host", county="46")
    _t, raw = create_token(host, "t")
    other = make_user("county_host", county="11")
    _t, raw_other = create_token(other, "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"name": "Kari Nordmann", "email": "kari@example.no",
            "organisation": {"kind": "municipality", "number": "4601"}, "role": "leader",
            "days": [1, 2], "attends_dinner": True, "dietary_needs": "",
            "travel_support_requested": False}
    response = client.post(f"/api/v1/gatherings/{gathering.id}/registrations", json=body,
                           headers=headers)
    assert response.status_code == 201
    assert response.get_json()["status"] == "confirmed"
    again = client.post(f"/api/v1/gatherings/{gathering.id}/registrations", json=body,
                        headers=headers)
    assert again.status_code == 422 and "email" in again.get_json()["error"]["fields"]
    listed = client.get(f"/api/v1/gatherings/{gathering.id}/registrations", headers=headers)
    assert [r["email"] for r in listed.get_json()] == ["kari@example.no"]
    intruder = {"Authorization": f"Bearer {raw_other}"}
    assert client.get(f"/api/v1/gatherings/{gathering.id}/registrations",
                      headers=intruder).status_code == 404
    assert client.post(f"/api/v1/gatherings/{gathering.id}/registrations", json=body,
                       headers=intruder).status_code == 404
