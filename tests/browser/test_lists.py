"""Long lists in a browser: the host searches the registrations (as they type and by the form),
sorts by name, ticks two and cancels them through the confirmation page that names them and
says the waitlist moves up; the directorate searches the gatherings. Every page passes axe with
no violation of any impact at 1280 and 390 px, and fits a phone without sideways scroll."""

from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, register
from tests.browser.looks import look
from tests.browser.test_journeys import log_in

pytestmark = pytest.mark.browser
_look = partial(look, prefix="lists")


def _person(name: str, email: str, number: str = "4601") -> RegistrationData:
    return RegistrationData(name=name, email=email, organisation_kind="municipality",
                            municipality_number=number, role="programme_adviser")


def test_host_searches_and_bulk_cancels(page, db, make_user, make_gathering, screenshot):
    g = make_gathering(county="46", title="Vestlandssamlinga",
                       start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2)
    g.status = "open"
    db.session.commit()
    host = make_user("county_host", county="46", name="Hanne Vert")
    kari = register(g, _person("Kari Nordmann", "kari@bergen.example"), channel="public_link")
    per = register(g, _person("Per Hansen", "per@bergen.example"), channel="public_link")
    ola = register(g, _person("Ola Vente", "ola@bergen.example"), channel="public_link")
    siv = register(g, _person("Siv Stord", "siv@stord.example", "4614"), channel="public_link")
    db.session.commit()
    found: list[str] = []
    log_in(page, host.email)

    page.goto(f"/gatherings/{g.id}/registrations")
    _look(page, "registrations list", found, screenshot, "registrations")
    # Filtering as one types hides the rows that do not match.
    page.get_by_label("Søk", exact=True).fill("stord")
    expect(page.locator(f"#r-{siv.id}")).to_be_visible()
    expect(page.locator(f"#r-{kari.id}")).to_be_hidden()
    # The form asks the server too.
    page.get_by_role("button", name="Vis").first.click()
    expect(page.locator("#participants-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Nullstill søket").click()
    page.get_by_role("link", name="Navn", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Navn ▲")
    expect(page.locator("#participants-table tbody tr").first).to_contain_text("Kari Nordmann")
    _look(page, "registrations sorted", found)

    page.get_by_label("Velg Kari Nordmann").check()
    page.get_by_label("Velg Per Hansen").check()
    page.get_by_role("button", name="Meld av valgte").click()
    dialog = page.locator("[data-confirm]")
    expect(dialog.get_by_role("heading", level=1)).to_have_text("Melde av 2 påmeldinger?")
    expect(dialog).to_contain_text("Kari Nordmann, Per Hansen")
    expect(dialog).to_contain_text("Den første på hver venteliste får de ledige plassene")
    _look(page, "confirm: bulk cancel", found, screenshot, "bulk-cancel")
    page.get_by_role("button", name="Ja, meld av 2 påmeldinger").click()
    expect(page.locator(".alert--success").first).to_contain_text("2 påmeldinger er meldt av.")
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "cancelled"
    assert db.session.get(Registration, per.id).status == "cancelled"
    assert db.session.get(Registration, ola.id).status == "confirmed"
    assert not found, "\n".join(found)


def test_directorate_searches_the_gatherings(page, db, make_user, make_gathering):
    make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                   end=date(2027, 3, 11))
    make_gathering(county="11", title="Rogalandssamlinga", start=date(2027, 4, 30),
                   end=date(2027, 5, 1))
    directorate = make_user("directorate", county=None)
    found: list[str] = []
    log_in(page, directorate.email)
    page.goto("/gatherings/")
    expect(page.locator(".cards")).to_contain_text("10.–11. mars 2027")
    page.get_by_label("Fylke").select_option(label="Rogaland")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card")).to_contain_text("30. april–1. mai 2027")
    _look(page, "gatherings list", found)
    assert not found, "\n".join(found)
