"""The table plan in a browser: the host sets up tables, rounds from the programme, rules, a pin
and a pair kept apart, makes the plan, looks at it table by table and person by person, and
previews a hand move (nothing saved) before making it. Every page passes axe (no serious or
critical findings) and fits a phone without sideways scroll."""

from datetime import date
from functools import partial

import pytest
from playwright.sync_api import expect

from eventapp.seating import services
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok
from tests.seating import world

pytestmark = pytest.mark.browser


@pytest.fixture
def gathering(db, make_user, make_gathering):
    """41 people as a county gathering has them: six career counsellors, two other county
    staff, NAV and adult education, and two from each of fifteen municipalities (one with a long
    name) and a walk-in, and two group-work items in the programme."""
    g = make_gathering(county="46", title="Vestlandssamlinga om karriereveiledning",
                       start=date(2027, 3, 10), end=date(2027, 3, 11))
    units = world.units()
    for i in range(6):
        world.person(g, f"Veileder {i + 1}", role="career_counsellor", kind="county",
                     commit=False)
    world.person(g, "Tone Fylkesrådgiver", role="county_staff", kind="county", commit=False)
    world.person(g, "Per Integreringsrådgiver", role="county_staff", kind="county", commit=False)
    world.person(g, "Nina NAV", role="partner", kind="partner", partner="NAV Vestland",
                 commit=False)
    world.person(g, "Vilde Voksenopplæring", role="partner", kind="partner",
                 partner="Voksenopplæringa i Sunnfjord", commit=False)
    for i, unit in enumerate(units[:15]):
        world.person(g, f"Leder {unit.name}", role="leader", where=unit, commit=False)
        name = ("Kristine Marie Haugland-Johannessen" if i == 3
                else f"Rådgiver {unit.name}")
        world.person(g, name, role="programme_adviser", where=unit, commit=False)
    world.person(g, "Ola Walk-in", role="programme_adviser", where=units[15], commit=False)
    from eventapp.extensions import db as _db
    _db.session.commit()
    world.item(g, "talk", "Velkommen", 1, 10)
    world.item(g, "group_work", "Gruppearbeid: samarbeid om karriereveiledning", 1, 13,
               room="Sal A")
    world.item(g, "group_work", "Gruppearbeid: kompetansekartlegging", 2, 10)
    return {"gathering": g, "host": make_user("county_host", county="46", name="Hanne Vert")}


_look = partial(look, prefix="seating")


def test_seating_journey_in_the_browser(page, db, gathering, screenshot):
    g, host = gathering["gathering"], gathering["host"]
    found: list[str] = []
    log_in_ok(page, host.email)

    page.goto(f"/gatherings/{g.id}/seating")
    _look(page, "setup: empty", found, screenshot, "setup-empty")

    # Tables: a refusal beside the field first, then six tables of eight.
    page.locator("#count").fill("6")
    page.locator("#seats").fill("0")
    page.locator("#tables form button[type=submit]").first.click()
    expect(page.locator("#seats-error")).to_be_visible()
    expect(page.locator("#seats")).to_have_attribute("aria-invalid", "true")
    assert services.tables(g) == []
    page.locator("#seats").fill("8")
    page.locator("#tables form button[type=submit]").first.click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator(".table-row")).to_have_count(6)
    page.locator("#tables-0-table_name").fill("Bord ved vinduet")
    page.locator('form[action$="/seating/tables/names#tables"] button[type=submit]').click()
    expect(page.locator(".alert--success")).to_be_visible()
    assert services.tables(g)[0].name == "Bord ved vinduet"

    # Rounds: one per group-work item; the second becomes regional.
    page.locator('[data-action="from-programme"]').click()
    expect(page.locator(".round-row")).to_have_count(2)
    page.locator("#rounds-1-mode").select_option("regional")
    page.locator("#round-list > button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    assert [r.mode for r in services.rounds(g)] == ["mixed", "regional"]

    # Rules, a pin and a pair kept apart.
    page.locator("#time_limit_s").fill("3")
    page.locator("#rules form button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    people = services.people(g)
    nina = next(p for p in people if p.name == "Nina NAV")
    vilde = next(p for p in people if p.name == "Vilde Voksenopplæring")
    page.locator("#registration_id").select_option(str(nina.id))
    page.locator("#round_id").select_option(str(services.rounds(g)[0].id))
    page.locator("#table_id").select_option(str(services.tables(g)[2].id))
    page.locator("#add-pin form button[type=submit]").click()
    expect(page.locator('[data-list="pins"] li')).to_have_count(1)
    page.locator("#first_id").select_option(str(nina.id))
    page.locator("#second_id").select_option(str(vilde.id))
    page.locator("#add-apart form button[type=submit]").click()
    expect(page.locator('[data-list="aparts"] li')).to_have_count(1)
    _look(page, "setup: filled in", found, screenshot, "setup")

    # The plan.
    page.goto(f"/gatherings/{g.id}/seating/plan")
    page.locator('[data-action="plan"]').click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator('[data-figure="hard-violations"]')).to_have_text("0")
    expect(page.locator(".seat-card")).to_have_count(12)
    _look(page, "plan: table by table", found, screenshot, "plan-tables")
    page.goto(f"/gatherings/{g.id}/seating/plan?view=people")
    expect(page.locator(".person-plan tbody tr")).to_have_count(len(people))
    _look(page, "plan: person by person", found, screenshot, "plan-people")

    # A hand move: preview (nothing saved), then the move.
    before = world.seat_rows(g)
    page.locator(f'.person-plan tr[data-person="{vilde.id}"] a').click()
    first_round = services.rounds(g)[0]
    nina_table = next(t for rnd, t in services.seats_for(nina) if rnd.id == first_round.id)
    section = page.locator(f"#round-{first_round.id}")
    section.locator("select").select_option(str(nina_table.id))
    section.locator('[data-action="preview"]').click()
    expect(page.locator('#preview[data-preview="breaks"]')).to_be_visible()
    expect(page.locator('#preview [data-list="added"] li[data-rule="apart"]')).to_have_count(1)
    assert world.seat_rows(g) == before
    _look(page, "move: preview", found, screenshot, "move-preview")
    section = page.locator(f"#round-{first_round.id}")
    section.locator("select").select_option(str(nina_table.id))
    section.locator('[data-action="move"]').click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator(".alert--error").first).to_contain_text("Nina NAV")
    moved = world.seat_map(g)
    assert moved[(first_round.id, vilde.id)] == nina_table.id
    _look(page, "move: moved", found, screenshot, "move-done")

    page.goto(f"/gatherings/{g.id}/seating/plan")
    expect(page.locator('[data-note="no-problems"]')).to_have_count(0)
    expect(page.locator('.problem-list[data-rule="apart"] li')).to_have_count(1)
    _look(page, "plan: after the move", found, screenshot, "plan-moved")
    page.goto(f"/gatherings/{g.id}/seating/print/tables")
    _look(page, "table cards", found, screenshot, "print-tables")
    # On paper: only the cards, two to an A4 sheet, without the site's header and menus.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".table-card").first).to_be_visible()
    screenshot(page, "seating-print-tables-paper")
    page.emulate_media(media="screen")
    page.goto(f"/gatherings/{g.id}/seating/print/people")
    _look(page, "list per person", found, screenshot, "print-people")
    page.emulate_media(media="print")
    expect(page.locator(".subnav")).to_be_hidden()
    expect(page.locator(".seat-list li")).to_have_count(len(people))
    screenshot(page, "seating-print-people-paper")
    page.emulate_media(media="screen")

    assert not found, "\n".join(found)
