"""The host's registrations page and registering anyone, municipal contacts registering and
swapping their own people, changing one's own registration, and the caps API (issue 5)."""

from datetime import date, timedelta

import jsonschema
import pytest
from sqlalchemy import func, select

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services import RegistrationData, register
from tests.conftest import get_csrf, login

BERGEN, STORD = "4601", "4614"


@pytest.fixture
def world(db, places, make_user, make_gathering):
    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2)
    g.status = "open"
    other = make_gathering(county="11", start=date.today() + timedelta(days=60),
                           end=date.today() + timedelta(days=61))
    other.status = "open"
    db.session.commit()
    return {
        "gathering": g, "other": other,
        "host": make_user("county_host", county="46", email="vert@vestland.example"),
        "counsellor": make_user("counsellor", county="46", email="veileder@vestland.example"),
        "bergen": make_user("municipal_contact", county="46", municipality=BERGEN,
                            email="kontakt@bergen.example"),
        "stord": make_user("municipal_contact", county="46", municipality=STORD,
                           email="kontakt@stord.example"),
        "outsider": make_user("county_host", county="11", email="vert@rogaland.example"),
        "directorate": make_user("directorate", county=None, email="hkdir@example.no"),
    }


def person(name, municipality=BERGEN, role="programme_adviser", **kw):
    return RegistrationData(name=name.title(), email=f"{name}@kommune.example",
                            organisation_kind="municipality", municipality_number=municipality,
                            role=role, **kw)


def county_person(name, role):
    return RegistrationData(name=name.title(), email=f"{name}@vlfk.example",
                            organisation_kind="county", role=role)


def add(db, gathering, *people, channel="public_link"):
    made = [register(gathering, p, channel=channel) for p in people]
    db.session.commit()
    return made


def count(db, **where):
    stmt = select(func.count()).select_from(Registration)
    for name, value in where.items():
        stmt = stmt.where(getattr(Registration, name) == value)
    return db.session.scalar(stmt)


def mails_to(db, address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)
                              .order_by(OutboxMessage.id)).all()


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, page or url)})


def form(name, municipality=BERGEN, **extra):
    return {"name": name.title(), "email": f"{name}@kommune.example", "phone": "",
            "role": "leader", "organisation_kind": "municipality",
            "municipality": municipality, "day1": "y", "day2": "y", **extra}


def bearer(db, user):
    _t, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def schema(operation_id):
    return next(o for o in OPERATIONS if o.operation_id == operation_id).response


# --- the host registers anyone ----------------------------------------------------------------

def test_host_registers_after_the_deadline_and_the_contact_cannot(client, db, world):
    g = world["gathering"]
    g.registration_closes = date.today() - timedelta(days=1)
    db.session.commit()
    login(client, world["bergen"].email)
    url = f"/gatherings/{g.id}/our-registrations"
    assert post(client, url, form("sen")).status_code == 422
    assert count(db) == 0
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})

    login(client, world["host"].email)
    url = f"/gatherings/{g.id}/registrations/new"
    response = post(client, url, form("etternoler", dietary_needs="Gluten",
                                      dietary_consent="y"))
    assert response.status_code == 302
    r = db.session.scalars(select(Registration)).one()
    assert (r.channel, r.status, r.created_by_id) == ("host", "confirmed", world["host"].id)
    assert r.dietary_needs == "Gluten" and r.dietary_consent
    assert [m.kind for m in mails_to(db, r.email)] == ["registration.confirmed"]
    # The host registers county staff and partners too.
    assert post(client, url, {"name": "Nav Person", "email": "nav@nav.example", "role": "partner",
                              "organisation_kind": "partner", "partner_name": "NAV Vestland",
                              "day1": "y"}).status_code == 302
    assert count(db, organisation_kind="partner") == 1
    # Bad input: a message beside the field, nothing changed.
    bad = post(client, url, form("feil", email="ikke-en-adresse"))
    assert bad.status_code == 422 and 'id="email-error"' in bad.get_data(as_text=True)
    assert count(db) == 2


def test_only_the_host_registers_people_and_sees_the_list(client, db, world):
    g = world["gathering"]
    for who, code in [("counsellor", 403), ("bergen", 403), ("directorate", 403),
                      ("outsider", 404)]:
        login(client, world[who].email)
        assert client.get(f"/gatherings/{g.id}/registrations").status_code == code, who
        assert client.get(f"/gatherings/{g.id}/registrations/new").status_code == code, who
        client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    assert client.get(f"/gatherings/{g.id}/registrations").status_code == 302  # to login


# --- municipal contacts --------------------------------------------------------------------------

def test_municipal_contact_registers_for_their_own_municipality_only(client, db, world):
    g = world["gathering"]
    add(db, g, person("stordbu", STORD))
    login(client, world["bergen"].email)
    url = f"/gatherings/{g.id}/our-registrations"
    assert post(client, url, form("leder")).status_code == 302
    mine = db.session.scalars(select(Registration).where(
        Registration.email == "leder@kommune.example")).one()
    assert (mine.municipality.number, mine.channel, mine.status) == \
        (BERGEN, "municipal_contact", "confirmed")
    assert [m.kind for m in mails_to(db, mine.email)] == ["registration.confirmed"]
    # Another municipality: refused, nothing made.
    assert post(client, url, form("snik", municipality=STORD)).status_code == 403
    assert post(client, url, form("snik", organisation_kind="county")).status_code == 422
    assert count(db, email="snik@kommune.example") == 0
    # The page shows Bergen's people and places, never Stord's.
    page = client.get(url).get_data(as_text=True)
    assert "leder@kommune.example" in page and "stordbu@kommune.example" not in page
    assert f'href="/gatherings/{g.id}/our-registrations/{mine.id}/swap"' in page


def test_who_may_use_the_municipal_page(client, db, world):
    g, other = world["gathering"], world["other"]
    login(client, world["bergen"].email)
    assert client.get(f"/gatherings/{other.id}/our-registrations").status_code == 404
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    for who in ("host", "counsellor"):
        login(client, world[who].email)
        assert client.get(f"/gatherings/{g.id}/our-registrations").status_code == 403
        client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


def test_when_the_places_are_taken_the_colleague_is_waitlisted_and_told(client, db, world):
    g = world["gathering"]
    add(db, g, person("a"), person("b"))
    login(client, world["bergen"].email)
    client.set_cookie("lang", "en")
    url = f"/gatherings/{g.id}/our-registrations"
    response = post(client, url, form("c"))
    assert response.status_code == 302
    assert count(db, email="c@kommune.example", status="waitlisted") == 1
    page = client.get(url).get_data(as_text=True)
    assert "on the waitlist" in page and "No places left" in page


# --- swaps ---------------------------------------------------------------------------------

def test_a_swap_keeps_the_place_and_mails_both(client, db, world):
    g = world["gathering"]
    a, b, c = add(db, g, person("a", dietary_needs="Nøtter", dietary_consent=True,
                                list_consent=True), person("b"), person("c"))
    old_token, a_id = a.manage_token, a.id
    assert c.status == "waitlisted"
    login(client, world["bergen"].email)
    url = f"/gatherings/{g.id}/our-registrations/{a_id}/swap"
    response = post(client, url, {"name": "Dina Ny", "email": "Dina@Kommune.example",
                                  "phone": "99999999", "role": "leader"})
    assert response.status_code == 302
    db.session.expire_all()
    swapped = db.session.get(Registration, a_id)
    assert (swapped.id, swapped.status, swapped.municipality.number) == (a_id, "confirmed", BERGEN)
    assert (swapped.name, swapped.email, swapped.role) == ("Dina Ny", "dina@kommune.example",
                                                           "leader")
    assert swapped.manage_token != old_token
    # The old person's needs and consent went with them.
    assert swapped.dietary_needs is None and not swapped.list_consent
    # Counts and the waitlist are untouched.
    assert count(db, status="confirmed") == 2 and db.session.get(Registration, c.id).status == \
        "waitlisted"
    new_mail = mails_to(db, "dina@kommune.example")
    assert [m.kind for m in new_mail] == ["registration.confirmed"]
    assert [att.filename for att in new_mail[0].attachments] == ["samling.ics"]
    assert swapped.manage_token in new_mail[0].body_text
    assert [m.kind for m in mails_to(db, "a@kommune.example")][-1] == "registration.swapped"
    # The old private link no longer opens anything.
    assert client.get(f"/registration/{old_token}").status_code == 404

    # A waitlisted person swapped keeps their place in the queue.
    url_c = f"/gatherings/{g.id}/our-registrations/{c.id}/swap"
    assert post(client, url_c, {"name": "Eva", "email": "eva@kommune.example",
                                "role": "programme_adviser"}).status_code == 302
    assert db.session.get(Registration, c.id).status == "waitlisted"
    assert db.session.get(Registration, c.id).email == "eva@kommune.example"


def test_a_swap_to_someone_already_registered_is_refused(client, db, world):
    g = world["gathering"]
    a, b = add(db, g, person("a"), person("b"))
    add(db, g, person("stordbu", STORD))
    login(client, world["bergen"].email)
    for email in ("b@kommune.example", "stordbu@kommune.example", "a@kommune.example",
                  "not-an-email"):
        response = post(client, f"/gatherings/{g.id}/our-registrations/{a.id}/swap",
                        {"name": "Dobbel", "email": email, "role": "leader"})
        assert response.status_code == 422, email
        assert 'id="email-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, a.id).email == "a@kommune.example"
    assert [m.kind for m in mails_to(db, "a@kommune.example")] == ["registration.confirmed"]


def test_a_contact_cannot_swap_another_municipalitys_person(client, db, world):
    g = world["gathering"]
    (a,) = add(db, g, person("a"))
    login(client, world["stord"].email)
    url = f"/gatherings/{g.id}/our-registrations/{a.id}/swap"
    assert client.get(url).status_code == 404
    response = client.post(url, data={"name": "X", "email": "x@kommune.example",
                                      "role": "leader",
                                      "csrf_token": get_csrf(client,
                                                             f"/gatherings/{g.id}/our-registrations")})
    assert response.status_code == 404
    assert db.session.get(Registration, a.id).email == "a@kommune.example"


# --- cancelling and caps -------------------------------------------------------------------------

def test_host_cancel_promotes_the_first_of_the_same_municipality_and_mails_them(client, db, world):
    g = world["gathering"]
    # Stord's waitlist is older than Bergen's: the promotion must still stay within Bergen.
    add(db, g, person("s1", STORD), person("s2", STORD), person("s3", STORD))
    a, b, c, d = add(db, g, person("a"), person("b"), person("c"), person("d"))
    assert [r.status for r in (a, b, c, d)] == ["confirmed", "confirmed", "waitlisted",
                                               "waitlisted"]
    login(client, world["host"].email)
    page = f"/gatherings/{g.id}/registrations"
    response = post(client, f"/gatherings/{g.id}/registrations/{a.id}/cancel", {"confirmed": "1"},
                    page=page)
    assert response.status_code == 302
    db.session.expire_all()
    status = {r.email.split("@")[0]: r.status for r in db.session.scalars(select(Registration))}
    assert status == {"s1": "confirmed", "s2": "confirmed", "s3": "waitlisted",
                      "a": "cancelled", "b": "confirmed", "c": "confirmed", "d": "waitlisted"}
    assert [m.kind for m in mails_to(db, "c@kommune.example")] == \
        ["registration.waitlisted", "registration.confirmed"]
    assert [m.kind for m in mails_to(db, "d@kommune.example")] == ["registration.waitlisted"]

    # A counsellor may not cancel (no place changes hands).
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    login(client, world["counsellor"].email)
    response = client.post(f"/gatherings/{g.id}/registrations/{b.id}/cancel",
                           data={"csrf_token": get_csrf(client, "/"), "confirmed": "1"})
    assert response.status_code == 403
    assert db.session.get(Registration, b.id).status == "confirmed"


def test_lowering_a_cap_removes_nobody_and_raising_promotes(client, db, world):
    g = world["gathering"]
    a, b, c = add(db, g, person("a"), person("b"), person("c"))
    headers = bearer(db, world["host"])
    url = f"/api/v1/gatherings/{g.id}/caps/{BERGEN}"
    low = client.put(url, json={"cap": 1}, headers=headers)
    assert low.status_code == 200
    body = low.get_json()
    jsonschema.validate(body, schema("setOrganisationCap"))
    assert (body["cap"], body["confirmed"], body["waitlisted"], body["promoted"]) == (1, 2, 1, [])
    assert count(db, status="confirmed") == 2
    # Still full at 2 with a cap of 2: nobody promoted; at 3, the first waiting gets the place.
    assert client.put(url, json={"cap": 2}, headers=headers).get_json()["promoted"] == []
    high = client.put(url, json={"cap": 3}, headers=headers).get_json()
    assert high["promoted"] == [c.id] and high["confirmed"] == 3
    assert mails_to(db, "c@kommune.example")[-1].kind == "registration.confirmed"
    # null: the gathering's cap (2) applies again; the three keep their places.
    back = client.put(url, json={"cap": None}, headers=headers).get_json()
    assert (back["cap"], back["overridden"], back["confirmed"]) == (2, False, 3)
    row = db.session.scalars(select(GatheringMunicipality)).one()
    assert row.cap is None


def test_cap_status_lists_every_municipality_and_the_pool(client, db, world):
    g = world["gathering"]
    add(db, g, person("a"), person("b"), person("c"), person("s1", STORD),
        county_person("leder", "leader"))
    for who in ("host", "counsellor", "directorate"):
        response = client.get(f"/api/v1/gatherings/{g.id}/caps", headers=bearer(db, world[who]))
        assert response.status_code == 200, who
    body = response.get_json()
    jsonschema.validate(body, schema("getCapStatus"))
    rows = {o["organisation_number"]: o for o in body["organisations"]}
    assert len(rows) == 43
    assert rows[BERGEN] == {"organisation_number": BERGEN, "name": "Bergen", "kind": "municipality",
                            "cap": 2, "confirmed": 2, "waitlisted": 1}
    assert (rows[STORD]["confirmed"], rows[STORD]["waitlisted"]) == (1, 0)
    assert body["pool"] == {"cap": g.pool_cap, "confirmed": 1, "waitlisted": 0}
    assert client.get(f"/api/v1/gatherings/{g.id}/caps",
                      headers=bearer(db, world["bergen"])).status_code == 403
    assert client.get(f"/api/v1/gatherings/{g.id}/caps",
                      headers=bearer(db, world["outsider"])).status_code == 404


@pytest.mark.parametrize("number,body,field", [
    (BERGEN, {"cap": -1}, "cap"),
    (BERGEN, {"cap": 99}, "cap"),
    (BERGEN, {"cap": "3"}, "cap"),
    (BERGEN, {}, "cap"),
    (BERGEN, {"cap": 3, "extra": 1}, "body"),
    ("1103", {"cap": 3}, "organisation_number"),  # Stavanger, in Rogaland
    ("9999", {"cap": 3}, "organisation_number"),
])
def test_set_cap_bad_input_is_refused_and_changes_nothing(client, db, world, number, body, field):
    g = world["gathering"]
    response = client.put(f"/api/v1/gatherings/{g.id}/caps/{number}", json=body,
                          headers=bearer(db, world["host"]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(GatheringMunicipality)) == 0


def test_set_cap_scope(client, db, world):
    g = world["gathering"]
    url = f"/api/v1/gatherings/{g.id}/caps/{BERGEN}"
    assert client.put(url, json={"cap": 4}, headers=bearer(db, world["outsider"])).status_code \
        == 404
    for who in ("counsellor", "bergen", "directorate"):
        assert client.put(url, json={"cap": 4}, headers=bearer(db, world[who])).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(GatheringMunicipality)) == 0


def test_cancel_registration_api(client, db, world):
    g = world["gathering"]
    a, b, c = add(db, g, person("a"), person("b"), person("c"))
    url = f"/api/v1/registrations/{a.id}/cancel"
    for who in ("outsider", "counsellor", "bergen", "directorate"):
        assert client.post(url, headers=bearer(db, world[who])).status_code == 404, who
    assert db.session.get(Registration, a.id).status == "confirmed"
    response = client.post(url, headers=bearer(db, world["host"]))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, schema("cancelRegistration"))
    assert (body["id"], body["status"], body["promoted"]) == (a.id, "cancelled", [c.id])
    again = client.post(url, headers=bearer(db, world["host"]))
    assert again.status_code == 409 and again.get_json()["error"]["message"]
    assert client.post("/api/v1/registrations/999999/cancel",
                       headers=bearer(db, world["host"])).status_code == 404


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/gatherings/{id}/caps/{organisation_number}"]["put"]["operationId"] == \
        "setOrganisationCap"
    assert paths["/gatherings/{id}/caps"]["get"]["operationId"] == "getCapStatus"
    assert paths["/registrations/{id}/cancel"]["post"]["operationId"] == "cancelRegistration"


# --- the host's page: delegation, mix guidance, filters --------------------------------------

def test_page_shows_the_delegation_check_and_the_mix_guidance(client, db, world):
    g = world["gathering"]
    add(db, g, person("a"), person("b"), person("s1", STORD, role="leader"),
        person("s2", STORD), county_person("fylkesleder", "leader"),
        county_person("stab1", "county_staff"))
    login(client, world["host"].email)
    client.set_cookie("lang", "en")
    url = f"/gatherings/{g.id}/registrations"
    page = client.get(url).get_data(as_text=True)
    assert '<span class="status status--reg-waitlisted" data-check="delegation">Not complete' in page
    assert "1 more needed" in page
    bergen_row = page.split('id="cap-4601"')[1].split("</tr>")[0]
    assert "No leader yet" in bergen_row and "2 of 2" in bergen_row
    stord_row = page.split('id="cap-4614"')[1].split("</tr>")[0]
    assert "No leader yet" not in stord_row and "Leader and programme adviser" in stord_row

    add(db, g, county_person("veileder", "career_counsellor"))
    page = client.get(url).get_data(as_text=True)
    assert 'data-check="delegation">Complete' in page

    # Filters: status and municipality.
    add(db, g, person("c"))
    waiting = client.get(f"{url}?status=waitlisted").get_data(as_text=True)
    assert "c@kommune.example" in waiting and "a@kommune.example" not in waiting
    text = client.get(f"{url}?municipality={world['bergen'].municipality_id}").get_data(as_text=True)
    assert "a@kommune.example" in text and "s1@kommune.example" not in text


# --- the registrant changes their own registration --------------------------------------------

def test_registrant_changes_their_own_registration(client, db, world):
    g = world["gathering"]
    (r,) = add(db, g, person("a"))
    url = f"/registration/{r.manage_token}/edit"
    page = client.get(url)
    assert page.status_code == 200 and 'name="name"' not in page.get_data(as_text=True)
    response = post(client, url, {"phone": "40000000", "day2": "y", "attends_dinner": "y",
                                  "dietary_needs": "Laktose", "dietary_consent": "y",
                                  "accommodation": "y", "list_consent": "y",
                                  "name": "Hacker", "email": "other@example.no"})
    assert response.status_code == 302
    db.session.expire_all()
    r = db.session.get(Registration, r.id)
    assert (r.day1, r.day2, r.attends_dinner, r.accommodation, r.list_consent) == \
        (False, True, True, True, True)
    assert (r.phone, r.dietary_needs, r.dietary_consent) == ("40000000", "Laktose", True)
    assert (r.name, r.email) == ("A", "a@kommune.example")

    # Bad input: dietary needs without consent, or no day: refused beside the field.
    bad = post(client, url, {"day1": "y", "dietary_needs": "Nøtter"})
    assert bad.status_code == 422 and 'id="dietary_consent-error"' in bad.get_data(as_text=True)
    bad = post(client, url, {"attends_dinner": "y"})
    assert bad.status_code == 422 and 'id="day1-error"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, r.id).dietary_needs == "Laktose"
    assert db.session.get(Registration, r.id).day2

    # A cancelled registration cannot be changed; an unknown token is 404.
    client.post(f"/registration/{r.manage_token}/cancel",
                data={"csrf_token": get_csrf(client, f"/registration/{r.manage_token}"),
                      "confirmed": "1"})
    assert post(client, url, {"day1": "y"}, page=f"/registration/{r.manage_token}").status_code \
        == 422
    assert client.get("/registration/not-a-token/edit").status_code == 404
