"""Issue 16's registration bits in a browser: a municipal contact withdraws one of their own
people through the confirmation page (the first waiting moves up), and the host gives a waiting
person a place by hand, refused with the reason while the municipality is full. The person's
own page says their place in the queue. Every page passes axe with no violation of any impact
at 1280 and 390 px, and fits a phone without sideways scroll."""

from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, cap_row, register
from tests.browser.looks import look
from tests.browser.test_journeys import log_in

pytestmark = pytest.mark.browser
_look = partial(look, prefix="regbits")


def _person(name: str, email: str) -> RegistrationData:
    return RegistrationData(name=name, email=email, organisation_kind="municipality",
                            municipality_number="4601", role="programme_adviser")


@pytest.fixture
def full_bergen(db, make_user, make_gathering):
    g = make_gathering(county="46", title="Vestlandssamlinga",
                       start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2)
    g.status = "open"
    db.session.commit()
    people = [register(g, _person(name, email), channel="public_link") for name, email in (
        ("Kari Nordmann", "kari@bergen.example"), ("Per Hansen", "per@bergen.example"),
        ("Ola Vente", "ola@bergen.example"), ("Siri Kø", "siri@bergen.example"))]
    db.session.commit()
    return g, people


def _status(db, registration) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).status


def test_municipal_contact_withdraws_a_participant(page, db, make_user, full_bergen,
                                                   screenshot):
    g, (kari, _per, ola, siri) = full_bergen
    contact = make_user("municipal_contact", county="46", municipality="4601",
                        name="Berit Kontakt")
    found: list[str] = []

    # The participant's own page says where they stand in the queue.
    page.goto(f"/registration/{siri.manage_token}")
    expect(page.locator("[data-queue-place]")).to_contain_text(
        "Du er nummer 2 på ventelisten for Bergen.")
    _look(page, "own page, waiting", found, screenshot, "queue-place")

    log_in(page, contact.email)
    page.goto(f"/gatherings/{g.id}/our-registrations")
    expect(page.get_by_label("Deltakerens navn", exact=True)).to_be_visible()
    _look(page, "our registrations", found, screenshot, "municipal-list")
    page.locator(f'#r-{kari.id} [data-action="municipal-cancel"]').click()
    dialog = page.locator("[data-confirm]")
    expect(dialog.get_by_role("heading", level=1)).to_have_text("Melde av Kari Nordmann?")
    expect(dialog).to_contain_text("Første på ventelisten for Bergen, Ola Vente, får plassen")
    _look(page, "confirm: municipal withdraws", found, screenshot, "municipal-confirm")

    page.get_by_role("link", name="Avbryt").click()
    assert _status(db, kari) == "confirmed"

    page.locator(f'#r-{kari.id} [data-action="municipal-cancel"]').click()
    page.get_by_role("button", name="Ja, meld av Kari Nordmann").click()
    expect(page.locator(".alert--success").first).to_contain_text(
        "Kari Nordmann er meldt av og har fått e-post.")
    _look(page, "our registrations after", found)
    assert _status(db, kari) == "cancelled" and _status(db, ola) == "confirmed"
    assert not found, "\n".join(found)


def test_host_promotes_from_the_waitlist_by_hand(page, db, make_user, full_bergen, screenshot):
    g, (_kari, _per, ola, siri) = full_bergen
    host = make_user("county_host", county="46", name="Hanne Vert")
    found: list[str] = []
    log_in(page, host.email)

    # Full: the confirmation is offered, and "Yes" is refused with the reason.
    page.goto(f"/gatherings/{g.id}/registrations")
    _look(page, "registrations with Gi plass", found, screenshot, "host-list")
    page.locator(f'#r-{siri.id} [data-action="host-promote"]').click()
    expect(page.locator("[data-confirm] h1")).to_have_text("Gi Siri Kø plass?")
    _look(page, "confirm: host promotes", found, screenshot, "host-confirm")
    page.get_by_role("button", name="Ja, gi Siri Kø plass").click()
    expect(page.locator(".alert--error").first).to_contain_text(
        "Bergen har ingen ledig plass: 2 av 2 er tatt.")
    _look(page, "refused", found, screenshot, "host-refused")
    assert _status(db, siri) == "waitlisted"

    # A place comes free without anyone moving up (the cap raised behind the scenes): the host
    # gives it to the second in the queue.
    cap_row(g, siri.municipality).cap = 3
    db.session.commit()
    page.goto(f"/gatherings/{g.id}/registrations")
    page.locator(f'#r-{siri.id} [data-action="host-promote"]').click()
    page.get_by_role("button", name="Ja, gi Siri Kø plass").click()
    expect(page.locator(".alert--success").first).to_contain_text("Siri Kø har plass")
    assert _status(db, siri) == "confirmed" and _status(db, ola) == "waitlisted"
    assert not found, "\n".join(found)
