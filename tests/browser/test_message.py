"""The host writes to one municipality's registered: the form, the preview with the count
("Sendes til 3 personer"), sending, and the record of it; axe finds nothing (of any impact) at
1280 and 390 px, and nothing scrolls sideways."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import HostMessage
from eventapp.registration.services import RegistrationData, register
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import axe_violations, describe, log_in_ok, no_horizontal_scroll

pytestmark = pytest.mark.browser


def _people(db, gathering):
    made = []
    for i, number in enumerate(("4601", "4601", "4601", "4621", "4627")):
        made.append(register(gathering, RegistrationData(
            name=f"Kristine Marie Haugland-Johannessen {i}", email=f"k{i}@kommune.example",
            organisation_kind="municipality", municipality_number=number,
            role="programme_adviser", day2=i != 1), channel="host"))
    db.session.commit()
    return made


def _clean(page, where: str, found: list[str]) -> None:
    violations = axe_violations(page)
    if violations is None:
        found.append(f"[{where}] axe did not run")
    elif violations:
        found.append(describe(where, violations))
    width, inner = no_horizontal_scroll(page)
    if width > inner:
        found.append(f"[{where}] scrolls sideways: {width} > {inner}")


@pytest.mark.parametrize(("size", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_host_writes_to_a_municipality_with_a_preview(page, db, make_user, make_gathering,
                                                          screenshot, size, label):
    host = make_user("county_host", county="46", name="Vera Vert")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", status="open",
                               start=date.today() + timedelta(days=40),
                               end=date.today() + timedelta(days=41), municipal_cap=2)
    _people(db, gathering)
    page.set_viewport_size(size)
    log_in_ok(page, host.email)
    found: list[str] = []

    page.goto(f"/gatherings/{gathering.id}/messages/new")
    expect(page.locator("h1")).to_have_text("Skriv til deltakerne")
    _clean(page, f"message form ({label})", found)
    # Sending nothing shows what is missing beside the fields, in Norwegian.
    page.get_by_role("button", name="Forhåndsvis meldingen").click()
    expect(page.locator("#subject-error")).to_have_text("Skriv et emne.")
    _clean(page, f"message form with errors ({label})", found)

    page.get_by_label("De påmeldte fra én kommune").check()
    page.get_by_label("Kommune", exact=True).select_option("4601")
    page.get_by_label("Emne").fill("Parkering ved Grieghallen")
    page.get_by_label("Melding", exact=True).fill("Bruk P-huset.\n\nVelkommen!")
    page.get_by_role("button", name="Forhåndsvis meldingen").click()
    expect(page.locator(".message-count")).to_have_text("Sendes til 3 personer")
    expect(page.locator('[data-preview="subject"]')).to_have_text("Parkering ved Grieghallen")
    expect(page.locator('[data-preview="body"]')).to_contain_text("Bruk P-huset.")
    expect(page.locator('[data-preview="body"]')).to_contain_text("Vera Vert")
    _clean(page, f"message preview ({label})", found)
    screenshot(page, f"message-preview-{label}")
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "registration.message")).all() == []

    page.get_by_role("button", name="Send til 3 personer").click()
    expect(page.locator(".alert").first).to_contain_text("på vei til 3 personer")
    expect(page.locator("table")).to_contain_text("Parkering ved Grieghallen")
    _clean(page, f"messages sent ({label})", found)
    screenshot(page, f"messages-sent-{label}")
    sent = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "registration.message")).all()
    assert sorted(m.to_address for m in sent) == [
        "k0@kommune.example", "k1@kommune.example", "k2@kommune.example"]
    assert sent[0].body_text.count("Bruk P-huset.") == 1
    [record] = db.session.scalars(select(HostMessage)).all()
    assert record.recipients == 3
    assert not found, "\n".join(found)
