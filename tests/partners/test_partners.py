"""The county's partner list: the host keeps it, counsellors and the directorate read it, a host
of another county sees nothing (404), bad input is refused beside its field with nothing saved;
the same through the API (listPartners, createPartner)."""

import pytest
from sqlalchemy import func, select

from eventapp.partners.models import Partner, PartnerContact
from tests.conftest import get_csrf, login


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, page or url)})


def test_host_adds_edits_and_deactivates_a_partner_and_its_contacts(client, db, make_user):
    make_user("county_host", county="46", email="vert@vlfk.no")
    login(client, "vert@vlfk.no")
    page = client.get("/partners")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Partnere" in html and "Legg til en partner" in html
    # The kinds in Norwegian.
    for label in ("NAV", "Voksenopplæring", "IMDi", "Statsforvalteren", "Tolketjeneste",
                  "Frivillig organisasjon", "Annet"):
        assert label in html

    response = _post(client, "/partners", {"name": "  NAV   Bergen ", "kind": "nav"})
    assert response.status_code == 302
    partner = db.session.scalars(select(Partner)).one()
    assert (partner.name, partner.kind, partner.active) == ("NAV Bergen", "nav", True)
    assert partner.county.number == "46"

    url = f"/partners/{partner.id}"
    response = _post(client, url, {"contact-name": "Nils Nav", "contact-email": "Nils@NAV.no",
                                   "contact-phone": "+47 55 00 00 00"})
    assert response.status_code == 302
    contact = db.session.scalars(select(PartnerContact)).one()
    assert (contact.name, contact.email, contact.phone) == ("Nils Nav", "nils@nav.no",
                                                            "+47 55 00 00 00")

    response = _post(client, url, {"name": "NAV Vestland", "kind": "other"})
    assert response.status_code == 302
    db.session.refresh(partner)
    assert (partner.name, partner.kind) == ("NAV Vestland", "other")

    edit = f"/partners/{partner.id}/contacts/{contact.id}/edit"
    assert _post(client, edit, {"name": "Nils Navesen", "email": "nils.navesen@nav.no",
                                "phone": ""}).status_code == 302
    db.session.refresh(contact)
    assert (contact.name, contact.email, contact.phone) == ("Nils Navesen", "nils.navesen@nav.no",
                                                            None)

    assert _post(client, f"/partners/{partner.id}/contacts/{contact.id}/toggle", {},
                 page=url).status_code == 302
    db.session.refresh(contact)
    assert contact.active is False
    assert _post(client, f"/partners/{partner.id}/toggle", {}, page=url).status_code == 302
    db.session.refresh(partner)
    assert partner.active is False
    assert "Deaktivert" in client.get("/partners").get_data(as_text=True)


@pytest.mark.parametrize("data,field_error", [
    ({"name": "", "kind": "nav"}, "Skriv inn organisasjonens navn."),
    ({"name": "   ", "kind": "nav"}, "Skriv inn organisasjonens navn."),
    ({"name": "x" * 201, "kind": "nav"}, None),
    ({"name": "NAV Bergen", "kind": "police"}, None),
    ({"name": "NAV Bergen", "kind": ""}, None),
    ({"name": "Eksisterende", "kind": "nav"}, "Fylket har allerede en partner med dette navnet."),
    ({"name": "Nul\x00byte", "kind": "nav"}, None),
])
def test_bad_partner_input_is_refused_and_saves_nothing(client, db, make_user, make_partner,
                                                         data, field_error):
    make_user("county_host", county="46", email="vert@vlfk.no")
    make_partner("Eksisterende")
    login(client, "vert@vlfk.no")
    response = _post(client, "/partners", data, page="/partners")
    assert response.status_code in (400, 422)
    assert _count(db, Partner) == 1
    if field_error:
        html = response.get_data(as_text=True)
        assert field_error in html and 'class="error-message"' in html


@pytest.mark.parametrize("data,message", [
    ({"contact-name": "Ola", "contact-email": "ikke-en-adresse"}, "er ikke en gyldig e-postadresse"),
    ({"contact-name": "", "contact-email": "ola@nav.no"}, "Skriv inn navnet."),
    ({"contact-name": "Ola", "contact-email": "OLA@nav.no"}, "har allerede en kontaktperson med denne"),
    ({"contact-name": "Ola", "contact-email": "ola2@nav.no", "contact-phone": "9" * 41}, None),
])
def test_bad_contact_input_is_refused_beside_the_field(client, db, make_user, make_partner,
                                                       data, message):
    make_user("county_host", county="46", email="vert@vlfk.no")
    partner = make_partner("NAV Bergen", contacts=[("Ola", "ola@nav.no")])
    login(client, "vert@vlfk.no")
    url = f"/partners/{partner.id}"
    response = _post(client, url, data)
    assert response.status_code == 422
    assert _count(db, PartnerContact) == 1
    if message:
        assert message in response.get_data(as_text=True)


def test_another_countys_host_sees_and_changes_nothing(client, db, make_user, make_partner):
    theirs = make_partner("NAV Oslo", county="03", contacts=[("Per", "per@nav.no")])
    make_user("county_host", county="46", email="vert@vlfk.no")
    login(client, "vert@vlfk.no")
    assert "NAV Oslo" not in client.get("/partners").get_data(as_text=True)
    token = get_csrf(client, "/partners")
    contact = theirs.contacts[0]
    assert client.get(f"/partners/{theirs.id}").status_code == 404
    assert client.post(f"/partners/{theirs.id}", data={
        "name": "Kapret", "kind": "nav", "csrf_token": token}).status_code == 404
    assert client.post(f"/partners/{theirs.id}/toggle",
                       data={"csrf_token": token}).status_code == 404
    assert client.get(f"/partners/{theirs.id}/contacts/{contact.id}/edit").status_code == 404
    assert client.post(f"/partners/{theirs.id}/contacts/{contact.id}/toggle",
                       data={"csrf_token": token}).status_code == 404
    db.session.refresh(theirs)
    assert (theirs.name, theirs.active, theirs.contacts[0].active) == ("NAV Oslo", True, True)


def test_a_contact_is_reached_only_through_its_own_partner(client, db, make_user, make_partner):
    mine = make_partner("NAV Bergen")
    other = make_partner("IMDi Vest", kind="imdi", contacts=[("Ida", "ida@imdi.no")])
    make_user("county_host", county="46", email="vert@vlfk.no")
    login(client, "vert@vlfk.no")
    assert client.get(f"/partners/{mine.id}/contacts/{other.contacts[0].id}/edit").status_code \
        == 404


def test_counsellor_and_directorate_read_but_do_not_change(client, db, make_user, make_partner):
    partner = make_partner("NAV Bergen", contacts=[("Ola", "ola@nav.no")])
    make_partner("NAV Oslo", county="03")
    make_user("counsellor", county="46", email="kari@vlfk.no")
    login(client, "kari@vlfk.no")
    html = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert "ola@nav.no" in html and "Legg til en kontakt" not in html
    token = get_csrf(client, "/partners")
    assert client.post("/partners", data={"name": "Ny", "kind": "nav",
                                          "csrf_token": token}).status_code == 403
    assert client.post(f"/partners/{partner.id}/toggle",
                       data={"csrf_token": token}).status_code == 403
    client.post("/account/logout", data={"csrf_token": token})

    make_user("directorate", county=None, email="dir@hkdir.no")
    login(client, "dir@hkdir.no")
    html = client.get("/partners").get_data(as_text=True)
    assert "NAV Bergen" in html and "NAV Oslo" in html and "Legg til en partner" not in html
    assert client.get(f"/partners/{partner.id}").status_code == 200

    make_user("municipal_contact", county="46", municipality="4601", email="mk@bergen.no")
    visitor = client.application.test_client()
    login(visitor, "mk@bergen.no")
    assert visitor.get("/partners").status_code == 403


# --- the API -------------------------------------------------------------------------------

def test_api_create_and_list_partners(client, db, auth, make_partner):
    make_partner("NAV Oslo", county="03")
    host, headers = auth("county_host", county="46")
    response = client.post("/api/v1/partners", headers=headers, json={
        "name": "Voksenopplæringa i Bergen", "kind": "adult_education",
        "contacts": [{"name": "Vera", "email": "Vera@Bergen.no", "phone": "12345678"}]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == "adult_education" and body["kind_label"] == "Voksenopplæring"
    assert body["county_number"] == "46" and body["active"] is True
    assert [c["email"] for c in body["contacts"]] == ["vera@bergen.no"]

    listed = client.get("/api/v1/partners", headers=headers).get_json()
    assert [p["name"] for p in listed] == ["Voksenopplæringa i Bergen"]
    _director, dir_headers = auth("directorate", county=None)
    names = {p["name"] for p in client.get("/api/v1/partners", headers=dir_headers).get_json()}
    assert names == {"Voksenopplæringa i Bergen", "NAV Oslo"}
    only = client.get("/api/v1/partners?county=03", headers=dir_headers).get_json()
    assert [p["name"] for p in only] == ["NAV Oslo"]


@pytest.mark.parametrize("body,field", [
    ({"name": "NAV", "kind": "police"}, None),
    ({"name": "", "kind": "nav"}, None),
    ({"name": "NAV", "kind": "nav", "extra": 1}, None),
    ({"name": "Eksisterende", "kind": "nav"}, "name"),
    ({"name": "Ny", "kind": "nav", "contacts": [{"name": "A", "email": "a@b.no"},
                                                {"name": "B", "email": "nope"}]},
     "contacts[1].email"),
])
def test_api_bad_partner_is_refused_and_saves_nothing(client, db, auth, make_partner, body, field):
    make_partner("Eksisterende")
    _host, headers = auth("county_host", county="46")
    response = client.post("/api/v1/partners", headers=headers, json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert _count(db, Partner) == 1 and _count(db, PartnerContact) == 0


def test_api_lone_surrogate_and_nul_are_refused(client, db, auth):
    _host, headers = auth("county_host", county="46")
    for raw in ('{"name": "NAV \\ud800", "kind": "nav"}', '{"name": "NAV\\u0000", "kind": "nav"}'):
        response = client.post("/api/v1/partners", headers=headers, data=raw,
                               content_type="application/json")
        assert response.status_code == 400, raw
        assert response.get_json()["error"]["message"]
    assert _count(db, Partner) == 0


def test_api_only_a_host_creates(client, db, auth):
    for role, county in (("counsellor", "46"), ("directorate", None)):
        _user, headers = auth(role, county=county)
        response = client.post("/api/v1/partners", headers=headers,
                               json={"name": "NAV", "kind": "nav"})
        assert response.status_code == 403
    assert _count(db, Partner) == 0


def test_api_operations_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()
                  if isinstance(op, dict) and "operationId" in op}
    assert {"listPartners", "createPartner"} <= operations
    with open("docs/api.md", encoding="utf-8") as handle:
        text = handle.read()
    assert "listPartners" in text and "createPartner" in text


def test_database_refuses_an_unknown_kind_and_a_blank_name(db, places):
    from sqlalchemy.exc import IntegrityError

    for values in ({"name": "X", "kind": "police"}, {"name": "  ", "kind": "nav"}):
        db.session.add(Partner(county_id=places.county("46").id, **values))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
