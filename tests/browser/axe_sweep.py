"""Every page of the demo, in every role, under axe (issue 16).

The pages come from ``app.url_map``: every GET rule, its parameters filled from the demo's data
(``_values`` is the table of how). Each page that answers 200 with HTML is checked at 1280 and
390 px with axe (0 violations of any impact) and at 320 px for reflow (no sideways scroll).

Skipped, as they are no pages: exports and downloads (``.csv``, ``.xlsx``, ``.ics``, QR images
``.svg``/``.png``), ``/static`` and the JSON API (``/api/v1``). A rule whose
parameter the demo cannot fill is listed in the printed summary. A page that redirects (to the
login form, or elsewhere) is not checked there: its target is checked in its own right.

All failures are reported together at the end: page, width, rule and target. The roles are
swept by two test files (``test_axe_sweep_*.py``), so that the two test workers share the
minutes it takes.
"""

import functools
import re
from collections import Counter

import pytest
from sqlalchemy import select

SKIP = re.compile(r"\.(csv|xlsx|ics|svg|png|js|pdf)\b|<any\(|^/static/|^/api/")

ROLES = (
    ("anonymous", None),
    ("county_host", "vert@demo.eventapp.no"),
    ("municipal_contact", "kommune@demo.eventapp.no"),
    ("counsellor", "veileder@demo.eventapp.no"),
    ("directorate", "direktorat@demo.eventapp.no"),
)

WIDTHS = (1280, 390)
REFLOW = 320
HEIGHT = 900


def _axe(page) -> list[dict] | None:
    """axe-core's violations on the page as it is now (as ``test_journeys.axe_violations``),
    or None when axe checked nothing. The script is injected once per page load, not once per
    width: the sweep runs axe some 700 times."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    response = page.evaluate("axe.run({resultTypes: ['violations']})")
    return response["violations"] if response.get("passes") else None


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def _first(db, query):
    return db.session.scalars(query.limit(1)).first()


def _values(db):
    """For each gathering the sweep visits, how to fill each URL parameter; ``None`` when the
    demo has nothing to fill it with. Keys are ``parameter`` or ``endpoint:parameter`` where the
    same name means different things (a follow-up item, a programme item, a token)."""
    from eventapp.accounts import services as accounts
    from eventapp.accounts.models import User
    from eventapp.followup.models import FollowUpItem
    from eventapp.gatherings.models import Gathering, ProgrammeItem
    from eventapp.grants.models import BudgetLine
    from eventapp.invitations.models import INVITATION_LINK, Campaign, Contact, Invitation, Outreach
    from eventapp.places.models import County, Municipality
    from eventapp.registration.models import Registration
    from eventapp.surveys.models import Survey, SurveyQuestion, SurveyTheme

    current = db.session.scalars(select(Gathering).where(Gathering.title.like("Fylkessamling%"))).one()
    # Last year's gathering in the same county: its grant, report, survey and follow-up are done.
    previous = _first(db, select(Gathering).where(Gathering.county_id == current.county_id,
                                                  Gathering.start_date < current.start_date)
                      .order_by(Gathering.start_date.desc()))
    municipal = db.session.scalars(select(User).where(User.email == "kommune@demo.eventapp.no")).one()
    counsellor = db.session.scalars(select(User).where(User.email == "veileder@demo.eventapp.no")).one()
    inactive = User(email="ny@demo.eventapp.no", name="Ny Bruker", role="counsellor",
                    county=current.county)
    db.session.add(inactive)
    db.session.flush()
    activate = accounts.issue_link(inactive, "activate")
    reset = accounts.issue_link(counsellor, "reset")
    template_question = _first(db, select(SurveyQuestion).where(SurveyQuestion.survey_id.is_(None)))
    county = db.session.get(County, current.county_id)
    municipality = db.session.get(Municipality, municipal.municipality_id)

    tables = []
    for gathering in filter(None, (current, previous)):
        survey = _first(db, select(Survey).where(Survey.gathering_id == gathering.id))
        registration = _first(db, select(Registration).where(
            Registration.gathering_id == gathering.id, Registration.status != "cancelled",
            Registration.municipality_id == municipal.municipality_id)) or _first(
            db, select(Registration).where(Registration.gathering_id == gathering.id,
                                           Registration.status != "cancelled"))
        invitation = _first(db, select(Invitation).where(Invitation.gathering_id == gathering.id))
        theme = survey and _first(db, select(SurveyTheme).where(SurveyTheme.survey_id == survey.id))
        item = _first(db, select(ProgrammeItem).where(ProgrammeItem.gathering_id == gathering.id))
        follow = _first(db, select(FollowUpItem).where(FollowUpItem.gathering_id == gathering.id))
        line = _first(db, select(BudgetLine).where(BudgetLine.gathering_id == gathering.id))
        campaign = _first(db, select(Campaign).where(Campaign.gathering_id == gathering.id))
        entry = _first(db, select(Outreach).where(Outreach.gathering_id == gathering.id))
        contact = _first(db, select(Contact).where(Contact.county_id == gathering.county_id))
        table = {
            "gathering_id": gathering.id,
            "municipality_id": municipality.id,
            "county_id": county.id,
            "county_number": county.number,
            "user_id": counsellor.id,
            "question_id": template_question and template_question.id,
            "contact_id": contact and contact.id,
            "campaign_id": campaign and campaign.id,
            "entry_id": entry and entry.id,
            "line_id": line and line.id,
            "theme_id": theme and theme.id,
            "registration_id": registration and registration.id,
            "gatherings.edit_item:item_id": item and item.id,
            "gatherings.cancel_item:item_id": item and item.id,
            "followup.edit:item_id": follow and follow.id,
            "accounts.activate:token": activate,
            "accounts.reset_password:token": reset,
            "gatherings.input_form:token": gathering.input_token,
            "gatherings.input_thanks:token": gathering.input_token,
            "registration.personal:token": invitation and INVITATION_LINK.token(invitation),
            "registration.manage:token": registration and registration.manage_token,
            "registration.cancel_own:token": registration and registration.manage_token,
            "registration.edit_own:token": registration and registration.manage_token,
            "surveys.answer:token": survey and survey.qr_token,
            "surveys.thanks:token": survey and survey.qr_token,
        }
        tables.append(table)
    db.session.commit()
    return tables


def _urls(app, tables) -> tuple[list[str], list[str], list[str]]:
    """The pages to visit, the rules skipped as downloads, and those the demo cannot fill."""
    urls, skipped, unfilled = [], [], set()
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        if SKIP.search(rule.rule):
            skipped.append(rule.rule)
            continue
        filled = False
        for table in tables if rule.arguments else tables[:1]:
            values = {}
            for name in rule.arguments:
                values[name] = table.get(f"{rule.endpoint}:{name}", table.get(name))
            missing = [n for n, v in values.items() if v is None]
            if missing:
                continue
            filled = True
            url = adapter.build(rule.endpoint, values)
            if url not in urls:
                urls.append(url)
        if not filled:
            unfilled.add(rule.rule)
    return urls, skipped, sorted(unfilled)


def _log_in(page, email: str, password: str):
    page.goto("/account/login")
    page.get_by_label(re.compile(r"^E-post$")).fill(email)
    page.get_by_label(re.compile(r"^Passord$")).fill(password)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name=re.compile(r"^Logg inn$")).click()
    assert not page.url.endswith("/account/login"), f"{email} could not log in"


def _sweep(page, url: str, failures: list[str], rules: Counter) -> int:
    """Check one page at every width; returns the page states checked (0 when not a page)."""
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    response = page.goto(url)
    if response is None or response.status != 200 or response.request.redirected_from is not None:
        return 0
    if "text/html" not in (response.headers.get("content-type") or ""):
        return 0
    states = 0
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        violations = _axe(page)
        states += 1
        if violations is None:
            failures.append(f"{url} @ {width}: axe did not run")
            continue
        for violation in violations:
            rules[violation["id"]] += 1
            for node in violation["nodes"]:
                failures.append(f"{url} @ {width}: {violation['impact']} {violation['id']} "
                                f"{node['target']}")
    page.set_viewport_size({"width": REFLOW, "height": HEIGHT})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > REFLOW:
        rules["reflow-320"] += 1
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 321)
            .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' +
            String(el.className).trim().split(/\\s+/).join('.') : ''))""")
        failures.append(f"{url} @ {REFLOW}: reflow scrollWidth {scroll} > {REFLOW} {wide}")
    return states


def sweep(roles, app, db, browser, live_server, is_postgres):
    """Sweep every page of the demo as each of ``roles`` (names from ``ROLES``)."""
    if is_postgres:
        # The pages' markup does not depend on the database, and the sweep takes minutes: CI
        # runs it in the SQLite run, side by side with the PostgreSQL one (which runs
        # schemathesis, the other long test, in its place).
        pytest.skip("the axe sweep runs on SQLite; what it checks is the same on PostgreSQL")
    from eventapp.demo import DEMO_PASSWORD, demo_setup

    demo_setup()
    tables = _values(db)
    urls, skipped, unfilled = _urls(app, tables)

    failures: list[str] = []
    rules: Counter = Counter()
    checked: dict[str, int] = {}
    for role, email in ROLES:
        if role not in roles:
            continue
        context = browser.new_context(locale="nb-NO", base_url=live_server,
                                      viewport={"width": WIDTHS[0], "height": HEIGHT})
        context.set_default_timeout(10000)
        # As the ``page`` fixture: a chart page compiles plotly.js while the other database's
        # suite runs beside this one (CI lost the survey results page to a 10 s load once).
        context.set_default_navigation_timeout(20000)
        page = context.new_page()
        try:
            if email:
                _log_in(page, email, DEMO_PASSWORD)
            checked[role] = sum(_sweep(page, url, failures, rules) for url in urls)
        finally:
            context.close()

    total = sum(checked.values())
    print(f"\naxe sweep: {len(urls)} URLs; page states checked (per width): "
          + ", ".join(f"{role} {n // len(WIDTHS)}" for role, n in checked.items())
          + f"; {total} axe runs at {'/'.join(map(str, WIDTHS))} px plus reflow at {REFLOW} px")
    print("skipped as downloads or not pages: " + ", ".join(skipped))
    print("not filled from the demo: " + (", ".join(unfilled) or "none"))
    print("violations by rule: " + (", ".join(f"{k} {v}" for k, v in rules.most_common()) or "none"))
    assert checked.keys() == set(roles), f"unknown roles: {set(roles) - checked.keys()}"
    assert all(checked.values()), f"a role saw no page at all: {checked}"
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
