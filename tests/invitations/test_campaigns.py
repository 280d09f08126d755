"""Email campaigns and reminders.

The issue's acceptance: a campaign sent to a real SMTP server (aiosmtpd) reaches every recipient
exactly once with a working personal link and a valid .ics attachment; sending it again sends
nothing new; a reminder reaches only the municipalities that were reached but have not
registered.
"""

import re
from collections import Counter
from datetime import date, datetime
from email.utils import parseaddr

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.core.time import OSLO
from eventapp.invitations import services
from eventapp.invitations.models import Campaign, Contact, Invitation, Outreach
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import send_due
from eventapp.registration.models import Registration
from tests.conftest import get_csrf, login

SENDER_ADDRESS = "noreply@eventapp.invalid"  # the address in TestConfig's MAIL_DEFAULT_SENDER
LINK_RE = re.compile(r"http://localhost/r/([A-Za-z0-9_-]+)")


@pytest.fixture
def world(make_user, make_gathering, places, db):
    host = make_user("county_host", county="46", name="Vilde Vertskap", email="vert@vlfk.no")
    counsellor = make_user("counsellor", county="46", name="Kari Karriereveileder",
                           email="kari.veileder@vlfk.no", municipalities=["4601", "4602"])
    gathering = make_gathering(county="46", title="Fylkessamling Vestland",
                               start=date(2027, 3, 10), end=date(2027, 3, 11), venue="Scandic Ørnen")
    gathering.status = "open"
    db.session.commit()
    return {"host": host, "counsellor": counsellor, "gathering": gathering, "places": places}


def _contact(db, places, number: str, email: str, name: str | None = None, active=True) -> Contact:
    unit = places.unit(number)
    contact = Contact(county_id=unit.county_id, municipality_id=unit.id, email=email,
                      name=name or email.split("@")[0].title(), role="leader", active=active)
    db.session.add(contact)
    db.session.commit()
    return contact


def _campaign_url(gathering, campaign=None, suffix=""):
    base = f"/gatherings/{gathering.id}/campaigns"
    return f"{base}/{campaign.id}{suffix}" if campaign is not None else base + suffix


def _compose(client, gathering, **fields):
    """Post the compose form like a browser, with the default text unless told otherwise."""
    subject, body = services.default_campaign_texts(gathering)
    data = {"sender_kind": "career_centre", "sender_name": "Karrieresenteret Vestland",
            "sender_email": "karrieresenter@vlfk.no", "subject": subject, "body": body,
            "save": "1"}
    data.update(fields)
    url = _campaign_url(gathering, suffix="/new")
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def _send(client, gathering, campaign, municipalities=None, confirmed=True):
    """Post the send form; ``confirmed`` as the confirmation page's "Yes" does."""
    page = _campaign_url(gathering, campaign)
    data = {"csrf_token": get_csrf(client, page)}
    if confirmed:
        data["confirmed"] = "1"
    if municipalities is None:
        data["recipients"] = "not_registered"
    else:
        data["recipients"] = "chosen"
        data["municipalities"] = [str(m.id) for m in municipalities]
    return client.post(_campaign_url(gathering, campaign, "/send"), data=data)


def _register(db, gathering, unit, email, status="confirmed"):
    db.session.add(Registration(
        gathering_id=gathering.id, organisation_kind="municipality", municipality_id=unit.id,
        name="Registrert Person", email=email, role="leader", day1=True, day2=True,
        status=status, channel="personal_link"))
    db.session.commit()


def _latest_campaign(db) -> Campaign:
    return db.session.scalars(select(Campaign).order_by(Campaign.id.desc())).first()


def _outbox_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


# --- the acceptance: one mail each, a working personal link, a valid calendar file ------------

def test_campaign_reaches_every_recipient_once_with_link_and_calendar(
        world, client, db, smtp_server, use_smtp):
    places, gathering = world["places"], world["gathering"]
    bergen, kinn, etne, sveio = (places.unit(n) for n in ("4601", "4602", "4611", "4612"))
    expected = {
        "leder@bergen.kommune.no": bergen, "radgiver@bergen.kommune.no": bergen,
        "leder@kinn.kommune.no": kinn, "radgiver@kinn.kommune.no": kinn,
        "leder@etne.kommune.no": etne,
    }
    for email, unit in expected.items():
        _contact(db, places, unit.number, email)
    _contact(db, places, "4611", "sluttet@etne.kommune.no", active=False)  # inactive: no mail
    _contact(db, places, "4612", "leder@sveio.kommune.no")  # not chosen: no mail

    login(client, "vert@vlfk.no")
    counsellor = world["counsellor"]
    response = _compose(client, gathering, sender_kind=f"counsellor-{counsellor.id}",
                        sender_name="", sender_email="")
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = _latest_campaign(db)
    assert (campaign.sender_kind, campaign.sender_name, campaign.sender_email) == (
        "counsellor", "Kari Karriereveileder", "kari.veileder@vlfk.no")
    assert campaign.status == "draft"

    response = _send(client, gathering, campaign, [bergen, kinn, etne])
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.status == "sent" and campaign.sent_at is not None
    assert sveio.id not in {i.municipality_id for i in campaign.invitations}

    server = smtp_server()
    use_smtp(server.port)
    report = send_due()
    assert report.sent == len(expected) and report.failed == 0

    received = Counter(parseaddr(m["To"])[1] for m in server.messages)
    assert received == Counter({email: 1 for email in expected})

    for message in server.messages:
        to = parseaddr(message["To"])[1]
        sender_name, sender_address = parseaddr(message["From"])
        assert (sender_name, sender_address) == ("Kari Karriereveileder", SENDER_ADDRESS)
        assert parseaddr(message["Reply-To"])[1] == "kari.veileder@vlfk.no"
        assert message["Subject"] == "Invitasjon: Fylkessamling Vestland, 10.–11. mars 2027"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "{" not in body and expected[to].name in body
        tokens = LINK_RE.findall(body)
        assert len(tokens) == 1
        invitation = services.invitation_by_token(tokens[0])
        assert invitation.email == to
        assert invitation.municipality_id == expected[to].id
        assert invitation.campaign_id == campaign.id

        attachments = list(message.iter_attachments())
        assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
            ("samling.ics", "text/calendar")]
        calendar = Calendar.from_ical(attachments[0].get_payload(decode=True))
        events = [c for c in calendar.walk("VEVENT")]
        assert len(events) == 1
        start = events[0].decoded("DTSTART")
        if isinstance(start, datetime):
            start = start.astimezone(OSLO).date()
        assert start == gathering.start_date

    # The link works: it opens registration with the municipality filled in, and counts as opened.
    token = LINK_RE.findall(server.to("leder@kinn.kommune.no")[0]
                            .get_body(preferencelist=("plain",)).get_content())[0]
    visitor = client.application.test_client()
    page = visitor.get(f"/r/{token}")
    assert page.status_code == 200
    assert "Kinn" in page.get_data(as_text=True)
    invitation = services.invitation_by_token(token)
    assert invitation.opened_at is not None and invitation.open_count == 1


def test_sending_again_sends_nothing_new(world, client, db, smtp_server, use_smtp):
    places, gathering = world["places"], world["gathering"]
    bergen, kinn = places.unit("4601"), places.unit("4602")
    _contact(db, places, "4601", "leder@bergen.kommune.no")
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    login(client, "vert@vlfk.no")
    assert _compose(client, gathering).status_code == 302
    campaign = _latest_campaign(db)
    assert _send(client, gathering, campaign, [bergen, kinn]).status_code == 302
    server = smtp_server()
    use_smtp(server.port)
    assert send_due().sent == 2
    queued = _outbox_count(db)

    # Again to the same municipalities, and to "all that have not registered" (which includes them).
    assert _send(client, gathering, campaign, [bergen, kinn]).status_code == 302
    assert _send(client, gathering, campaign).status_code == 302
    assert _outbox_count(db) == queued
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2
    assert send_due().handled == 0
    assert len(server.messages) == 2

    # The service says so too.
    counts = services.send_campaign(db.session.get(Campaign, campaign.id), world["host"],
                                    municipalities=[bergen, kinn])
    assert (counts.queued, counts.already_sent) == (0, 2)


def test_send_to_all_not_registered_leaves_out_registered_municipalities(world, client, db):
    places, gathering = world["places"], world["gathering"]
    _contact(db, places, "4601", "leder@bergen.kommune.no")
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    _register(db, gathering, places.unit("4601"), "allerede@bergen.kommune.no")
    login(client, "vert@vlfk.no")
    assert _compose(client, gathering).status_code == 302
    campaign = _latest_campaign(db)
    assert _send(client, gathering, campaign).status_code == 302
    assert [i.email for i in campaign.invitations] == ["leder@kinn.kommune.no"]


# --- reminders ---------------------------------------------------------------------------------

def test_reminder_reaches_only_the_reached_but_not_registered(
        world, client, db, smtp_server, use_smtp):
    places, gathering, host = world["places"], world["gathering"], world["host"]
    a, b, c, d, e = (places.unit(n) for n in ("4601", "4602", "4611", "4612", "4613"))
    for unit, slug in ((a, "bergen"), (b, "kinn"), (c, "etne"), (d, "sveio"), (e, "bomlo")):
        _contact(db, places, unit.number, f"leder@{slug}.kommune.no")
        _contact(db, places, unit.number, f"radgiver@{slug}.kommune.no")

    # A and B are invited; A registers. E's invitation bounced, so E was never reached.
    campaign = services.create_campaign(
        gathering, host, sender_kind="career_centre", sender_name="Karrieresenteret",
        subject="Invitasjon", body="Hei {name}: {link}")
    services.send_campaign(campaign, host, municipalities=[a, b, e])
    db.session.commit()
    for invitation in campaign.invitations:
        if invitation.municipality_id == e.id:
            invitation.outbox_message.mark_permanent_failure("550 5.1.1 no such user")
    db.session.commit()
    _register(db, gathering, a, "kari@bergen.kommune.no")
    # C is reached only by a counsellor's visit; D by nobody.
    db.session.add(Outreach(gathering_id=gathering.id, municipality_id=c.id,
                            user_id=world["counsellor"].id, channel="visit",
                            happened_on=date(2027, 1, 15), note="Besøk hos flyktningetjenesten"))
    db.session.commit()

    states = services.municipality_states(gathering)
    assert (states[a.id], states[b.id], states[c.id], states[d.id], states[e.id]) == (
        "registered", "reached", "reached", "not_reached", "not_reached")

    server = smtp_server()
    use_smtp(server.port)
    send_due()
    server.messages.clear()

    # The page tells how many it would reach; one click sends it with the default text.
    login(client, "vert@vlfk.no")
    page = client.get(_campaign_url(gathering))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    subject, body = services.default_campaign_texts(gathering, "reminder")
    assert re.search(r'name="subject"[^>]*value="P', html)
    assert "Etne, Kinn" in html or "Kinn, Etne" in html
    response = client.post(_campaign_url(gathering, suffix="/reminder"), data={
        "csrf_token": get_csrf(client, _campaign_url(gathering)), "sender_kind": "career_centre",
        "sender_name": "", "sender_email": "", "subject": subject, "body": body, "save": "1",
        "confirmed": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    reminder = _latest_campaign(db)
    assert reminder.kind == "reminder" and reminder.sender_name == "Karrieresenteret i Vestland"
    assert reminder.sender_email == "vert@vlfk.no"

    send_due()
    received = Counter(parseaddr(m["To"])[1] for m in server.messages)
    assert received == Counter({"leder@kinn.kommune.no": 1, "radgiver@kinn.kommune.no": 1,
                                "leder@etne.kommune.no": 1, "radgiver@etne.kommune.no": 1})
    assert all(m["Subject"].startswith("Påminnelse") for m in server.messages)


def test_reminder_with_nobody_to_remind_changes_nothing(world, client, db):
    places, gathering = world["places"], world["gathering"]
    _contact(db, places, "4601", "leder@bergen.kommune.no")
    login(client, "vert@vlfk.no")
    client.set_cookie("lang", "en")
    subject, body = services.default_campaign_texts(gathering, "reminder")
    response = client.post(_campaign_url(gathering, suffix="/reminder"), data={
        "csrf_token": get_csrf(client, _campaign_url(gathering)), "sender_kind": "career_centre",
        "subject": subject, "body": body, "save": "1", "confirmed": "1"})
    assert response.status_code == 422
    assert "nobody to remind" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert _outbox_count(db) == 0


# --- the text ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "named"), [
    ("Hei {fornavn}, meld dere på: {link}", "{fornavn}"),
    ("Hei {name.__class__} {link}", "{name.__class__}"),
    ("Hei {name!r} {link}", "{name!r}"),
    ("Hei {0} {link}", "{0}"),
    ("Hei {name}, meld dere på: {link", "brace"),
    ("Hei {name}, meld dere på } {link}", "brace"),
    ("Hei {name}, meld dere på her.", "{link}"),
])
def test_bad_placeholders_are_refused_beside_the_field(world, client, db, body, named):
    login(client, "vert@vlfk.no")
    client.set_cookie("lang", "en")
    response = _compose(client, world["gathering"], body=body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error-message[^"]*"[^>]* id="body-error">([^<]*)</p>', html)
    assert error, "no error beside the text field"
    assert named in error.group(1).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_unknown_placeholder_in_subject_and_the_service_refuses_too(world, db):
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(world["gathering"], world["host"], sender_kind="career_centre",
                                 sender_name="Karrieresenteret", subject="Til {fylke}",
                                 body="{name} {link}")
    assert "{fylke}" in caught.value.fields["subject"]
    # Escaped braces are text, and rendering never looks anything up beyond the known names.
    assert services.render_campaign_text("{{name}} {name}", {"name": "Kari"}) == "{name} Kari"


def test_preview_shows_the_mail_for_a_sample_recipient(world, client, db):
    _contact(db, world["places"], "4602", "ola@kinn.kommune.no", name="Ola Kinnesen")
    login(client, "vert@vlfk.no")
    response = _compose(client, world["gathering"], save="", preview="1",
                        subject="Til {municipality}", body="Hei {name}, {link} ({venue})")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Til Kinn" in html
    assert "Hei Ola Kinnesen, http://localhost/r/eksempel (Scandic Ørnen)" in html
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_counsellor_of_another_county_cannot_be_the_sender(world, make_user, db):
    other = make_user("counsellor", county="11", name="Rogaland-veileder")
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(world["gathering"], world["host"], sender_kind="counsellor",
                                 counsellor=other, subject="Invitasjon", body="{link}")
    assert "sender_kind" in caught.value.fields


# --- failures and progress ---------------------------------------------------------------------

def _row_of(html: str, invitation: Invitation) -> str:
    match = re.search(rf'<tr id="invitation-{invitation.id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row for {invitation.email}"
    return match.group(1)


def test_bounced_mail_is_shown_against_its_recipient(world, client, db, smtp_server, use_smtp):
    places, gathering, host = world["places"], world["gathering"], world["host"]
    _contact(db, places, "4601", "finnesikke@bergen.kommune.no")
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    campaign = services.create_campaign(gathering, host, sender_kind="career_centre",
                                        sender_name="Karrieresenteret", subject="Invitasjon",
                                        body="Hei {name}: {link}")
    services.send_campaign(campaign, host, municipalities=[places.unit("4601"), places.unit("4602")])
    db.session.commit()
    bad, good = sorted(campaign.invitations, key=lambda i: i.outbox_message_id)
    assert bad.email == "finnesikke@bergen.kommune.no"

    login(client, "vert@vlfk.no")
    waiting = client.get(_campaign_url(gathering, campaign))
    assert waiting.headers.get("Refresh") == "5"  # refreshes itself while mail waits

    refusing = smtp_server(rcpt_reply="550 5.1.1 No such user here")
    use_smtp(refusing.port)
    assert send_due(limit=1).failed == 1  # the first queued: the bad address
    accepting = smtp_server()
    use_smtp(accepting.port)
    assert send_due().sent == 1

    client.set_cookie("lang", "en")
    page = client.get(_campaign_url(gathering, campaign))
    assert page.status_code == 200
    assert "Refresh" not in page.headers
    html = page.get_data(as_text=True)
    bad_row, good_row = _row_of(html, bad), _row_of(html, good)
    assert "status--mail-failed" in bad_row and "No such user here" in bad_row
    assert "status--mail-sent" in good_row and "No such user" not in good_row
    # A failed mail does not count as reaching the municipality.
    states = services.municipality_states(gathering)
    assert states[places.unit("4601").id] == "not_reached"
    assert states[places.unit("4602").id] == "reached"
    progress = services.campaign_progress([campaign.id])[campaign.id]
    assert (progress["recipients"], progress["sent"], progress["failed"], progress["waiting"]) == (
        2, 1, 1, 0)


def test_send_without_choosing_or_without_contacts_changes_nothing(world, client, db):
    places, gathering = world["places"], world["gathering"]
    login(client, "vert@vlfk.no")
    client.set_cookie("lang", "en")
    assert _compose(client, gathering).status_code == 302
    campaign = _latest_campaign(db)
    response = _send(client, gathering, campaign, [])
    assert response.status_code == 422
    assert "Choose at least one municipality" in response.get_data(as_text=True)
    response = _send(client, gathering, campaign, [places.unit("4601")])  # no contacts there
    assert response.status_code == 422
    assert "no active contact" in response.get_data(as_text=True).lower() or \
        "None of the chosen municipalities" in response.get_data(as_text=True)
    response = _send(client, gathering, campaign, [places.unit("1101")])  # another county
    assert response.status_code == 422
    db.session.refresh(campaign)
    assert campaign.status == "draft" and _outbox_count(db) == 0


# --- who may see and do what -------------------------------------------------------------------

def test_scoping(world, client, make_user, db):
    gathering, places = world["gathering"], world["places"]
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    campaign = services.create_campaign(gathering, world["host"], sender_kind="career_centre",
                                        sender_name="Karrieresenteret", subject="Invitasjon",
                                        body="{link}")
    db.session.commit()
    make_user("county_host", county="11", email="vert@rogfk.no")
    make_user("counsellor", county="11", email="veileder@rogfk.no")
    make_user("municipal_contact", county="46", municipality="4601", email="leder@bergen.no")
    make_user("directorate", county=None, email="hk@hkdir.no")
    reads = [_campaign_url(gathering), _campaign_url(gathering, campaign)]
    writes = [_campaign_url(gathering, suffix="/new")]
    posts = [_campaign_url(gathering, campaign, "/send"), _campaign_url(gathering, suffix="/reminder"),
             _campaign_url(gathering, suffix="/new")]

    def check(email, read, write):
        client.get("/")
        login(client, email)
        for url in reads:
            assert client.get(url).status_code == read, (email, url)
        for url in writes:
            assert client.get(url).status_code == write, (email, url)
        token = get_csrf(client, "/gatherings/")
        if write != 200:
            for url in posts:
                response = client.post(url, data={
                    "csrf_token": token, "recipients": "not_registered", "subject": "x",
                    "body": "{link}", "save": "1", "sender_kind": "career_centre"})
                assert response.status_code == write, (email, url)
        client.post("/account/logout", data={"csrf_token": token})

    check("vert@rogfk.no", 404, 404)          # another county's host
    check("veileder@rogfk.no", 404, 404)      # another county's counsellor
    check("kari.veileder@vlfk.no", 200, 403)  # the county's counsellor reads
    check("leder@bergen.no", 403, 403)        # a municipal contact
    check("hk@hkdir.no", 403, 403)            # the directorate does not read contact lists
    check("vert@vlfk.no", 200, 200)
    assert _outbox_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    with pytest.raises(Forbidden):
        services.send_campaign(campaign, world["counsellor"])


def test_campaign_of_another_gathering_is_not_found(world, make_gathering, client, db):
    host = world["host"]
    second = make_gathering(county="46", title="Andre samling")
    campaign = services.create_campaign(second, host, sender_kind="career_centre",
                                        sender_name="Karrieresenteret", subject="Invitasjon",
                                        body="{link}")
    db.session.commit()
    login(client, "vert@vlfk.no")
    assert client.get(_campaign_url(world["gathering"], campaign)).status_code == 404
    assert client.get(_campaign_url(second, campaign)).status_code == 200


# --- concurrency (PostgreSQL) ------------------------------------------------------------------

def test_double_click_on_send_mails_each_recipient_once(world, app, db, is_postgres, run_in_thread):
    if not is_postgres:
        pytest.skip("concurrent sends need PostgreSQL (TEST_DATABASE_URL)")
    places, gathering, host = world["places"], world["gathering"], world["host"]
    for n in range(6):
        _contact(db, places, "4601", f"person{n}@bergen.kommune.no")
    campaign = services.create_campaign(gathering, host, sender_kind="career_centre",
                                        sender_name="Karrieresenteret", subject="Invitasjon",
                                        body="{link}")
    db.session.commit()
    campaign_id, host_id, unit_id = campaign.id, host.id, places.unit("4601").id

    def click():
        from eventapp.accounts.models import User

        with app.app_context():
            try:
                services.send_campaign(db.session.get(Campaign, campaign_id),
                                       db.session.get(User, host_id), municipalities=[unit_id])
                db.session.commit()
            finally:
                db.session.remove()

    run_in_thread(click, click, click)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 6
    assert _outbox_count(db) == 6


def test_a_second_reminder_right_after_the_first_is_refused(world, client, db):
    places, gathering, host = world["places"], world["gathering"], world["host"]
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    services.send_campaign(services.create_campaign(
        gathering, host, sender_kind="career_centre", subject="Invitasjon", body="{link}"),
        host, municipalities=[places.unit("4602")])
    db.session.commit()
    login(client, "vert@vlfk.no")
    client.set_cookie("lang", "en")
    subject, body = services.default_campaign_texts(gathering, "reminder")

    def click():
        return client.post(_campaign_url(gathering, suffix="/reminder"), data={
            "csrf_token": get_csrf(client, _campaign_url(gathering)),
            "sender_kind": "career_centre", "subject": subject, "body": body, "save": "1",
            "confirmed": "1"})

    assert click().status_code == 302
    queued = _outbox_count(db)
    second = click()
    assert second.status_code == 422
    assert "A reminder went out at" in second.get_data(as_text=True)
    assert _outbox_count(db) == queued
    assert db.session.scalar(select(func.count()).select_from(Campaign)
                             .where(Campaign.kind == "reminder")) == 1
