"""The campaign reminder asks first, like sending a campaign (issue 16): the confirmation page
says how many are reminded and where; a post without it changes nothing; "Yes" sends the text
that was written, carried through the page unchanged; who may not send gets no page."""

import html as html_lib
import re

from sqlalchemy import func, select

from eventapp.invitations import services
from eventapp.invitations.models import Campaign
from tests.conftest import csrf_from, get_csrf, login
from tests.invitations.test_campaigns import _campaign_url, _contact, _outbox_count, world

__all__ = ["world"]


def _reached(db, world):
    places, gathering, host = world["places"], world["gathering"], world["host"]
    _contact(db, places, "4602", "leder@kinn.kommune.no")
    _contact(db, places, "4602", "radgiver@kinn.kommune.no")
    services.send_campaign(services.create_campaign(
        gathering, host, sender_kind="career_centre", subject="Invitasjon", body="{link}"),
        host, municipalities=[places.unit("4602")])
    db.session.commit()
    return gathering


def _reminders(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign)
                             .where(Campaign.kind == "reminder"))


def test_reminder_asks_first_then_sends_the_text_as_written(world, client, db):
    gathering = _reached(db, world)
    queued = _outbox_count(db)
    login(client, "vert@vlfk.no")
    body = "Hei {navn}!\nFristen nærmer seg.\n\nMeld dere på: {lenke}"
    data = {"csrf_token": get_csrf(client, _campaign_url(gathering)),
            "sender_kind": "career_centre", "sender_name": "", "sender_email": "",
            "subject": "Siste sjanse for Kinn", "body": body, "save": "1"}
    ask = client.post(_campaign_url(gathering, suffix="/reminder"), data=data)
    page = ask.get_data(as_text=True)
    shown = " ".join(html_lib.unescape(page).split())
    assert ask.status_code == 200
    assert "Sende påminnelsen?" in shown
    assert "Påminnelsen sendes til 2 kontaktpersoner i 1 kommune." in shown
    assert "Påminnet: Kinn (nådd, ikke påmeldt ennå)." in shown
    assert "Ja, minn 2 personer på" in shown
    assert _reminders(db) == 0 and _outbox_count(db) == queued

    # "Yes" posts what the page carries: the same text, line breaks and all.
    carried = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page))
    assert html_lib.unescape(carried["body"]) == body
    yes = {name: html_lib.unescape(value) for name, value in carried.items()}
    yes["csrf_token"] = csrf_from(page)
    done = client.post(_campaign_url(gathering, suffix="/reminder"), data=yes)
    assert done.status_code == 302
    reminder = db.session.scalars(select(Campaign).where(Campaign.kind == "reminder")).one()
    assert reminder.subject == "Siste sjanse for Kinn" and reminder.body.strip() == body
    assert _outbox_count(db) == queued + 2


def test_counsellor_gets_no_reminder_confirmation(world, client, db):
    gathering = _reached(db, world)
    login(client, "kari.veileder@vlfk.no")
    response = client.post(_campaign_url(gathering, suffix="/reminder"), data={
        "csrf_token": get_csrf(client, _campaign_url(gathering)),
        "sender_kind": "career_centre", "subject": "Påminnelse", "body": "{link}", "save": "1"})
    assert response.status_code == 403
    assert _reminders(db) == 0
