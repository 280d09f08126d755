"""Materials as their users meet them: uploading each accepted type, refusals beside the field
with nothing saved (no row, no file), the download's headers, who sees slides and who notes,
and deleting after a question."""

from html import unescape
from urllib.parse import quote

import pytest
from sqlalchemy import select

from eventapp.gatherings.models import CommitteeMember
from eventapp.materials.models import Material
from tests.conftest import get_csrf
from tests.materials import samples
from tests.materials.conftest import add_person, count, stored_files, upload


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def error_beside(html: str, field: str) -> str:
    """The message in the error paragraph of ``field`` (its id is «<field>-error»)."""
    start = html.index(f'id="{field}-error">') + len(f'id="{field}-error">')
    return html[start:html.index("</p>", start)].strip()


@pytest.mark.parametrize("kind", sorted(samples.GOOD))
def test_host_uploads_each_type_as_slides_and_downloads_it_back(db, world, as_user, item,
                                                                store_dir, kind):
    g = world["gathering"]
    host = as_user(world["host"])
    name, build = samples.GOOD[kind]
    data = build()
    done = upload(host, g, data, name, item=item)
    assert done.status_code == 302, text(done)
    material = db.session.scalars(select(Material)).one()
    assert (material.kind, material.file_type, material.filename, material.size_bytes,
            material.programme_item_id, material.personal_data) == (
        "slides", kind, name, len(data), item.id, False)
    # Stored under its random key, never under the name it came with.
    [path] = stored_files(store_dir)
    assert path.name == material.storage_key and name not in str(path)
    assert path.read_bytes() == data

    page = text(host.get(f"/gatherings/{g.id}/materials"))
    assert name in page and f'id="material-{material.id}"' in page

    got = host.get(f"/gatherings/{g.id}/materials/{material.id}")
    assert got.status_code == 200 and got.data == data
    assert got.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in got.headers["Cache-Control"]
    assert "public" not in got.headers["Cache-Control"]
    assert got.headers["Content-Length"] == str(len(data))
    from eventapp.materials.services.files import TYPES
    assert got.mimetype == TYPES[kind][0]


def test_a_norwegian_name_arrives_with_its_letters(db, world, as_user, item):
    g = world["gathering"]
    host = as_user(world["host"])
    name = "Økonomi for Åse og Ærlige «Ola».pdf"
    assert upload(host, g, samples.pdf(), name, item=item).status_code == 302
    material = db.session.scalars(select(Material)).one()
    assert material.filename == name
    disposition = host.get(f"/gatherings/{g.id}/materials/{material.id}").headers[
        "Content-Disposition"]
    assert disposition.startswith('attachment; filename="Okonomi for Ase og Aerlige Ola.pdf"')
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))


def test_too_big_is_refused_beside_the_field_and_nothing_is_kept(app, db, world, as_user,
                                                                  item, store_dir):
    g = world["gathering"]
    host = as_user(world["host"])
    app.config["MATERIALS_MAX_BYTES"] = 1_000
    refused = upload(host, g, samples.pdf() + b"%" * 1_000, "stor.pdf", item=item)
    html = text(refused)
    assert refused.status_code == 422
    assert error_beside(html, "slides-file") == (
        "The file is larger than 1 kB, the most a file may be.")
    assert 'aria-invalid="true"' in html
    assert count(db) == 0 and stored_files(store_dir) == []
    # Far past the limit the body is not even read: the same page, the message beside the file.
    refused = upload(host, g, b"%PDF-" + b"x" * 200_000, "enorm.pdf", item=item)
    assert refused.status_code == 413
    assert error_beside(text(refused), "slides-file").startswith("The file is larger than")
    assert count(db) == 0 and stored_files(store_dir) == []
    # Under the limit it goes in.
    app.config["MATERIALS_MAX_BYTES"] = 25_000_000
    assert upload(host, g, samples.pdf(), "liten.pdf", item=item).status_code == 302
    assert count(db) == 1


def test_the_default_limit_is_25_mb_and_said_on_the_page(app, world, as_user):
    assert app.config["MATERIALS_MAX_BYTES"] == 25_000_000
    page = text(as_user(world["host"]).get(f"/gatherings/{world['gathering'].id}/materials"))
    assert "at most 25 MB per file" in page


@pytest.mark.parametrize(("data", "name", "message"), [
    (samples.exe(), "lysbilder.pdf", "This kind of file cannot be added."),
    (samples.office("docm"), "makro.docx", "This kind of file cannot be added."),
    (samples.pdf(), "referat.docx", "The file is called .docx but is a PDF file."),
    (samples.pdf(), "../../etc/passwd", "The file name must end in the file's type"),
    (samples.pdf(), "x" * 300 + ".pdf", "The file name is longer than 255 characters."),
    (b"", "tom.pdf", "The file is empty."),
])
def test_wrong_files_are_refused_beside_the_field(db, world, as_user, item, store_dir, data,
                                                  name, message):
    g = world["gathering"]
    host = as_user(world["host"])
    refused = upload(host, g, data, name, item=item)
    assert refused.status_code == 422
    assert error_beside(text(refused), "slides-file").startswith(message)
    assert count(db) == 0 and stored_files(store_dir) == []


def test_a_nul_in_the_name_is_refused_beside_the_field(db, world, as_user, item, store_dir):
    g = world["gathering"]
    host = as_user(world["host"])
    refused = upload(host, g, samples.pdf(), "lysbilder\x00.pdf", item=item)
    html = text(refused)
    assert refused.status_code == 400
    assert "NUL" in error_beside(html, "slides-file")
    assert "Add slides or a handout" in html  # the upload form, not a bare error page
    assert count(db) == 0 and stored_files(store_dir) == []


def test_a_path_in_the_name_is_cut_off(db, world, as_user, item, store_dir):
    host = as_user(world["host"])
    assert upload(host, world["gathering"], samples.png(), "../../../tmp/tavle.png",
                  item=item).status_code == 302
    material = db.session.scalars(select(Material)).one()
    assert material.filename == "tavle.png"
    assert [p.parent.parent for p in stored_files(store_dir)] == [store_dir]


def test_slides_need_an_item_of_this_gathering(db, world, as_user, item, make_gathering,
                                               store_dir):
    from tests.materials.conftest import ProgrammeItem

    g = world["gathering"]
    host = as_user(world["host"])
    other = make_gathering(county="46", title="Annen samling")
    foreign = ProgrammeItem(gathering_id=other.id, kind="talk", title="Annet",
                            starts_at=item.starts_at, ends_at=item.ends_at)
    db.session.add(foreign)
    db.session.commit()
    for chosen in (None, foreign):
        refused = upload(host, g, samples.pdf(), "a.pdf", item=chosen)
        assert refused.status_code == 422
        assert error_beside(text(refused), "slides-item") == "Choose an item of the programme."
    assert count(db) == 0 and stored_files(store_dir) == []


def test_group_work_needs_a_table_and_keeps_its_labels(db, world, as_user, store_dir):
    g = world["gathering"]
    host = as_user(world["host"])
    refused = upload(host, g, samples.png(), "tavle.png", note=True, kind="group_work")
    assert refused.status_code == 422
    assert error_beside(text(refused), "note-table_label") == "Say which table the notes are from."
    assert count(db) == 0 and stored_files(store_dir) == []
    done = upload(host, g, samples.png(), "tavle.png", note=True, kind="group_work",
                  table_label="Bord 3", round_label="Runde 2", personal=True)
    assert done.status_code == 302
    note = db.session.scalars(select(Material)).one()
    assert (note.kind, note.table_label, note.round_label, note.personal_data,
            note.programme_item_id) == ("group_work", "Bord 3", "Runde 2", True, None)
    page = text(host.get(f"/gatherings/{g.id}/materials"))
    assert "Bord 3, Runde 2" in page and 'data-note="personal-data"' in page


def test_who_sees_slides_and_who_notes(db, world, as_user, item, make_user):
    g = world["gathering"]
    host = as_user(world["host"])
    upload(host, g, samples.pdf(), "lysbilder.pdf", item=item)
    upload(host, g, samples.office("docx"), "vertens notater.docx", note=True)
    slide, note = db.session.scalars(select(Material).order_by(Material.id)).all()
    member = make_user("municipal_contact", county="46", municipality="4601",
                       email="komite@bergen.example")
    db.session.add(CommitteeMember(gathering_id=g.id, user_id=member.id))
    db.session.commit()
    base = f"/gatherings/{g.id}/materials"

    for who in ("host", "directorate"):
        client = host if who == "host" else as_user(world[who])
        page = text(client.get(base))
        assert "lysbilder.pdf" in page and "vertens notater.docx" in page, who
        assert client.get(f"{base}/{note.id}").status_code == 200, who

    committee = as_user(member)
    page = text(committee.get(base))
    assert "lysbilder.pdf" in page and "vertens notater.docx" not in page
    assert 'data-section="notes"' not in page
    assert committee.get(f"{base}/{slide.id}").status_code == 200
    assert committee.get(f"{base}/{note.id}").status_code == 404
    assert committee.get(f"{base}/{note.id}/delete").status_code == 404

    # The county's counsellors and municipal contacts not on the committee: not at all.
    assert as_user(world["counsellor"]).get(base).status_code == 403
    assert as_user(world["contact"]).get(f"{base}/{slide.id}").status_code == 403

    # Another county's host: nothing here exists.
    outsider = as_user(world["outsider"])
    for url in (base, f"{base}/{slide.id}", f"{base}/{note.id}", f"{base}/{slide.id}/delete"):
        assert outsider.get(url).status_code == 404, url
    token = get_csrf(outsider, "/")
    from io import BytesIO
    refused = outsider.post(f"{base}/slides", data={
        "csrf_token": token, "slides-item": str(item.id),
        "slides-file": (BytesIO(samples.pdf()), "inn.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 404
    assert count(db) == 2


def test_participants_get_slides_after_the_gathering_and_never_notes(db, world, as_user, item,
                                                                     monkeypatch):
    from datetime import date

    from eventapp.materials import services

    g = world["gathering"]
    host = as_user(world["host"])
    upload(host, g, samples.pdf(), "lysbilder.pdf", item=item)
    upload(host, g, samples.png(), "tavle.png", note=True, kind="group_work",
           table_label="Bord 1")
    slide, note = db.session.scalars(select(Material).order_by(Material.id)).all()
    person = add_person(db, g)
    waiting = add_person(db, g, status="waitlisted")
    token, waiting_token = person.manage_token, waiting.manage_token
    from flask import current_app

    anyone = current_app.test_client()  # no login: the link is all a participant has

    # On the last day it is not yet over.
    monkeypatch.setattr(services, "today", lambda: date(2027, 3, 11))
    page = text(anyone.get(f"/registration/{token}"))
    assert 'data-list="my-materials"' not in page
    assert anyone.get(f"/registration/{token}/materials/{slide.id}").status_code == 404

    monkeypatch.setattr(services, "today", lambda: date(2027, 3, 12))
    page = text(anyone.get(f"/registration/{token}"))
    assert 'data-list="my-materials"' in page and "lysbilder.pdf" in page
    assert "tavle.png" not in page
    got = anyone.get(f"/registration/{token}/materials/{slide.id}")
    assert got.status_code == 200 and got.data == samples.pdf()
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "no-store"
    assert anyone.get(f"/registration/{token}/materials/{note.id}").status_code == 404
    # Only a confirmed place gives the slides; a made-up link gives nothing.
    assert anyone.get(f"/registration/{waiting_token}/materials/{slide.id}").status_code == 404
    assert anyone.get(f"/registration/{'x' * 43}/materials/{slide.id}").status_code == 404


def test_deleting_asks_first_then_removes_row_and_file(db, world, as_user, item, store_dir):
    g = world["gathering"]
    host = as_user(world["host"])
    upload(host, g, samples.pdf(), "lysbilder.pdf", item=item)
    material = db.session.scalars(select(Material)).one()
    url = f"/gatherings/{g.id}/materials/{material.id}/delete"
    question = host.get(url)
    assert question.status_code == 200 and "Delete «lysbilder.pdf»?" in text(question)
    # Without the confirmation field, a stray POST only asks again.
    token = get_csrf(host, url)
    assert host.post(url, data={"csrf_token": token}).status_code == 200
    assert count(db) == 1 and len(stored_files(store_dir)) == 1
    done = host.post(url, data={"csrf_token": token, "confirmed": "1"})
    assert done.status_code == 302
    assert count(db) == 0 and stored_files(store_dir) == []


def test_the_directorate_reads_slides_but_does_not_add_or_delete_them(db, world, as_user, item):
    g = world["gathering"]
    upload(as_user(world["host"]), g, samples.pdf(), "lysbilder.pdf", item=item)
    material = db.session.scalars(select(Material)).one()
    hkdir = as_user(world["directorate"])
    page = text(hkdir.get(f"/gatherings/{g.id}/materials"))
    assert 'id="slides-form"' not in page and 'id="note-form"' in page
    assert upload(hkdir, g, samples.pdf(), "b.pdf", item=item).status_code == 403
    assert hkdir.get(f"/gatherings/{g.id}/materials/{material.id}/delete").status_code == 403
    # Its own notes it adds.
    assert upload(hkdir, g, samples.pdf(), "hkdir.pdf", note=True).status_code == 302
    assert count(db) == 2


def test_a_personal_file_is_refused_once_the_report_is_approved(db, world, as_user, item):
    g = world["gathering"]
    g.status = "reported"
    db.session.commit()
    host = as_user(world["host"])
    refused = upload(host, g, samples.pdf(), "deltakere.pdf", item=item, personal=True)
    assert refused.status_code == 422
    assert error_beside(text(refused), "slides-personal_data").startswith(
        "The final report is approved")
    assert count(db) == 0
    assert upload(host, g, samples.pdf(), "lysbilder.pdf", item=item).status_code == 302


def test_the_programme_and_the_sections_link_to_the_materials(world, as_user):
    g = world["gathering"]
    host = as_user(world["host"])
    assert f'href="/gatherings/{g.id}/materials" data-link="materials"' in text(
        host.get(f"/gatherings/{g.id}/programme"))
    assert f'href="/gatherings/{g.id}/materials"' in text(host.get(f"/gatherings/{g.id}"))
    assert f'/gatherings/{g.id}/materials"' not in text(
        as_user(world["counsellor"]).get(f"/gatherings/{g.id}/programme"))
