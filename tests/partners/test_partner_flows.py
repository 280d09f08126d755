"""Partners in the flows: a campaign invites the county's partner contacts (tracked like the
municipalities' invitations, the board unaffected), a registration picks a partner by form and
API, a partner of another county is refused, and partners_by_kind counted by hand."""

import re
from collections import Counter
from datetime import date
from email.utils import parseaddr

import pytest
from sqlalchemy import func, select

from eventapp.invitations import services as invitations
from eventapp.invitations.models import Campaign, Contact, Invitation
from eventapp.mail.services import send_due
from eventapp.partners.services import partners_by_kind
from eventapp.registration.models import Registration
from tests.conftest import get_csrf, login

LINK_RE = re.compile(r"http://localhost/r/([A-Za-z0-9_-]+)")


@pytest.fixture
def world(make_user, make_gathering, make_partner, places, db):
    host = make_user("county_host", county="46", name="Vilde Vertskap", email="vert@vlfk.no")
    gathering = make_gathering(county="46", title="Fylkessamling Vestland",
                               start=date(2027, 3, 10), end=date(2027, 3, 11))
    gathering.status = "open"
    nav = make_partner("NAV Bergen", "nav", contacts=[("Nils Nav", "nils@nav.no"),
                                                      ("Sluttet", "sluttet@nav.no", False)])
    imdi = make_partner("IMDi Vest", "imdi", contacts=[("Ida Imdi", "ida@imdi.no")])
    gone = make_partner("Nedlagt tolketjeneste", "interpreter_service", active=False,
                        contacts=[("Tor Tolk", "tor@tolk.no")])
    oslo = make_partner("NAV Oslo", "nav", county="03", contacts=[("Olga", "olga@nav.no")])
    unit = places.unit("4601")
    db.session.add(Contact(county_id=unit.county_id, municipality_id=unit.id, name="Leder Bergen",
                           email="leder@bergen.kommune.no", role="leader"))
    db.session.commit()
    return {"host": host, "gathering": gathering, "nav": nav, "imdi": imdi, "gone": gone,
            "oslo": oslo, "bergen": unit}


def _campaign(client, gathering) -> Campaign:
    subject, body = invitations.default_campaign_texts(gathering)
    url = f"/gatherings/{gathering.id}/campaigns/new"
    response = client.post(url, data={
        "sender_kind": "career_centre", "sender_name": "Karrieresenteret", "subject": subject,
        "body": body, "save": "1", "csrf_token": get_csrf(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)
    from eventapp.extensions import db

    return db.session.scalars(select(Campaign).order_by(Campaign.id.desc())).first()


def _send(client, gathering, campaign, municipalities=(), partners=(), confirmed=True):
    page = f"/gatherings/{gathering.id}/campaigns/{campaign.id}"
    data = {"csrf_token": get_csrf(client, page), "recipients": "chosen",
            "municipalities": [str(m.id) for m in municipalities],
            "partners": [str(p.id) for p in partners]}
    if confirmed:
        data["confirmed"] = "1"
    return client.post(page + "/send", data=data)


def test_a_campaign_invites_partner_contacts_and_tracks_them(world, client, db, smtp_server,
                                                             use_smtp):
    gathering, nav, imdi = world["gathering"], world["nav"], world["imdi"]
    login(client, "vert@vlfk.no")
    campaign = _campaign(client, gathering)
    page = client.get(f"/gatherings/{gathering.id}/campaigns/{campaign.id}").get_data(as_text=True)
    # The county's active partners with an active contact are offered; others are not.
    assert "NAV Bergen" in page and "IMDi Vest" in page
    assert "Nedlagt tolketjeneste" not in page and "NAV Oslo" not in page

    # The confirmation says how many, and at how many partners.
    question = _send(client, gathering, campaign, [world["bergen"]], [nav, imdi], confirmed=False)
    assert question.status_code == 200
    text = question.get_data(as_text=True)
    assert "3 kontaktpersoner" in text and "2 partnerorganisasjoner" in text
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0

    assert _send(client, gathering, campaign, [world["bergen"]], [nav, imdi]).status_code == 302
    rows = db.session.execute(select(Invitation.email, Invitation.municipality_id,
                                     Invitation.partner_id)).all()
    assert sorted(rows) == sorted([("leder@bergen.kommune.no", world["bergen"].id, None),
                                   ("nils@nav.no", None, nav.id), ("ida@imdi.no", None, imdi.id)])

    server = smtp_server()
    use_smtp(server.port)
    assert send_due().sent == 3
    assert Counter(parseaddr(m["To"])[1] for m in server.messages) == Counter(
        {"leder@bergen.kommune.no": 1, "nils@nav.no": 1, "ida@imdi.no": 1})
    body = server.to("nils@nav.no")[0].get_body(preferencelist=("plain",)).get_content()
    assert "NAV Bergen" in body
    token = LINK_RE.findall(body)[0]

    # Sending again mails nobody twice.
    assert _send(client, gathering, campaign, [], [nav, imdi]).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3

    # The personal link opens registration with the partner chosen, and the registration
    # through it is tracked on the campaign's page.
    visitor = client.application.test_client()
    form_page = visitor.get(f"/r/{token}")
    html = form_page.get_data(as_text=True)
    assert form_page.status_code == 200
    assert re.search(rf'<option selected value="{nav.id}">|<option value="{nav.id}" selected',
                     html), html
    response = visitor.post(f"/r/{token}", data={
        "csrf_token": get_csrf(visitor, f"/r/{token}"), "name": "Nils Nav",
        "email": "nils@nav.no", "organisation_kind": "partner", "partner_id": str(nav.id),
        "partner_name": "", "role": "partner", "day1": "y", "day2": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = db.session.scalars(select(Registration)).one()
    invitation = invitations.invitation_by_token(token)
    assert (registration.partner_id, registration.partner_name, registration.invitation_id) == (
        nav.id, "NAV Bergen", invitation.id)
    assert invitation.opened_at is not None
    progress = invitations.campaign_progress([campaign.id])[campaign.id]
    assert (progress["recipients"], progress["sent"], progress["opened"]) == (3, 3, 1)
    recipients = {i.email: registered for i, registered in
                  invitations.campaign_recipients(campaign)}
    assert recipients == {"leder@bergen.kommune.no": False, "nils@nav.no": True,
                          "ida@imdi.no": False}
    page = client.get(f"/gatherings/{gathering.id}/campaigns/{campaign.id}").get_data(as_text=True)
    assert "IMDi Vest" in page and "Partner" in page

    # The board counts municipalities only: Bergen was reached, nobody else by the partners.
    states = invitations.municipality_states(gathering)
    assert states[world["bergen"].id] == "reached"
    assert sum(1 for s in states.values() if s != "not_reached") == 1
    board = client.get(f"/gatherings/{gathering.id}/board")
    assert board.status_code == 200


def test_partners_only_and_refused_partners(world, client, db):
    gathering = world["gathering"]
    login(client, "vert@vlfk.no")
    campaign = _campaign(client, gathering)
    # Another county's partner, or a deactivated one: refused beside the field, nothing sent.
    for partner in (world["oslo"], world["gone"]):
        response = _send(client, gathering, campaign, [], [partner])
        assert response.status_code == 422
        assert "Velg aktive partnerorganisasjoner i dette fylket." in response.get_data(
            as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    # Partners alone (no municipality) is a send of its own.
    assert _send(client, gathering, campaign, [], [world["imdi"]]).status_code == 302
    assert db.session.scalars(select(Invitation.email)).all() == ["ida@imdi.no"]


# --- registration picks a partner ------------------------------------------------------------

def _register_form(client, gathering, **fields):
    url = f"/gatherings/{gathering.id}/register"
    data = {"csrf_token": get_csrf(client, url), "name": "Per Partner", "email": "per@nav.no",
            "organisation_kind": "partner", "partner_id": "", "partner_name": "",
            "role": "partner", "day1": "y", "day2": "y", **fields}
    return client.post(url, data=data)


def test_registration_form_picks_a_partner_or_takes_free_text(world, client, db):
    gathering, nav = world["gathering"], world["nav"]
    page = client.get(f"/gatherings/{gathering.id}/register").get_data(as_text=True)
    assert "NAV Bergen (NAV)" in page and "IMDi Vest (IMDi)" in page
    assert "NAV Oslo" not in page and "Nedlagt tolketjeneste" not in page

    response = _register_form(client, gathering, partner_id=str(nav.id),
                              partner_name="Skrevet inn")
    assert response.status_code == 302
    picked = db.session.scalars(select(Registration)).one()
    assert (picked.partner_id, picked.partner_name) == (nav.id, "NAV Bergen")

    other = client.application.test_client()
    response = _register_form(other, gathering, email="fri@tekst.no",
                              partner_name="Røde Kors Bergen")
    assert response.status_code == 302
    free = db.session.scalars(select(Registration).where(Registration.email == "fri@tekst.no")).one()
    assert (free.partner_id, free.partner_name) == (None, "Røde Kors Bergen")


@pytest.mark.parametrize("which", ["oslo", "gone", "nonsense", "huge"])
def test_registration_form_refuses_a_partner_not_of_the_county(world, client, db, which):
    gathering = world["gathering"]
    value = {"oslo": str(world["oslo"].id), "gone": str(world["gone"].id), "nonsense": "abc",
             "huge": "99999999999999999999"}[which]
    response = _register_form(client, gathering, partner_id=value)
    assert response.status_code == 422
    assert "Velg en av partnerorganisasjonene i Vestland" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.fixture
def api_host(world, auth, db):
    from eventapp.api.services import create_token

    _token, raw = create_token(world["host"], "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _api_register(client, gathering, headers, organisation, email="api@nav.no"):
    return client.post(f"/api/v1/gatherings/{gathering.id}/registrations", headers=headers, json={
        "name": "Api Partner", "email": email, "organisation": organisation, "role": "partner"})


def test_api_registration_with_partner_id(world, client, db, api_host):
    gathering, imdi = world["gathering"], world["imdi"]
    response = _api_register(client, gathering, api_host,
                             {"kind": "partner", "partner_id": imdi.id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["organisation"] == {"kind": "partner", "name": "IMDi Vest",
                                    "partner_id": imdi.id}
    registration = db.session.get(Registration, body["id"])
    assert (registration.partner_id, registration.partner_name) == (imdi.id, "IMDi Vest")


@pytest.mark.parametrize("organisation,field", [
    ({"kind": "partner", "partner_id": "OSLO"}, "partner_id"),
    ({"kind": "partner", "partner_id": "GONE"}, "partner_id"),
    ({"kind": "partner", "partner_id": 2147483000}, "partner_id"),
    ({"kind": "county", "number": "46", "partner_id": "NAV"}, "organisation.partner_id"),
])
def test_api_refuses_a_partner_of_another_county(world, client, db, api_host, organisation,
                                                 field):
    ids = {"OSLO": world["oslo"].id, "GONE": world["gone"].id, "NAV": world["nav"].id}
    organisation = {k: ids.get(v, v) if isinstance(v, str) and k == "partner_id" else v
                    for k, v in organisation.items()}
    response = _api_register(client, world["gathering"], api_host, organisation)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_database_keeps_partner_id_to_partners(world, db):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Registration(
        gathering_id=world["gathering"].id, organisation_kind="municipality",
        municipality_id=world["bergen"].id, partner_id=world["nav"].id, name="X",
        email="x@bergen.no", role="leader", status="confirmed", channel="host"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # An invitation names a municipality or a partner, never both, never neither.
    campaign = Campaign(gathering_id=world["gathering"].id, sender_kind="career_centre",
                        sender_name="K", subject="S", body="B {link}")
    db.session.add(campaign)
    db.session.flush()
    for names in ({"municipality_id": world["bergen"].id, "partner_id": world["nav"].id}, {}):
        db.session.add(Invitation(gathering_id=world["gathering"].id, campaign_id=campaign.id,
                                  name="X", email="x@x.no", **names))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(campaign := Campaign(
            gathering_id=world["gathering"].id, sender_kind="career_centre", sender_name="K",
            subject="S", body="B {link}"))
        db.session.flush()


# --- counting by kind -------------------------------------------------------------------------

def _reg(db, gathering, email, *, partner=None, name=None, kind="partner", status="confirmed",
         attended=None, unit=None):
    db.session.add(Registration(
        gathering_id=gathering.id, organisation_kind=kind,
        municipality_id=unit.id if unit is not None else None,
        partner_id=partner.id if partner is not None else None,
        partner_name=(partner.name if partner is not None else name) if kind == "partner" else None,
        name="P", email=email, role="partner", status=status, channel="host", attended=attended))


def test_partners_by_kind_counted_by_hand(world, make_gathering, db):
    first, nav, imdi, gone = world["gathering"], world["nav"], world["imdi"], world["gone"]
    second = make_gathering(county="46", title="Samling 2", start=date(2027, 9, 1),
                            end=date(2027, 9, 2))
    elsewhere = make_gathering(county="03", title="Oslo", start=date(2027, 5, 1),
                               end=date(2027, 5, 1))
    # First gathering: no check-in yet, so every confirmed registration counts.
    _reg(db, first, "a@x.no", partner=nav)                       # nav
    _reg(db, first, "b@x.no", partner=nav)                       # nav
    _reg(db, first, "c@x.no", partner=imdi)                      # imdi
    _reg(db, first, "d@x.no", name="Røde Kors")                  # free text: other
    _reg(db, first, "e@x.no", partner=gone)                      # interpreter_service
    _reg(db, first, "f@x.no", partner=nav, status="waitlisted")  # not counted
    _reg(db, first, "g@x.no", partner=nav, status="cancelled")   # not counted
    _reg(db, first, "h@x.no", kind="municipality", unit=world["bergen"])  # not a partner
    # Second gathering: check-in has run (someone came), so only those who came count.
    _reg(db, second, "i@x.no", partner=imdi, attended=True)      # imdi
    _reg(db, second, "j@x.no", partner=imdi, attended=False)     # did not come
    _reg(db, second, "k@x.no", partner=nav)                      # not checked in: not counted
    _reg(db, second, "l@x.no", name="Frivilligsentralen", attended=True)  # other
    # Another county's gathering, not asked about.
    _reg(db, elsewhere, "m@x.no", partner=world["oslo"])
    db.session.commit()

    expected_first = {"nav": 2, "adult_education": 0, "imdi": 1, "statsforvalteren": 0,
                      "interpreter_service": 1, "voluntary": 0, "other": 1}
    assert partners_by_kind([first.id]) == expected_first
    assert partners_by_kind([second.id]) == {**dict.fromkeys(expected_first, 0),
                                             "imdi": 1, "other": 1}
    both = partners_by_kind([first.id, second.id])
    assert both == {**expected_first, "imdi": 2, "other": 2}
    assert sum(both.values()) == 7
    assert partners_by_kind([]) == dict.fromkeys(expected_first, 0)
    assert partners_by_kind([elsewhere.id])["nav"] == 1


def test_the_seating_input_carries_the_partner_kind(world, db):
    from eventapp.seating.services.instance import build_instance

    gathering = world["gathering"]
    _reg(db, gathering, "a@x.no", partner=world["imdi"])
    _reg(db, gathering, "b@x.no", name="Røde Kors")
    _reg(db, gathering, "c@x.no", kind="municipality", unit=world["bergen"])
    db.session.commit()
    people = {p["organisation"]: p for p in build_instance(gathering)["people"]}
    assert people["IMDi Vest"]["partner_kind"] == "imdi"
    assert people["Røde Kors"]["partner_kind"] == "other"
    assert "partner_kind" not in people["4601"]
