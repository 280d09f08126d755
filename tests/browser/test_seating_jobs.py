"""Planning in the background, in a browser (issue 19, §3): the host starts a plan that takes a
while, follows its progress as the page updates itself, stops it early and sees the best plan
kept. The page passes axe and fits a phone (390 px) and a desktop (1280 px); screenshots of
both land in test-artifacts/screenshots/seating-job-*.png.

The gathering is a hard one to seat without repeats (32 people at eight tables of four, ten
rounds: the social golfer 8-4-10), so the solver keeps searching until it is stopped.
Needs the solver that takes ``progress`` and ``should_stop`` (issue 19, §4)."""

from datetime import date
from functools import partial

import pytest
from playwright.sync_api import expect

from eventapp.core import jobs as core_jobs
from eventapp.extensions import db as _db
from eventapp.seating import services
from eventapp.seating.models import SeatingJob
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok
from tests.seating import world

pytestmark = pytest.mark.browser


@pytest.fixture
def gathering(app, db, make_user, make_gathering):
    app.config["JOBS_INLINE_MAX_SEATINGS"] = 0
    g = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                       end=date(2027, 3, 11))
    units = world.units()
    for i in range(32):
        world.person(g, f"Deltaker {i + 1:02d}", where=units[i % len(units)],
                     role="leader" if i % 2 else "programme_adviser", commit=False)
    _db.session.commit()
    host = make_user("county_host", county="46", name="Hanne Vert")
    services.set_tables(g, host, count=8, seats=4)
    services.set_rounds(g, host, [("mixed", None)] * 10)
    settings = services.settings_for(g)
    settings.min_counsellors_per_table = 0
    settings.max_county_staff_per_table = 0
    settings.max_per_organisation = 0
    settings.time_limit_s = 60
    _db.session.commit()
    yield {"gathering": g, "host": host}
    core_jobs.wait_idle(app)


_look = partial(look, prefix="seating-job")


def test_start_follow_stop_early_and_keep_the_best(page, db, gathering, screenshot):
    g, host = gathering["gathering"], gathering["host"]
    found: list[str] = []
    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{g.id}/seating/plan")
    page.locator('[data-action="plan"]').click()

    job = page.locator("#job")
    expect(job).to_have_attribute("data-status", "running", timeout=15_000)
    # The figures of the best so far arrive through the polling script, without a reload.
    expect(job.locator('[data-figure="job-repeats"]')).to_be_visible(timeout=15_000)
    expect(page.locator('[data-action="plan"]')).to_have_count(0)
    url_while_running = page.url
    seconds = job.locator(".job-clock label")
    first = seconds.inner_text()
    expect(seconds).not_to_have_text(first, timeout=10_000)
    assert page.url == url_while_running  # updated in place
    _look(page, "plan: a job running", found, screenshot, "running")

    page.locator('[data-action="stop-job"]').click()
    expect(page.locator("#job")).to_have_attribute("data-status", "stopped", timeout=20_000)
    expect(page.locator("#job h2")).to_have_text("Stoppet tidlig")
    expect(page.locator(".seat-card")).to_have_count(8 * 10)
    expect(page.locator('[data-figure="hard-violations"]')).to_have_text("0")
    _look(page, "plan: stopped early, the best kept", found, screenshot, "stopped")

    _db.session.expire_all()
    [job_row] = _db.session.query(SeatingJob).filter_by(gathering_id=g.id).all()
    assert job_row.status == "stopped" and job_row.stop_requested
    assert world.seat_count(g) == 32 * 10
    assert services.current_plan(g).metrics.get("stopped") is True
    assert not found, "\n".join(found)
