"""Everyone affected is told (issue 16, item 4): the person a host, a municipal contact or they
themselves cancel; everyone registered when the venue, dates or programme times change (with
the calendar file: same UID, SEQUENCE raised; once per save); the waitlist mail with the place
in the queue and no calendar; the host's message to a group, with its preview and count."""

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eventapp.gatherings.services import ItemData, add_item, gathering_ics, update_gathering, update_item
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import HostMessage, Registration
from eventapp.registration.services import RegistrationData, cancel, host_cancel, register
from eventapp.registration.services.messages import Draft, preview, send
from tests.conftest import get_csrf, login

BERGEN, STORD = "4601", "4614"


@pytest.fixture
def world(db, places, make_user, make_gathering):
    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=1,
                       venue="Rådhuset", address="Torget 1")
    g.status = "open"
    db.session.commit()
    return {
        "gathering": g,
        "host": make_user("county_host", county="46", email="vert@vestland.example",
                          name="Vera Vert"),
        "counsellor": make_user("counsellor", county="46", email="veileder@vestland.example"),
        "bergen": make_user("municipal_contact", county="46", municipality=BERGEN,
                            email="kontakt@bergen.example"),
    }


def person(name, municipality=BERGEN, **kw):
    return RegistrationData(name=name.title(), email=f"{name}@kommune.example",
                            organisation_kind="municipality", municipality_number=municipality,
                            role="programme_adviser", **kw)


def add(db, gathering, *people):
    made = [register(gathering, p, channel="public_link") for p in people]
    db.session.commit()
    return made


def mails(db, address=None, kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if address:
        stmt = stmt.where(OutboxMessage.to_address == address)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt).all()


def outbox_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def event_of(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, page or url)})


# --- cancellations --------------------------------------------------------------------------

def test_the_host_cancelling_mails_the_person_and_the_promoted(db, client, world):
    g = world["gathering"]
    anna, bjorn = add(db, g, person("anna"), person("bjorn"))
    assert (anna.status, bjorn.status) == ("confirmed", "waitlisted")
    login(client, "vert@vestland.example")
    page = f"/gatherings/{g.id}/registrations"
    response = post(client, f"/gatherings/{g.id}/registrations/{anna.id}/cancel",
                    {"confirmed": "1"}, page)
    assert response.status_code == 302
    [told] = mails(db, "anna@kommune.example", "registration.cancelled_host")
    assert told.subject == f"Påmeldingen din er avlyst: {g.title}"
    assert "Vertskapet for" in told.body_text and "Vestland" in told.body_text
    assert told.attachments == [] and told.gathering_id == g.id
    # The first in line got the place, and the calendar with it.
    [promoted] = mails(db, "bjorn@kommune.example", "registration.confirmed")
    assert [a.filename for a in promoted.attachments] == ["samling.ics"]


def test_a_participant_cancelling_gets_a_confirmation(db, client, world):
    g = world["gathering"]
    [anna] = add(db, g, person("anna"))
    token = anna.manage_token
    response = post(client, f"/registration/{token}/cancel", {"confirmed": "1"},
                    f"/registration/{token}")
    assert response.status_code == 302
    [told] = mails(db, "anna@kommune.example", "registration.cancelled_self")
    assert told.subject == f"Du er meldt av: {g.title}"
    assert "Du har meldt deg av" in told.body_text
    # Cancelling again (a second click) mails nothing more.
    post(client, f"/registration/{token}/cancel", {"confirmed": "1"}, f"/registration/{token}")
    assert len(mails(db, "anna@kommune.example", "registration.cancelled_self")) == 1


def test_a_municipal_contact_cancelling_is_named_as_the_municipality(db, world):
    g = world["gathering"]
    [anna] = add(db, g, person("anna"))
    cancel(anna, world["bergen"])
    db.session.commit()
    [told] = mails(db, "anna@kommune.example", "registration.cancelled_municipal")
    assert "Bergen" in told.body_text and "avlyst" in told.body_text


def test_a_refused_cancel_mails_nothing(db, world):
    g = world["gathering"]
    [anna] = add(db, g, person("anna"))
    cancel(anna, None)
    db.session.commit()
    before = outbox_count(db)
    with pytest.raises(Exception):  # noqa: B017 - already cancelled: refused
        host_cancel(anna, world["host"])
    db.session.rollback()
    assert outbox_count(db) == before


# --- the waitlist mail ----------------------------------------------------------------------

def test_the_waitlist_mail_shows_the_place_in_line_and_no_calendar(db, world):
    g = world["gathering"]
    add(db, g, person("anna"), person("bjorn"), person("cato"),
        person("dina", municipality=STORD))
    [confirmed] = mails(db, "anna@kommune.example")
    assert confirmed.kind == "registration.confirmed"
    assert [a.filename for a in confirmed.attachments] == ["samling.ics"]
    assert "kalenderfilen" in confirmed.body_text.lower()
    for name, place in (("bjorn", 1), ("cato", 2)):
        [waiting] = mails(db, f"{name}@kommune.example")
        assert waiting.kind == "registration.waitlisted"
        assert waiting.subject == f"Du står på venteliste: {g.title}"
        assert f"Du er nummer {place} i køen for Bergen" in waiting.body_text
        assert waiting.attachments == []
        assert "kalenderfil" not in waiting.body_text.lower()
    # Stord's own queue: Dina has Stord's place.
    assert mails(db, "dina@kommune.example")[0].kind == "registration.confirmed"


# --- the venue, dates and times change ------------------------------------------------------

def _registered(db, g):
    anna, bjorn, cato = add(db, g, person("anna"), person("bjorn"), person("cato", STORD))
    eva, = add(db, g, person("eva", STORD))
    cancel(eva)
    db.session.commit()
    return anna, bjorn, cato


def test_a_new_venue_mails_everyone_registered_with_the_updated_calendar(db, world):
    g, host = world["gathering"], world["host"]
    anna, bjorn, cato = _registered(db, g)
    before = event_of(gathering_ics(g))
    queued = outbox_count(db)
    update_gathering(g, host, venue="Grieghallen", address="Edvard Griegs plass 1")
    db.session.commit()
    moved = mails(db, kind="gathering.moved")
    assert sorted(m.to_address for m in moved) == [
        "anna@kommune.example", "bjorn@kommune.example", "cato@kommune.example"]
    assert outbox_count(db) == queued + 3  # and nothing to Eva, who cancelled
    by_address = {m.to_address: m for m in moved}
    mail = by_address["anna@kommune.example"]
    assert mail.subject == f"Nytt sted: {g.title}"
    assert "Grieghallen, Edvard Griegs plass 1" in mail.body_text
    assert "Rådhuset, Torget 1" in mail.body_text
    [attachment] = mail.attachments
    assert (attachment.filename, attachment.content_type) == ("samling.ics", "text/calendar")
    event = event_of(attachment.data)
    assert str(event["UID"]) == str(before["UID"]) == f"gathering-{g.id}@eventapp"
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "Grieghallen" in str(event["LOCATION"])
    # The waitlisted hear of it too, with their place, and get no calendar file.
    waiting = by_address["bjorn@kommune.example"]
    assert waiting.attachments == [] and "nummer 1 i køen" in waiting.body_text


def test_someone_whose_link_is_closed_is_told_without_a_link(db, world):
    """Found by schemathesis: a registration whose private link was closed made the mail to
    everyone fail (a 500) when the venue changed."""
    from eventapp.registration.models import MANAGE_LINK

    g, host = world["gathering"], world["host"]
    anna, _bjorn, _cato = _registered(db, g)
    MANAGE_LINK.close(anna)
    db.session.commit()
    update_gathering(g, host, venue="Grieghallen")
    db.session.commit()
    [mail] = mails(db, "anna@kommune.example", "gathering.moved")
    assert "Grieghallen" in mail.body_text and "/registration/" not in mail.body_text
    assert len(mails(db, kind="gathering.moved")) == 3


def test_new_dates_are_mailed_and_the_sequence_is_stored(db, world):
    g, host = world["gathering"], world["host"]
    _registered(db, g)
    sequence = int(event_of(gathering_ics(g))["SEQUENCE"])
    new_start = g.start_date + timedelta(days=7)
    update_gathering(g, host, start_date=new_start, end_date=new_start + timedelta(days=1))
    db.session.commit()
    moved = mails(db, "anna@kommune.example", "gathering.moved")
    assert [m.subject for m in moved] == [f"Nye datoer: {g.title}"]
    assert "Datoer:" in moved[0].body_text and "(var " in moved[0].body_text
    db.session.expire_all()
    assert g.calendar_sequence == 1
    assert int(event_of(gathering_ics(g))["SEQUENCE"]) == sequence + 1


def test_a_change_that_moves_nothing_mails_nobody(db, world):
    g, host = world["gathering"], world["host"]
    _registered(db, g)
    update_gathering(g, host, venue="Rådhuset", municipal_cap=3, description="Velkommen")
    db.session.commit()
    assert mails(db, kind="gathering.moved") == []


def test_a_rolled_back_change_queues_nothing(db, world):
    g, host = world["gathering"], world["host"]
    _registered(db, g)
    queued = outbox_count(db)
    update_gathering(g, host, venue="Grieghallen")
    db.session.rollback()
    # The next commit in the same session does not send the forgotten change.
    g.description = "Noe annet"
    db.session.commit()
    assert outbox_count(db) == queued
    assert db.session.get(type(g), g.id).venue == "Rådhuset"


def _item(day, start, end, title):
    return ItemData(day=day, start=time(*start), end=time(*end), kind="talk", title=title)


def test_moving_programme_items_mails_once_per_save(db, world):
    g, host = world["gathering"], world["host"]
    items = [add_item(g, host, _item(1, (9 + i, 0), (9 + i, 45), f"Innlegg {i}"))
             for i in range(3)]
    db.session.commit()
    _registered(db, g)
    sequence = int(event_of(gathering_ics(g))["SEQUENCE"])
    # The whole morning moves an hour later, item by item, in one save.
    for i, item in enumerate(reversed(items)):
        n = 2 - i
        update_item(item, host, _item(1, (10 + n, 0), (10 + n, 45), f"Innlegg {n}"))
    db.session.commit()
    moved = mails(db, "anna@kommune.example", "gathering.moved")
    assert len(moved) == 1
    assert moved[0].subject == f"Nye tidspunkter i programmet: {g.title}"
    for n in range(3):
        assert f"- Innlegg {n}:" in moved[0].body_text
    assert f"{10 + 0}:00–10:45" in moved[0].body_text
    assert int(event_of(moved[0].attachments[0].data)["SEQUENCE"]) > sequence
    # Changing only the title moves nothing: no mail.
    update_item(items[0], host, _item(1, (10, 0), (10, 45), "Åpning"))
    db.session.commit()
    assert len(mails(db, "anna@kommune.example", "gathering.moved")) == 1
    # Another save is another mail.
    update_item(items[0], host, _item(1, (8, 0), (8, 45), "Åpning"))
    db.session.commit()
    assert len(mails(db, "anna@kommune.example", "gathering.moved")) == 2


def test_the_moved_mail_is_delivered_over_smtp(db, world, smtp_server, use_smtp):
    from eventapp.mail.services import send_due

    g, host = world["gathering"], world["host"]
    _registered(db, g)
    update_gathering(g, host, venue="Grieghallen")
    db.session.commit()
    server = smtp_server()
    use_smtp(server.port)
    send_due()
    [delivered] = [m for m in server.messages if m["Subject"] == f"Nytt sted: {g.title}"
                   and "anna@kommune.example" in m["To"]]
    [attachment] = list(delivered.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "samling.ics", "text/calendar")
    event = event_of(attachment.get_payload(decode=True))
    assert str(event["UID"]) == f"gathering-{g.id}@eventapp" and int(event["SEQUENCE"]) >= 1
    assert "Grieghallen" in delivered.get_body(("plain",)).get_content()


# --- the host's message ---------------------------------------------------------------------

def _group(db, world):
    g = world["gathering"]
    g.municipal_cap = 2
    db.session.commit()
    made = add(db, g, person("anna"), person("bjorn", day2=False), person("cato"),
               person("dina", STORD), person("eva", STORD, day2=False))
    cancel(made[-1])
    db.session.commit()
    return g, made


@pytest.mark.parametrize(("audience", "municipality", "expected"), [
    ("all", "", {"anna", "bjorn", "cato", "dina"}),
    ("municipality", BERGEN, {"anna", "bjorn", "cato"}),
    ("municipality", STORD, {"dina"}),
    ("waitlist", "", {"cato"}),
    ("day2", "", {"anna", "cato", "dina"}),
])
def test_the_preview_count_matches_the_group(db, world, audience, municipality, expected):
    g, _made = _group(db, world)
    shown = preview(g, world["host"], Draft("Parkering", "Bruk P-huset.", audience, municipality))
    assert {p.email.split("@")[0] for p in shown.people} == expected
    assert shown.count == len(expected)
    assert shown.subject == "Parkering" and "Bruk P-huset." in shown.body


def test_the_host_previews_then_sends_and_it_is_recorded(db, client, world):
    g, _made = _group(db, world)
    login(client, "vert@vestland.example")
    url = f"/gatherings/{g.id}/messages/new"
    data = {"audience": "municipality", "municipality": BERGEN, "subject": "Parkering",
            "body": "Bruk P-huset ved siden av.\nVelkommen!"}
    queued = outbox_count(db)
    page = post(client, url, {**data, "preview": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sendes til 3 personer" in html and "Send til 3 personer" in html
    assert "Bruk P-huset ved siden av." in html and "Hei, Anna!" in html
    assert outbox_count(db) == queued  # a preview sends nothing
    # The host sees the mail, but not the participant's private link.
    assert "[personens egen private lenke]" in html and "/registration/" not in html
    # "Change the message" goes back to the form with what was written.
    edit = post(client, url, {**data, "expected": "3", "edit": "1"}).get_data(as_text=True)
    assert "Forhåndsvis meldingen" in edit and 'value="Parkering"' in edit
    assert outbox_count(db) == queued
    response = post(client, url, {**data, "expected": "3", "send": "1"})
    assert response.status_code == 302
    sent = mails(db, kind="registration.message")
    assert sorted(m.to_address for m in sent) == [
        "anna@kommune.example", "bjorn@kommune.example", "cato@kommune.example"]
    assert all(m.subject == "Parkering" and m.reply_to == "vert@vestland.example"
               and "Vera Vert" in m.body_text for m in sent)
    [record] = db.session.scalars(select(HostMessage)).all()
    assert (record.audience, record.municipality.number, record.recipients, record.subject) == (
        "municipality", BERGEN, 3, "Parkering")
    assert record.sent_by_id == world["host"].id and record.sent_at is not None
    listing = client.get(f"/gatherings/{g.id}/messages").get_data(as_text=True)
    assert "Parkering" in listing and "Vera Vert" in listing


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"subject": "  "}, "subject", "Skriv et emne."),
    ({"body": ""}, "body", "Skriv meldingen."),
    ({"audience": "municipality", "municipality": "0301"}, "municipality",
     "Velg en kommune i Vestland."),
    ({"audience": "everyone-ever"}, "audience", "Velg hvem meldingen skal til."),
])
def test_bad_input_changes_nothing(db, client, world, change, field, message):
    g, _made = _group(db, world)
    login(client, "vert@vestland.example")
    url = f"/gatherings/{g.id}/messages/new"
    data = {"audience": "all", "municipality": "", "subject": "Parkering", "body": "Hei",
            **change}
    queued = outbox_count(db)
    for step in ({"preview": "1"}, {"send": "1", "expected": "4"}):
        response = post(client, url, {**data, **step})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert outbox_count(db) == queued
    assert db.session.scalar(select(func.count()).select_from(HostMessage)) == 0


def test_a_group_changed_since_the_preview_sends_nothing(db, world):
    g, _made = _group(db, world)
    draft = Draft("Parkering", "Hei", "all")
    add(db, g, person("frida", STORD))
    queued = outbox_count(db)
    with pytest.raises(Exception, match="5"):  # noqa: B017
        send(g, world["host"], draft, expected=4)
    db.session.rollback()
    assert outbox_count(db) == queued


def test_only_the_host_writes_to_the_registered(db, client, world):
    g, _made = _group(db, world)
    login(client, "veileder@vestland.example")
    assert client.get(f"/gatherings/{g.id}/messages/new").status_code == 403
    assert client.get(f"/gatherings/{g.id}/messages").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 5
