"""Materials in the browser: the host uploads slides through the page (a file chooser, as a
person would), is refused beside the field for a program renamed .pdf, adds a table's notes
with the personal-data tick; the participant finds the slides on their own page after the
gathering. Every page passes axe and fits 390 px without sideways scroll."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.gatherings.models import ProgrammeItem
from eventapp.materials import services
from eventapp.materials.models import Material
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok
from tests.grants.conftest import add_person
from tests.materials import samples

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, db, places, make_user, make_gathering, monkeypatch, tmp_path):
    app.config.update(MATERIALS_STORAGE="local", MATERIALS_DIR=str(tmp_path / "materials"))
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 11))
    gathering.status = "held"
    item = ProgrammeItem(gathering_id=gathering.id, kind="talk",
                         title="Karriereveiledning for flyktninger i praksis",
                         starts_at=datetime(2027, 3, 10, 9, 0, tzinfo=UTC),
                         ends_at=datetime(2027, 3, 10, 10, 0, tzinfo=UTC))
    db.session.add(item)
    db.session.commit()
    return {"gathering": gathering, "item": item,
            "host": make_user("county_host", county="46", email="vert@vestland.example")}


def test_materials_uploaded_refused_and_found_by_the_participant(page, db, world, tmp_path,
                                                                  screenshot):
    g, item = world["gathering"], world["item"]
    found: list[str] = []
    slides = tmp_path / "Økonomi og tilskudd.pdf"
    slides.write_bytes(samples.pdf("Tilskudd"))
    renamed = tmp_path / "lysbilder.pdf"
    renamed.write_bytes(samples.exe())
    notes = tmp_path / "bord 3.png"
    notes.write_bytes(samples.png())

    log_in_ok(page, world["host"].email)
    page.goto(f"/gatherings/{g.id}/programme")
    page.locator("[data-link=materials]").click()
    expect(page.locator("[data-note=no-slides]")).to_be_visible()

    page.locator("#slides-item").select_option(str(item.id))
    page.locator("#slides-file").set_input_files(str(renamed))
    page.locator("#slides-form button[type=submit]").click()
    expect(page.locator("#slides-file-error")).to_contain_text("kan ikke legges til")
    expect(page.locator("#slides-file")).to_have_attribute("aria-invalid", "true")
    assert db.session.scalars(select(Material)).first() is None
    look(page, "materials: refused", found, screenshot, "refused", prefix="materials")

    page.locator("#slides-item").select_option(str(item.id))
    page.locator("#slides-file").set_input_files(str(slides))
    page.locator("#slides-form button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()

    page.locator("#note-kind-0").check()
    page.locator("#note-table_label").fill("Bord 3")
    page.locator("#note-round_label").fill("Runde 1")
    page.locator("#note-file").set_input_files(str(notes))
    page.locator("#note-personal_data").check()
    page.locator("#note-form button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator("[data-note=personal-data]")).to_have_count(1)
    with page.expect_download() as download:
        page.locator("[data-section=slides] [data-link=download]").click()
    assert download.value.suggested_filename == "Økonomi og tilskudd.pdf"
    assert download.value.path().read_bytes() == samples.pdf("Tilskudd")
    look(page, "materials: the page", found, screenshot, "page", prefix="materials")

    person = add_person(db, g)
    page.goto(f"/registration/{person.manage_token}")
    expect(page.locator("[data-list=my-materials] [data-link=slide]")).to_have_text(
        "Økonomi og tilskudd.pdf")
    expect(page.get_by_text("bord 3.png")).to_have_count(0)
    look(page, "materials: the participant's page", found, screenshot, "participant",
         prefix="materials")
    assert not found, "\n".join(found)
