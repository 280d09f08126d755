"""Sending a campaign asks first and says to whom (issue 16, sections 3, 5 and 6): the
confirmation page counts the contacts and municipalities and names those without a contact;
a post without the confirmation sends nothing; nothing to send, no button; a campaign is named
by its subject as written; merge fields have Norwegian names."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.invitations import services
from eventapp.invitations.models import Campaign, Invitation
from eventapp.mail.models import OutboxMessage
from tests.conftest import get_csrf, login
from tests.invitations.test_campaigns import _contact


@pytest.fixture
def world(make_user, make_gathering, places, db):
    host = make_user("county_host", county="46", name="Vilde Vertskap", email="vert@vlfk.no")
    gathering = make_gathering(county="46", title="Fylkessamling Vestland",
                               start=date(2027, 3, 10), end=date(2027, 3, 11),
                               venue="Scandic Ørnen", status="open")
    db.session.commit()
    return {"host": host, "gathering": gathering, "places": places}


def _campaign(world, db, subject="Invitasjon til høstsamlingen for {kommune}",
              body="Hei {navn} i {kommune}: {lenke} ({dato}, {sted}, {samling})"):
    campaign = services.create_campaign(world["gathering"], world["host"],
                                        sender_kind="career_centre",
                                        sender_name="Karrieresenteret Vestland",
                                        subject=subject, body=body)
    db.session.commit()
    return campaign


def _url(world, campaign, suffix=""):
    return f"/gatherings/{world['gathering'].id}/campaigns/{campaign.id}{suffix}"


def _post_send(client, world, campaign, **data):
    token = get_csrf(client, _url(world, campaign))
    return client.post(_url(world, campaign, "/send"), data={"csrf_token": token, **data})


def _mails(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_send_asks_first_with_the_counts_and_the_yes_sends(world, client, db):
    places = world["places"]
    _contact(db, places, "4601", "leder@bergen.kommune.no")
    _contact(db, places, "4601", "radgiver@bergen.kommune.no")
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    campaign = _campaign(world, db)
    chosen = [places.unit(n).id for n in ("4601", "4602", "4611")]  # Etne has no contact
    login(client, "vert@vlfk.no")

    asked = _post_send(client, world, campaign, recipients="chosen",
                       municipalities=[str(m) for m in chosen])
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert ("Invitasjonen sendes til 3 kontaktpersoner i 2 kommuner; 1 kommune har ingen "
            "kontaktperson.") in html
    assert "Ingen får e-post i: Etne." in html
    assert "Ja, send til 3 personer" in html and "Avbryt" in html
    assert f'value="{",".join(str(m) for m in chosen)}"' in html  # the choice, carried
    assert 'name="confirmed" value="1"' in html and 'name="csrf_token"' in html
    assert _mails(db) == 0 and db.session.get(Campaign, campaign.id).status == "draft"

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    sent = client.post(_url(world, campaign, "/send"), data={
        "csrf_token": token, "confirmed": "1", "recipients": "chosen",
        "places": ",".join(str(m) for m in chosen)})
    assert sent.status_code == 302
    assert _mails(db) == 3
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


def test_a_post_without_the_confirmation_sends_nothing(world, client, db):
    _contact(db, world["places"], "4601", "leder@bergen.kommune.no")
    campaign = _campaign(world, db)
    login(client, "vert@vlfk.no")
    for answer in ({}, {"confirmed": "0"}, {"confirmed": "yes"}):
        response = _post_send(client, world, campaign, recipients="not_registered", **answer)
        assert response.status_code == 200
        assert "Ja, send til 1 person" in response.get_data(as_text=True)
    assert _mails(db) == 0 and db.session.get(Campaign, campaign.id).sent_at is None
    # Without the CSRF token even the confirmed post sends nothing.
    refused = client.post(_url(world, campaign, "/send"),
                          data={"confirmed": "1", "recipients": "not_registered"})
    assert refused.status_code in (400, 422) and _mails(db) == 0


def test_nobody_new_to_send_to_gets_no_confirmation(world, client, db):
    _contact(db, world["places"], "4601", "leder@bergen.kommune.no")
    campaign = _campaign(world, db)
    services.send_campaign(campaign, world["host"])
    db.session.commit()
    mails = _mails(db)
    login(client, "vert@vlfk.no")
    response = _post_send(client, world, campaign, recipients="not_registered")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "det er ingen nye å sende til" in html and "Ja, send" not in html
    assert _mails(db) == mails


def test_no_contacts_disables_the_send_button_and_says_why(world, client, db):
    campaign = _campaign(world, db)
    login(client, "vert@vlfk.no")
    html = client.get(_url(world, campaign)).get_data(as_text=True)
    button = re.search(r'<button type="button" class="button" disabled[^>]*>([^<]*)</button>', html)
    assert button and button.group(1) == "Send invitasjoner (0 personer)"
    assert "Ingen av kommunene har en aktiv kontaktperson" in html
    assert 'action="' + _url(world, campaign, "/send") not in html
    # A forged post is refused too, and nothing is sent.
    response = _post_send(client, world, campaign, recipients="not_registered", confirmed="1")
    assert response.status_code == 422 and _mails(db) == 0


def test_municipalities_without_a_contact_are_shown_before_sending(world, client, db):
    places = world["places"]
    _contact(db, places, "4601", "leder@bergen.kommune.no")
    campaign = _campaign(world, db)
    login(client, "vert@vlfk.no")
    html = client.get(_url(world, campaign)).get_data(as_text=True)
    missing = services.units_without_contacts(world["gathering"])
    assert places.unit("4601") not in missing and places.unit("4602") in missing
    assert f"{len(missing)} kommuner har ingen kontaktperson og kan ikke få e-posten:" in html
    assert "Kinn" in html.split('id="without-contacts"')[1].split("</div>")[0]
    # Beside each such municipality in the list of choices.
    kinn = re.search(rf'value="{places.unit("4602").id}"[^\n]*\n[^\n]*\n\s*<span class="place-state '
                     r'place-state--no-contact">Ingen kontaktperson', html)
    assert kinn, "Kinn is not marked as without a contact"


def test_campaign_is_named_by_its_subject_as_written(world, client, db):
    _contact(db, world["places"], "4601", "leder@bergen.kommune.no")
    campaign = _campaign(world, db)
    login(client, "vert@vlfk.no")
    listing = client.get(f"/gatherings/{world['gathering'].id}/campaigns").get_data(as_text=True)
    page = client.get(_url(world, campaign)).get_data(as_text=True)
    for html in (listing, page):
        assert "Invitasjon til høstsamlingen for {kommune}" in html
    assert "<h1>Invitasjon til høstsamlingen for {kommune}</h1>" in page
    assert "Invitasjon til høstsamlingen for Bergen" not in listing
    # The mail itself still fills the field in.
    services.send_campaign(campaign, world["host"])
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.subject == "Invitasjon til høstsamlingen for Bergen"


def test_norwegian_merge_fields_are_filled_in_like_the_english(world, db):
    _contact(db, world["places"], "4602", "ola@kinn.kommune.no", name="Ola Kinnesen")
    campaign = _campaign(world, db)
    services.send_campaign(campaign, world["host"])
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.subject == "Invitasjon til høstsamlingen for Kinn"
    assert message.body_text.startswith("Hei Ola Kinnesen i Kinn: http://localhost/r/")
    assert "(10.–11. mars 2027, Scandic Ørnen" in message.body_text
    assert "Fylkessamling Vestland)" in message.body_text
    values = {"name": "Kari", "link": "L"}
    assert services.render_campaign_text("{navn} {name} {lenke}", values) == "Kari Kari L"


def test_unknown_fields_are_refused_naming_them_and_the_form_lists_both(world, client, db):
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(world["gathering"], world["host"], sender_kind="career_centre",
                                 subject="Til {fylke} og {Kommune}", body="{lenke}")
    message = caught.value.fields["subject"]
    assert "{fylke}" in message and "{Kommune}" in message and "{kommune}" in message
    # {lenke} counts as the link.
    assert services.campaign_text_problem("Meld dere på: {lenke}", need_link=True) is None
    login(client, "vert@vlfk.no")
    url = f"/gatherings/{world['gathering'].id}/campaigns/new"
    html = client.get(url).get_data(as_text=True)
    assert "Flettefelt" in html
    for norwegian, english in (("navn", "name"), ("kommune", "municipality"), ("dato", "dates"),
                               ("lenke", "link"), ("samling", "gathering"), ("sted", "venue")):
        assert f"<code>{{{norwegian}}}</code></td><td><code>{{{english}}}</code>" in html
    response = client.post(url, data={
        "csrf_token": get_csrf(client, url), "sender_kind": "career_centre", "save": "1",
        "subject": "Til {fylke}", "body": "Hei {navn}: {lenke}"})
    assert response.status_code == 422
    assert "Ukjente flettefelt: {fylke}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
