"""Confirm, and undo, in a browser: a host cancels a registration through the confirmation page
(which names who loses the place and who gets it), and the directorate reopens a grant decision
with a reason that lands in the visible history. Every page passes axe with no violation of any
impact at 1280 and 390 px, and fits a phone without sideways scroll."""

from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.grants import services as grants
from eventapp.grants.models import GrantApplication
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, register
from tests.browser.looks import look
from tests.browser.test_journeys import log_in
from tests.grants.conftest import decide_grant

pytestmark = pytest.mark.browser
_look = partial(look, prefix="confirm")


def _person(name: str, email: str) -> RegistrationData:
    return RegistrationData(name=name, email=email, organisation_kind="municipality",
                            municipality_number="4601", role="programme_adviser")


def test_host_cancels_through_the_confirmation_page(page, db, make_user, make_gathering,
                                                    screenshot):
    g = make_gathering(county="46", title="Vestlandssamlinga",
                       start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2)
    g.status = "open"
    db.session.commit()
    host = make_user("county_host", county="46", name="Hanne Vert")
    kari = register(g, _person("Kari Nordmann", "kari@bergen.example"), channel="public_link")
    register(g, _person("Per Hansen", "per@bergen.example"), channel="public_link")
    ola = register(g, _person("Ola Vente", "ola@bergen.example"), channel="public_link")
    db.session.commit()
    found: list[str] = []
    log_in(page, host.email)

    page.goto(f"/gatherings/{g.id}/registrations")
    page.locator(f'#r-{kari.id} [data-action="host-cancel"]').click()
    dialog = page.locator("[data-confirm]")
    expect(dialog.get_by_role("heading", level=1)).to_have_text("Melde av Kari Nordmann?")
    expect(dialog).to_contain_text("Kari Nordmann (Bergen) mister plassen sin")
    expect(dialog).to_contain_text("Første på ventelisten, Ola Vente (Bergen), får plassen og "
                                   "får e-post.")
    _look(page, "confirm: host cancels", found, screenshot, "host-cancel")

    # "Avbryt" goes back and changes nothing.
    page.get_by_role("link", name="Avbryt").click()
    expect(page).to_have_url(f"{page.url.split('/gatherings')[0]}/gatherings/{g.id}/registrations")
    assert db.session.get(Registration, kari.id).status == "confirmed"

    page.locator(f'#r-{kari.id} [data-action="host-cancel"]').click()
    page.get_by_role("button", name="Ja, meld av").click()
    expect(page.locator(".alert--success").first).to_contain_text("Kari Nordmann")
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "cancelled"
    assert db.session.get(Registration, ola.id).status == "confirmed"
    assert not found, "\n".join(found)


def test_directorate_reopens_a_decision_with_a_reason(page, db, make_user, make_gathering,
                                                      screenshot):
    g = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                       end=date(2027, 3, 11))
    host = make_user("county_host", county="46", name="Hanne Vert")
    hk = make_user("directorate", county=None, name="Dina Direktorat")
    decide_grant(db, g, host, hk, planned=50, applied=200_000, granted=200_000)
    found: list[str] = []
    log_in(page, hk.email)

    page.goto(f"/gatherings/{g.id}/grant")
    history = page.locator('[data-list="grant-history"]')
    expect(history).to_contain_text("Innvilget 200 000 kroner")
    _look(page, "grant page with history", found)
    page.locator('[data-action="reopen"]').click()
    expect(page.locator("[data-confirm] h1")).to_have_text("Gjenåpne tilskuddsvedtaket?")
    expect(page.locator("[data-confirm]")).to_contain_text("Vertskapet i fylket får "
                                                           "begrunnelsen din på e-post.")
    _look(page, "confirm: reopen", found, screenshot, "reopen")

    # Without a reason it is refused beside the field, and nothing changes.
    page.get_by_role("button", name="Ja, gjenåpne vedtaket").click()
    expect(page.locator("#reason-error")).to_be_visible()
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    _look(page, "confirm: reopen refused", found)
    db.session.expire_all()
    assert db.session.scalars(select(GrantApplication)).one().status == "decided"

    page.locator("#reason").fill("Beløpet bygde på feil antall deltakere.")
    page.get_by_role("button", name="Ja, gjenåpne vedtaket").click()
    expect(page.locator(".alert--success").first).to_be_visible()
    expect(history).to_contain_text("Vedtak om 200 000 kroner gjenåpnet")
    expect(history).to_contain_text("Beløpet bygde på feil antall deltakere.")
    expect(history).to_contain_text("Dina Direktorat")
    db.session.expire_all()
    application = db.session.scalars(select(GrantApplication)).one()
    assert application.status == "submitted"
    assert [h.action for h in grants.history(g)] == ["reopened", "decided"]

    # The decision form is back; deciding again asks first.
    page.locator("#granted_nok").fill("180 000")
    page.locator("#comment").fill("Færre deltakere enn planlagt.")
    page.locator("#decide button[type=submit]").click()
    expect(page.locator("[data-confirm] h1")).to_have_text("Innvilge 180 000 kroner?")
    _look(page, "confirm: decision", found, screenshot, "decision")
    page.get_by_role("button", name="Ja, innvilg 180 000 kroner").click()
    expect(history).to_contain_text("Innvilget 180 000 kroner")
    _look(page, "grant page after", found)
    assert not found, "\n".join(found)
