"""The main journeys of the foundation, driven through the system Chromium.

Text is asserted in Norwegian Bokmål, the default language; structure (roles, URLs, ``lang``)
is asserted exactly.
"""

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.mail.models import OutboxMessage
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# The interface is Norwegian Bokmål unless the user picks English.
EMAIL = re.compile(r"^E-post$")
PASSWORD_LABEL = re.compile(r"^Passord$")
LOG_IN = re.compile(r"^Logg inn$")
LOG_OUT = re.compile(r"^Logg ut$")
MAIN_MENU = re.compile(r"^Hovedmeny$")


def log_in(page, email: str, password: str = PASSWORD):
    """Fill in and send the real login form."""
    page.goto("/account/login")
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("main").get_by_role("button", name=LOG_IN).click()


def log_in_ok(page, email: str):
    log_in(page, email)
    expect(page).to_have_url(re.compile(r"/$"))


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def submit_main_form(page):
    page.locator("main form").first.locator("button[type=submit]").click()


# --- a. log in, home, navigation, log out ---------------------------------------------------


def test_county_host_logs_in_sees_home_and_logs_out(page, live_server, make_user, make_gathering):
    host = make_user("county_host", county="46", name="Hanne Vert")
    make_gathering(county="46", title="Vestlandssamlinga")
    make_gathering(county="03", title="Oslosamlinga")

    page.goto("/")
    assert html_lang(page) == "nb"
    page.get_by_role("main").get_by_role("link", name=LOG_IN).click()
    expect(page).to_have_url(f"{live_server}/account/login")

    log_in(page, host.email)
    expect(page).to_have_url(f"{live_server}/")
    assert html_lang(page) == "nb"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hanne Vert")
    expect(page.get_by_role("link", name="Vestlandssamlinga")).to_be_visible()
    # Another county's gathering is out of a county host's scope.
    expect(page.get_by_text("Oslosamlinga")).to_have_count(0)
    expect(page.locator(".whoami")).to_contain_text("Hanne Vert")
    expect(page.locator(".whoami")).to_contain_text("Vestland")

    nav = page.get_by_role("navigation", name=MAIN_MENU)
    hrefs = nav.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["/gatherings/", "/reports/national", "/reports/national/survey",
                     "/reports/topics", "/account/users", "/gatherings/contacts", "/partners",
                     "/places/", "/mail/", "/account/tokens/"]

    nav.get_by_role("button", name=LOG_OUT).click()
    expect(page).to_have_url(f"{live_server}/account/login")
    expect(page.get_by_role("status")).to_be_visible()  # "You are logged out."
    expect(page.get_by_role("button", name=LOG_OUT)).to_have_count(0)
    # The session is really gone: a protected page sends back to the login form.
    page.goto("/account/users")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/account/login")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


# --- b. wrong password ----------------------------------------------------------------------


def test_wrong_password_shows_error_keeps_email(page, make_user):
    host = make_user("county_host", county="46")
    page.goto("/account/login")

    email = page.get_by_label(EMAIL)
    password = page.get_by_label(PASSWORD_LABEL)
    assert email.get_attribute("type") == "email"
    assert email.get_attribute("autocomplete") == "username"
    assert password.get_attribute("type") == "password"
    assert password.get_attribute("autocomplete") == "current-password"
    unlabelled = page.locator("main form").evaluate(
        "f => [...f.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(el => el.labels.length === 0).map(el => el.name)"
    )
    assert unlabelled == []

    email.fill(host.email)
    password.fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("main").get_by_role("button", name=LOG_IN).click()
    assert answer.value.status == 401

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Feil e-post eller passord")
    expect(page.get_by_label(EMAIL)).to_have_value(host.email)
    # The password is never sent back to the browser.
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    expect(page).to_have_url(re.compile(r"/account/login$"))


# --- c. create a municipal contact ------------------------------------------------------------


def test_county_host_creates_municipal_contact(page, live_server, db, make_user, places):
    host = make_user("county_host", county="46")
    bergen = places.unit("4601")
    log_in_ok(page, host.email)

    page.goto("/account/users/new")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_main_form(page)
    assert answer.value.status == 422

    for name in ("name", "email"):
        field = page.locator(f".field:has(#{name})")
        error = field.locator(".error-message")
        expect(error).to_be_visible()
        expect(error).not_to_be_empty()
        control = page.locator(f"#{name}")
        expect(control).to_have_attribute("aria-invalid", "true")
        # The error is tied to the control for screen readers.
        expect(control).to_have_attribute("aria-describedby", error.get_attribute("id"))
    # Only those two fields are wrong: role has a default, the municipality is optional.
    expect(page.locator(".field--error")).to_have_count(2)
    expect(page.locator("[aria-invalid=true]")).to_have_count(2)

    page.locator("#name").fill("Kari Nordmann")
    page.locator("#email").fill("Kari.Nordmann@Example.no")
    page.locator("#role").select_option("municipal_contact")
    page.locator("#municipality").select_option(str(bergen.id))
    submit_main_form(page)

    expect(page).to_have_url(re.compile(r"/account/users/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kari Nordmann")
    expect(page.get_by_role("status")).to_contain_text("Kari Nordmann")
    expect(page.locator(".facts")).to_contain_text("Bergen")

    created = db.session.scalars(select(User).where(User.email == "kari.nordmann@example.no")).one()
    assert page.url == f"{live_server}/account/users/{created.id}"
    assert created.role == "municipal_contact"
    assert created.municipality_id == bergen.id
    assert created.county_id == host.county_id
    assert not created.active
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "kari.nordmann@example.no")
    ).all()
    assert [(m.kind, m.status, m.created_by_id) for m in mails] == [
        ("accounts.activate", "pending", host.id)
    ]
    assert "/account/activate/" in mails[0].body_text


# --- d. language switch -----------------------------------------------------------------------


def test_language_switch_sticks_across_pages(page, live_server):
    page.goto("/")
    assert html_lang(page) == "nb"
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("button", name="Norsk bokmål")).to_have_attribute("aria-current", "true")

    footer.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server}/")
    assert html_lang(page) == "en"
    expect(footer.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    expect(footer.get_by_role("button", name="Norsk bokmål")).not_to_have_attribute("aria-current", "true")

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")

    # Back to Norwegian: the page stays where it was, and the choice holds on the next page.
    footer.get_by_role("button", name="Norsk bokmål").click()
    expect(page).to_have_url(f"{live_server}/account/login")
    assert html_lang(page) == "nb"
    page.goto("/")
    assert html_lang(page) == "nb"


def test_logged_in_language_choice_is_remembered_for_the_user(page, browser, live_server, db, make_user):
    host = make_user("county_host", county="46")
    log_in_ok(page, host.email)
    page.goto("/account/users")
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server}/account/users")
    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    db.session.refresh(host)
    assert host.language == "en"

    # A fresh browser (no language cookie) gets the user's language after logging in.
    context = browser.new_context(locale="nb-NO", base_url=live_server)
    try:
        other = context.new_page()
        log_in_ok(other, host.email)
        assert html_lang(other) == "en"
    finally:
        context.close()


# --- e. accessibility -------------------------------------------------------------------------


def axe_violations(page) -> list[dict] | None:
    """axe-core's violations on the page, or None when axe checked nothing."""
    from axe_playwright_python.sync_playwright import Axe

    # A click on a link returns once the next page has begun to load; axe run on it then lost
    # its document halfway (CI, "reading 'documentElement'" of null). Checked once it is in.
    page.wait_for_load_state()
    response = Axe().run(page).response
    return response["violations"] if response.get("passes") else None


def describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{where}] {v['impact']}: {v['id']} - {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def check_axe(page, where: str, found: list[str]):
    violations = axe_violations(page)
    if violations is None:
        found.append(f"[{where}] axe did not run")
        return
    if violations:
        print(describe(where, violations))
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    if serious:
        found.append(describe(where, serious))


def test_accessibility_logged_out(page, make_user):
    host = make_user("county_host", county="46")
    found: list[str] = []

    page.goto("/")
    check_axe(page, "welcome", found)
    page.goto("/account/login")
    check_axe(page, "login", found)
    log_in(page, host.email, "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    check_axe(page, "login with wrong password", found)
    page.get_by_label(EMAIL).fill("")
    page.get_by_role("main").get_by_role("button", name=LOG_IN).click()
    expect(page.locator(".error-message")).to_have_count(2)
    check_axe(page, "login with field errors", found)

    assert not found, "serious accessibility violations:\n" + "\n".join(found)


def test_accessibility_logged_in(page, db, make_user, make_gathering):
    from eventapp.accounts.services import create_user

    host = make_user("county_host", county="46")
    # Both status styles on the cards: a draft and an open gathering.
    make_gathering(county="46", title="Vestlandssamlinga")
    make_gathering(county="46", title="Haustsamlinga", status="open")
    # Mail in every state the outbox page draws, including a failure (badge in the menu).
    create_user(email="ola@example.no", name="Ola Rådgiver", role="counsellor", actor=host)
    create_user(email="per@example.no", name="Per Feil", role="counsellor", actor=host)
    db.session.flush()
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "per@example.no")
    ).one()
    failed.status = "failed"
    failed.attempts = 8
    failed.last_error = "550 5.1.1 mailbox unavailable"
    db.session.commit()
    found: list[str] = []

    log_in_ok(page, host.email)
    check_axe(page, "home (county host)", found)
    page.goto("/account/users")
    check_axe(page, "users list", found)
    page.goto("/account/users/new")
    submit_main_form(page)
    expect(page.locator(".error-message").first).to_be_visible()
    check_axe(page, "new user with errors", found)
    page.goto("/account/tokens/")
    page.locator("#name").fill("Rapportverktøy")
    submit_main_form(page)
    expect(page.locator(".secret")).to_be_visible()
    check_axe(page, "API tokens with a new token", found)
    page.goto("/mail/")
    expect(page.locator(".status--mail-failed")).to_be_visible()
    check_axe(page, "mail", found)

    assert not found, "serious accessibility violations:\n" + "\n".join(found)


def test_accessibility_on_a_phone(page, db, make_user, make_gathering):
    from eventapp.accounts.services import create_user

    host = make_user("county_host", county="46")
    make_gathering(county="46", title="Vestlandssamlinga")
    create_user(email="per.kristian.hansen-lie@kommune.example.no", name="Per Kristian Hansen-Lie",
                role="counsellor", actor=host)
    db.session.commit()
    page.set_viewport_size(PHONE)
    found: list[str] = []

    log_in_ok(page, host.email)
    for where, url in [("home", "/"), ("users list", "/account/users"), ("mail", "/mail/"),
                       ("API tokens", "/account/tokens/")]:
        page.goto(url)
        check_axe(page, where, found)

    assert not found, "serious accessibility violations on a phone:\n" + "\n".join(found)


# --- f. narrow screens and screenshots ------------------------------------------------------


def no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_layout_and_screenshots(page, size, screenshot, db, make_user, make_gathering):
    from eventapp.accounts.services import create_user

    viewport = {"desktop": DESKTOP, "phone": PHONE}[size]
    page.set_viewport_size(viewport)
    host = make_user("county_host", county="46", name="Hanne Vert")
    make_gathering(county="46", title="Vestlandssamlinga")
    make_gathering(county="46", title="Fagdag om karriereveiledning for flyktninger",
                   venue="Scandic Bergen City, konferansesal 2")
    # Long addresses make the widest tables (users list and outbox).
    create_user(email="per.kristian.hansen-lie@kommune.example.no", name="Per Kristian Hansen-Lie",
                role="counsellor", actor=host)
    db.session.commit()
    too_wide = {}

    def shoot(name: str):
        scroll_width, inner_width = no_horizontal_scroll(page)
        if scroll_width > inner_width:
            too_wide[name] = (scroll_width, inner_width)
        screenshot(page, f"{name}-{size}")

    page.goto("/account/login")
    shoot("login")
    log_in_ok(page, host.email)
    shoot("home")
    page.goto("/account/users")
    shoot("users")
    page.goto("/account/users/new")
    submit_main_form(page)
    expect(page.locator(".error-message").first).to_be_visible()
    shoot("user-new-errors")
    page.goto("/mail/")
    shoot("mail")

    assert too_wide == {}, f"pages wider than the {size} viewport (scrollWidth, innerWidth): {too_wide}"
