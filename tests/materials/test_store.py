"""Files follow the transaction: a file written for a row that is never committed is removed,
a file whose row's deletion is rolled back stays; and the purge after the final report takes
the files marked as holding personal data, rows and files, and leaves the rest."""

from io import BytesIO

from sqlalchemy import select

from eventapp.grants import services as grants
from eventapp.materials import services
from eventapp.materials.models import Material
from tests.conftest import get_csrf
from tests.materials import samples
from tests.materials.conftest import count, stored_files, upload


def _slides(db, world, item, name="lysbilder.pdf", personal=False):
    return services.add_slides(world["gathering"], world["host"], item.id, services.FileData(
        BytesIO(samples.pdf()), name, personal))


def test_a_file_whose_row_is_rolled_back_is_removed(db, world, item, store_dir):
    _slides(db, world, item)
    assert len(stored_files(store_dir)) == 1
    db.session.rollback()
    assert count(db) == 0 and stored_files(store_dir) == []

    kept = _slides(db, world, item)
    db.session.commit()
    assert [p.name for p in stored_files(store_dir)] == [kept.storage_key]


def test_a_file_whose_row_is_never_committed_is_removed_when_the_session_closes(db, world, item,
                                                                                store_dir):
    _slides(db, world, item)
    db.session.close()
    assert count(db) == 0 and stored_files(store_dir) == []


def test_a_deletion_rolled_back_keeps_the_file_and_a_committed_one_removes_it(db, world, item,
                                                                              store_dir):
    material = _slides(db, world, item)
    db.session.commit()
    services.delete(material, world["host"])
    assert len(stored_files(store_dir)) == 1  # not before the commit
    db.session.rollback()
    assert count(db) == 1 and len(stored_files(store_dir)) == 1
    services.delete(db.session.get(Material, material.id), world["host"])
    db.session.commit()
    assert count(db) == 0 and stored_files(store_dir) == []


def test_the_purge_removes_personal_files_and_keeps_the_rest(db, example, as_user, item,
                                                             store_dir):
    g, host = example["gathering"], example["host"]
    client = as_user(host)
    upload(client, g, samples.pdf(), "lysbilder.pdf", item=item)
    upload(client, g, samples.office("xlsx"), "deltakerliste.xlsx",
           item=item, personal=True)
    upload(client, g, samples.png(), "bord 2.png", note=True, kind="group_work",
           table_label="Bord 2", personal=True)
    upload(client, g, samples.office("docx"), "vertens notater.docx", note=True)
    before = {m.filename: m.storage_key for m in db.session.scalars(select(Material))}
    assert len(before) == 4 and len(stored_files(store_dir)) == 4

    grants.save_report(g, host, follow_up_actions="Nettverksmøte i mai.")
    report = grants.submit_report(g, host)
    grants.approve_report(report, example["directorate"])
    db.session.commit()

    url = f"/gatherings/{g.id}/report/purge"
    done = client.post(url, data={"csrf_token": get_csrf(client, url)})
    assert done.status_code == 302

    db.session.expire_all()
    left = {m.filename: m.storage_key for m in db.session.scalars(select(Material))}
    assert sorted(left) == ["lysbilder.pdf", "vertens notater.docx"]
    assert sorted(p.name for p in stored_files(store_dir)) == sorted(left.values())
    assert before["deltakerliste.xlsx"] not in {p.name for p in stored_files(store_dir)}


def test_a_purge_rolled_back_removes_no_file(db, example, item, store_dir):
    personal = _slides(db, example, item, "deltakere.pdf", personal=True)
    db.session.commit()
    assert services.purge_personal(example["gathering"]) == 1
    db.session.rollback()
    assert db.session.get(Material, personal.id) is not None
    assert [p.name for p in stored_files(store_dir)] == [personal.storage_key]
