"""Digital and hybrid gatherings and programme items: a webinar without a venue, the meeting
link's rules (form, service, database, API), the calendar files that carry the link and the
pages that must not."""

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from eventapp.api.services import create_token
from eventapp.core.errors import ValidationFailed
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.gatherings.services import ItemData, add_item, programme_ics, update_gathering
from eventapp.gatherings.services.gathering import clean_meeting_url
from tests.conftest import get_csrf, login

LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc@thread.v2/0?context=x"
ITEM_LINK = "https://zoom.us/j/123456789?pwd=abc"

WEBINAR = {"title": "Oppfølgingswebinar", "start_date": "2027-05-20", "end_date": "2027-05-20",
           "mode": "digital", "venue": "", "address": "", "meeting_url": LINK,
           "description": "", "registration_opens": "", "registration_closes": "",
           "capacity": "", "municipal_cap": "2", "pool_cap": "20"}

# Each bad link and a word of the (Norwegian) message beside the field.
BAD_LINKS = [
    ("javascript:alert(1)", "https://"),
    ("http://teams.microsoft.com/l/x", "https://"),
    ("https://teams.microsoft.com/l/a b", "mellomrom"),
    ("teams.microsoft.com/l/x", "https://"),
    ("https://", "nettadresse"),
    ("https://localhost/x", "nettadresse"),
    ("https://user:pw@zoom.us/j/1", "nettadresse"),
    ("https://zoom.us/" + "x" * 500, "500"),
    ("data:text/html,<script>", "https://"),
]


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46")


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Gathering))


# --- the gathering ---------------------------------------------------------------------------

def test_a_digital_gathering_without_venue_is_accepted(client, db, host):
    login(client, host.email)
    response = _post(client, "/gatherings/new", WEBINAR)
    assert response.status_code == 302, response.get_data(as_text=True)
    g = db.session.scalars(select(Gathering)).one()
    assert (g.mode, g.venue, g.meeting_url, g.days) == ("digital", None, LINK, 1)
    page = client.get(f"/gatherings/{g.id}").get_data(as_text=True)
    assert "None" not in page.split("<main", 1)[1]
    assert LINK.replace("&", "&amp;") in page  # the host sees the link on the gathering's page


def test_a_venue_given_to_a_digital_gathering_is_dropped(db, host, make_gathering):
    g = make_gathering(mode="digital", venue="Rådhuset", meeting_url=LINK, address="Gata 1")
    assert (g.venue, g.address) == (None, None)


def test_an_in_person_gathering_without_venue_is_refused(client, db, host):
    login(client, host.email)
    response = _post(client, "/gatherings/new", {**WEBINAR, "mode": "in_person",
                                                 "meeting_url": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="venue-error"' in page
    assert _count(db) == 0


def test_a_form_without_mode_is_in_person_as_before(client, db, host):
    login(client, host.email)
    data = {k: v for k, v in WEBINAR.items() if k not in ("mode", "meeting_url")}
    response = _post(client, "/gatherings/new", {**data, "venue": "Kilden"})
    assert response.status_code == 302
    g = db.session.scalars(select(Gathering)).one()
    assert (g.mode, g.venue, g.meeting_url) == ("in_person", "Kilden", None)


def test_a_hybrid_gathering_needs_both_venue_and_link(client, db, host):
    login(client, host.email)
    response = _post(client, "/gatherings/new", {**WEBINAR, "mode": "hybrid", "meeting_url": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="venue-error"' in page and 'id="meeting_url-error"' in page
    assert _count(db) == 0


def test_a_digital_gathering_without_link_is_refused(client, db, host):
    login(client, host.email)
    response = _post(client, "/gatherings/new", {**WEBINAR, "meeting_url": ""})
    assert response.status_code == 422
    assert 'id="meeting_url-error"' in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize("link,says", BAD_LINKS)
def test_bad_links_are_refused_beside_the_field(client, db, host, link, says):
    login(client, host.email)
    response = _post(client, "/gatherings/new", {**WEBINAR, "meeting_url": link})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('id="meeting_url-error">', 1)[1].split("</p>", 1)[0]
    assert says in error
    assert _count(db) == 0


def test_clean_meeting_url_keeps_the_path_and_lowers_scheme_and_host():
    assert clean_meeting_url("  HTTPS://Zoom.US/j/1?pwd=AbC  ") == "https://zoom.us/j/1?pwd=AbC"
    assert clean_meeting_url("") is None and clean_meeting_url(None) is None
    assert clean_meeting_url("https://meet.example.no:8443/Rom") == \
        "https://meet.example.no:8443/Rom"


def test_an_in_person_gathering_refuses_a_link(db, host, make_gathering):
    with pytest.raises(ValidationFailed) as caught:
        make_gathering(meeting_url=LINK)
    assert "meeting_url" in caught.value.fields


def test_editing_to_digital_drops_the_venue_and_back_needs_one(db, host, make_gathering):
    g = make_gathering(start=date.today() + timedelta(days=40),
                       end=date.today() + timedelta(days=40))
    update_gathering(g, host, mode="digital", meeting_url=LINK)
    db.session.commit()
    assert (g.mode, g.venue, g.meeting_url) == ("digital", None, LINK)
    before = g.calendar_sequence
    with pytest.raises(ValidationFailed) as caught:
        update_gathering(g, host, mode="in_person")
    assert set(caught.value.fields) == {"venue"}
    db.session.rollback()
    update_gathering(g, host, mode="in_person", venue="Scandic Bergen")
    db.session.commit()
    # Back in the room: the link goes, and calendars learn of it.
    assert (g.mode, g.venue, g.meeting_url) == ("in_person", "Scandic Bergen", None)
    assert g.calendar_sequence > before


def test_the_database_holds_the_rules(db, host, make_gathering):
    """Past the service, the checks still refuse a venue-less gathering in person and a link
    that is not https."""
    g = make_gathering()
    for statement in (
        "UPDATE gatherings SET venue = NULL WHERE id = :id",
        "UPDATE gatherings SET mode = 'digital' WHERE id = :id",  # digital needs a link
        "UPDATE gatherings SET mode = 'hybrid', meeting_url = 'javascript:alert(1)' "
        "WHERE id = :id",
        "UPDATE gatherings SET mode = 'hybrid', meeting_url = 'https://a.no/x y' WHERE id = :id",
        "UPDATE gatherings SET mode = 'online' WHERE id = :id",
    ):
        with pytest.raises(IntegrityError):
            db.session.execute(text(statement), {"id": g.id})
            db.session.flush()
        db.session.rollback()


# --- programme items -------------------------------------------------------------------------

def _item(gathering, actor, **fields):
    values = {"day": 1, "start": time(10), "end": time(11), "kind": "talk",
              "title": "Digitalt innlegg", **fields}
    return add_item(gathering, actor, ItemData(**values))


def test_a_digital_item_in_an_in_person_gathering(db, host, make_gathering):
    g = make_gathering()
    room = _item(g, host, title="I salen", start=time(10), end=time(11))
    online = _item(g, host, meeting_url=ITEM_LINK)  # same time, no room: not a clash
    db.session.commit()
    assert online.digital and not room.digital and online.link == ITEM_LINK
    with pytest.raises(ValidationFailed) as caught:  # the same link at the same time is
        _item(g, host, title="Dobbelt", meeting_url=ITEM_LINK)
    assert "start" in caught.value.fields
    db.session.rollback()


@pytest.mark.parametrize("link,says", BAD_LINKS[:4])
def test_an_item_with_a_bad_link_is_refused_and_nothing_saved(client, db, host, make_gathering,
                                                               link, says):
    g = make_gathering(start=date.today() + timedelta(days=30),
                       end=date.today() + timedelta(days=31))
    login(client, host.email)
    url = f"/gatherings/{g.id}/programme"
    page = client.get(url).get_data(as_text=True)
    assert 'name="meeting_url"' in page
    response = client.post(url, data={
        "csrf_token": get_csrf(client, url), "day": "1", "start": "10:00", "end": "11:00",
        "kind": "talk", "title": "Webinar", "question_minutes": "0", "meeting_url": link})
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="meeting_url-error">', 1)[1]
    assert says in error.split("</p>", 1)[0]
    assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)) == 0


# --- calendars -------------------------------------------------------------------------------

def _events(ics: bytes) -> dict:
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}


def test_a_digital_items_ics_carries_url_location_and_the_link_in_description(
        db, host, make_gathering):
    g = make_gathering(venue="Grand Hotel")
    _item(g, host, title="I salen", room="Sal A")
    _item(g, host, title="Fra Oslo", meeting_url=ITEM_LINK, start=time(12), end=time(13))
    db.session.commit()
    events = _events(programme_ics(g, links=True))
    online = events["Fra Oslo"]
    assert str(online["URL"]) == ITEM_LINK
    assert str(online["LOCATION"]) == ITEM_LINK
    assert ITEM_LINK in str(online["DESCRIPTION"])
    in_room = events["I salen"]
    assert str(in_room["LOCATION"]) == "Sal A, Grand Hotel"
    assert ITEM_LINK not in in_room.to_ical().decode()
    # Without links (the feed that may be passed on): "Digitalt", and no link anywhere.
    public = programme_ics(g)
    assert ITEM_LINK.encode() not in public
    assert str(_events(public)["Fra Oslo"]["LOCATION"]) == "Digitalt"


def test_a_hybrid_gatherings_items_carry_its_link_and_keep_the_room(db, host, make_gathering):
    g = make_gathering(mode="hybrid", meeting_url=LINK, venue="Kilden")
    _item(g, host, title="Plenum", room="Store sal")
    db.session.commit()
    event = _events(programme_ics(g, links=True))["Plenum"]
    assert str(event["URL"]) == LINK and LINK in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Store sal, Kilden"


def test_the_public_add_to_calendar_file_has_no_link_and_the_hosts_has(client, db, host,
                                                                       make_gathering):
    g = make_gathering(mode="digital", meeting_url=LINK)
    g.status = "open"
    db.session.commit()
    public = client.get(f"/gatherings/{g.id}/gathering.ics")
    assert public.status_code == 200
    assert LINK.encode() not in public.data.replace(b"\r\n ", b"")
    assert str(_events(public.data)[g.title]["LOCATION"]) == "Digitalt"
    login(client, host.email)
    event = _events(client.get(f"/gatherings/{g.id}/gathering.ics").data)[g.title]
    assert str(event["URL"]) == LINK and str(event["LOCATION"]) == LINK
    assert LINK in str(event["DESCRIPTION"])
    feed = client.get(f"/gatherings/calendar/{g.calendar_token}.ics")
    assert LINK.encode() not in feed.data.replace(b"\r\n ", b"")


# --- the public page -------------------------------------------------------------------------

def test_the_public_page_says_digital_and_never_shows_a_link(client, db, host, make_gathering):
    g = make_gathering(mode="hybrid", meeting_url=LINK, venue="Kilden")
    _item(g, host, title="Fra Oslo", meeting_url=ITEM_LINK)
    g.status = "open"
    db.session.commit()
    for url in (f"/gatherings/{g.id}/public", f"/gatherings/{g.id}/programme/print"):
        page = client.get(url).get_data(as_text=True)
        assert "teams.microsoft.com" not in page and "zoom.us" not in page, url
        assert "digital" in page.lower()
    page = client.get(f"/gatherings/{g.id}/public").get_data(as_text=True)
    assert 'data-note="digital"' in page and "data-digital" in page


# --- the API ---------------------------------------------------------------------------------

@pytest.fixture
def api(db, host):
    _t, raw = create_token(host, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_api_creates_a_digital_gathering_without_venue(client, db, api):
    body = {"county_number": "46", "title": "Webinar", "start_date": "2027-05-20",
            "end_date": "2027-05-20", "mode": "digital", "meeting_url": LINK}
    response = client.post("/api/v1/gatherings", json=body, headers=api)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert (made["mode"], made["venue"], made["meeting_url"]) == ("digital", None, LINK)
    gid = made["id"]
    item = client.post(f"/api/v1/gatherings/{gid}/programme", headers=api, json={
        "starts_at": "2027-05-20T10:00:00+02:00", "ends_at": "2027-05-20T11:00:00+02:00",
        "kind": "talk", "title": "Innledning"})
    assert item.status_code == 201
    assert item.get_json()["digital"] is True and item.get_json()["meeting_url"] is None
    got = client.get(f"/api/v1/gatherings/{gid}", headers=api).get_json()
    assert got["mode"] == "digital"


def test_api_without_mode_needs_a_venue_as_before(client, db, api):
    body = {"county_number": "46", "title": "Samling", "start_date": "2027-05-20",
            "end_date": "2027-05-21"}
    response = client.post("/api/v1/gatherings", json=body, headers=api)
    assert response.status_code == 422
    assert "venue" in response.get_json()["error"]["fields"]
    ok = client.post("/api/v1/gatherings", json={**body, "venue": "Kilden"}, headers=api)
    assert ok.status_code == 201 and ok.get_json()["mode"] == "in_person"


@pytest.mark.parametrize("link,_says", BAD_LINKS[:-2])
def test_api_refuses_bad_links_with_422(client, db, api, make_gathering, link, _says):
    body = {"county_number": "46", "title": "Webinar", "start_date": "2027-05-20",
            "end_date": "2027-05-20", "mode": "digital", "meeting_url": link}
    response = client.post("/api/v1/gatherings", json=body, headers=api)
    assert response.status_code == 422
    assert "meeting_url" in response.get_json()["error"]["fields"]
    g = make_gathering(start=date(2027, 6, 1), end=date(2027, 6, 1))
    before = _count(db)
    item = client.post(f"/api/v1/gatherings/{g.id}/programme", headers=api, json={
        "starts_at": "2027-06-01T10:00:00+02:00", "ends_at": "2027-06-01T11:00:00+02:00",
        "kind": "talk", "title": "X", "meeting_url": link})
    assert item.status_code == 422
    assert "meeting_url" in item.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)) == 0
    assert _count(db) == before


def test_api_patch_to_hybrid_and_a_too_long_link(client, db, api, make_gathering):
    g = make_gathering(start=date.today() + timedelta(days=40),
                       end=date.today() + timedelta(days=41))
    response = client.patch(f"/api/v1/gatherings/{g.id}", headers=api,
                            json={"mode": "hybrid", "meeting_url": LINK})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["meeting_url"] == LINK and response.get_json()["venue"]
    long = client.patch(f"/api/v1/gatherings/{g.id}", headers=api,
                        json={"meeting_url": "https://zoom.us/" + "x" * 500})
    assert long.status_code == 422
    db.session.expire_all()
    assert db.session.get(Gathering, g.id).meeting_url == LINK


# --- registering: attending digitally, and the link for the registered only -------------------

def _open(db, make_gathering, **fields):
    g = make_gathering(start=date.today() + timedelta(days=30),
                       end=date.today() + timedelta(days=31), **fields)
    g.status = "open"
    db.session.commit()
    return g


def _register(client, g, n: int, **extra):
    url = f"/gatherings/{g.id}/register"
    return client.post(url, data={
        "csrf_token": get_csrf(client, url), "name": f"Deltaker {n}",
        "email": f"deltaker{n}@bergen.kommune.no", "organisation_kind": "municipality",
        "municipality": "4601", "role": "leader", "day1": "y", "day2": "y", **extra})


def test_hybrid_registration_asks_and_the_registered_get_the_link(client, db, host,
                                                                  make_gathering):
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import Registration

    g = _open(db, make_gathering, mode="hybrid", meeting_url=LINK, venue="Kilden", municipal_cap=1)
    form = client.get(f"/gatherings/{g.id}/register").get_data(as_text=True)
    assert 'name="attends_digitally"' in form and "teams.microsoft.com" not in form
    response = _register(client, g, 1, attends_digitally="y")
    assert response.status_code == 302
    placed = db.session.scalars(select(Registration)).one()
    assert placed.status == "confirmed" and placed.attends_digitally is True
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert LINK in mail.body_text
    event = _events(mail.attachments[0].data)[g.title]
    assert str(event["URL"]) == LINK and LINK in str(event["DESCRIPTION"])
    manage = client.get(f"/registration/{placed.manage_token}").get_data(as_text=True)
    assert LINK.replace("&", "&amp;") in manage and "delta digitalt" in manage

    # The next from Bergen is waitlisted (one place): no link in the mail or on their page.
    assert _register(client, g, 2).status_code == 302
    waiting = db.session.scalars(select(Registration).where(
        Registration.status == "waitlisted")).one()
    assert waiting.attends_digitally is False
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == waiting.email)).one()
    assert LINK not in mail.body_text and not mail.attachments
    page = client.get(f"/registration/{waiting.manage_token}").get_data(as_text=True)
    assert "teams.microsoft.com" not in page


def test_in_person_registration_does_not_ask_and_ignores_the_box(client, db, host,
                                                                make_gathering):
    from eventapp.registration.models import Registration

    g = _open(db, make_gathering)
    assert 'name="attends_digitally"' not in client.get(
        f"/gatherings/{g.id}/register").get_data(as_text=True)
    assert _register(client, g, 3, attends_digitally="y").status_code == 302
    assert db.session.scalars(select(Registration)).one().attends_digitally is False
