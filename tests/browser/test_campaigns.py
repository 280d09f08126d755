"""A host sends a campaign: from the campaign page to the confirmation page (who gets it, who
has no contact), "Ja, send", and back to the campaign with the mail on its way. axe finds
nothing, of any impact, at 1280 and at 390 px on either page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from eventapp.invitations import services
from eventapp.invitations.models import Contact
from eventapp.mail.models import OutboxMessage
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import axe_violations, describe, log_in_ok

pytestmark = pytest.mark.browser


def _axe_clean(page, where: str, found: list[str]) -> None:
    for size, name in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        if violations is None:
            found.append(f"[{where} {name}] axe did not run")
        elif violations:
            found.append(describe(f"{where} {name}", violations))
    page.set_viewport_size(DESKTOP)


def test_host_confirms_and_sends_a_campaign(page, db, make_user, make_gathering, places,
                                            screenshot):
    host = make_user("county_host", county="46", name="Vilde Vert")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 11), status="open")
    for number, email in (("4601", "leder@bergen.kommune.no"), ("4601", "radgiver@bergen.kommune.no"),
                          ("4602", "leder@kinn.kommune.no")):
        unit = places.unit(number)
        db.session.add(Contact(county_id=unit.county_id, municipality_id=unit.id, email=email,
                               name=email.split("@")[0].title(), role="leader"))
    campaign = services.create_campaign(
        gathering, host, sender_kind="career_centre", sender_name="Karrieresenteret Vestland",
        subject="Invitasjon til høstsamlingen for {kommune}",
        body="Hei {navn}! Meld dere på: {lenke}")
    db.session.commit()
    found: list[str] = []

    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{gathering.id}/campaigns")
    page.get_by_role("link", name="Invitasjon til høstsamlingen for {kommune}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invitasjon til høstsamlingen for {kommune}")
    expect(page.locator("#without-contacts")).to_contain_text("har ingen kontaktperson")
    _axe_clean(page, "campaign", found)
    screenshot(page, "campaign-before-send")

    page.get_by_label("Kommunene jeg velger nedenfor").check()
    page.get_by_label("Bergen").check()
    page.get_by_label("Kinn").check()
    page.get_by_label("Etne").check()
    page.locator("#send form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sende «Invitasjon til høstsamlingen for {kommune}»?")
    expect(page.locator("main")).to_contain_text(
        "Invitasjonen sendes til 3 kontaktpersoner i 2 kommuner; 1 kommune har ingen "
        "kontaktperson.")
    expect(page.locator("main")).to_contain_text("Ingen får e-post i: Etne.")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    _axe_clean(page, "confirmation", found)
    page.set_viewport_size(PHONE)
    screenshot(page, "campaign-confirm-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "campaign-confirm")

    # "Avbryt" goes back without sending; then through again and "Ja, send".
    page.get_by_role("link", name="Avbryt").click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.id}$"))
    page.get_by_label("Kommunene jeg velger nedenfor").check()
    page.get_by_label("Bergen").check()
    page.locator("#send form button[type=submit]").click()
    page.get_by_role("button", name="Ja, send til 2 personer").click()

    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.id}$"))
    expect(page.locator("main")).to_contain_text("2 e-poster er på vei.")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    _axe_clean(page, "campaign after send", found)
    screenshot(page, "campaign-after-send")
    assert not found, "accessibility violations:\n" + "\n".join(found)
