"""The directorate's quality-assured mark: set and undone by the directorate only, shown in the
checklist with the day and who, and flagged when the programme changes after it."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from eventapp.gatherings.checks import QualityMark, quality_note
from eventapp.gatherings.models import Gathering
from tests.conftest import csrf_from
from tests.dialogue.conftest import add_programme_item


def _post(client, gathering, path=""):
    token = csrf_from(client.get(f"/gatherings/{gathering.id}/checks").get_data(as_text=True))
    return client.post(f"/gatherings/{gathering.id}/quality-assured{path}",
                       data={"csrf_token": token})


def _planning(db, make_gathering, host):
    g = make_gathering(county="46", title="Planlagt samling", start=date(2027, 9, 1),
                       end=date(2027, 9, 2))
    add_programme_item(db, g, host, "Velkommen")
    return g


def test_the_directorate_marks_and_the_checklist_shows_it(db, people, as_user, make_gathering):
    g = _planning(db, make_gathering, people["host"])
    hkdir = as_user(people["directorate"])
    html = hkdir.get(f"/gatherings/{g.id}/checks").get_data(as_text=True)
    assert 'data-quality="not-assured"' in html and 'data-action="mark-quality"' in html
    assert _post(hkdir, g).status_code == 302
    db.session.expire_all()
    row = db.session.get(Gathering, g.id)
    assert row.quality_assured_by_id == people["directorate"].id
    assert row.quality_assured_at is not None
    # The host sees the mark, with who set it, and no button.
    html = as_user(people["host"]).get(f"/gatherings/{g.id}/checks").get_data(as_text=True)
    assert 'data-quality="assured"' in html
    assert people["directorate"].name in html
    assert 'data-action="mark-quality"' not in html and 'data-action="unmark-quality"' not in html
    # The programme editor's checklist shows it too.
    html = as_user(people["host"]).get(f"/gatherings/{g.id}/programme").get_data(as_text=True)
    assert 'data-quality="assured"' in html


def test_a_change_after_the_mark_shows_and_the_mark_can_be_undone(db, people, as_user,
                                                                   make_gathering):
    g = _planning(db, make_gathering, people["host"])
    hkdir = as_user(people["directorate"])
    _post(hkdir, g)
    assert "changed since" not in hkdir.get(f"/gatherings/{g.id}/checks").get_data(as_text=True)
    add_programme_item(db, g, people["host"], "Lunsj", start=time(11, 0), end=time(12, 0),
                       kind="meal")
    assert "The programme has changed since." in hkdir.get(
        f"/gatherings/{g.id}/checks").get_data(as_text=True)
    assert _post(hkdir, g, "/undo").status_code == 302
    db.session.expire_all()
    row = db.session.get(Gathering, g.id)
    assert (row.quality_assured_at, row.quality_assured_by_id) == (None, None)


def test_only_the_directorate_marks(db, people, as_user, make_gathering):
    g = _planning(db, make_gathering, people["host"])
    for who in ("host", "counsellor"):
        assert _post(as_user(people[who]), g).status_code == 403
    # Another county's host does not see the gathering at all.
    assert _post(as_user(people["outsider"]), g).status_code in (403, 404)
    assert db.session.scalar(select(func.count(Gathering.id)).where(
        Gathering.quality_assured_at.is_not(None))) == 0


def test_an_empty_programme_is_not_marked(db, people, as_user, make_gathering):
    g = make_gathering(county="46", title="Tom samling", start=date(2027, 9, 1),
                       end=date(2027, 9, 2))
    client = as_user(people["directorate"])
    _post(client, g)
    html = client.get(f"/gatherings/{g.id}/checks").get_data(as_text=True)
    assert "nothing to quality assure" in html
    db.session.expire_all()
    assert db.session.get(Gathering, g.id).quality_assured_at is None


def test_the_note_reads_the_mark():
    assert quality_note(None) == ("The directorate has not yet marked the programme quality "
                                  "assured.")
    mark = QualityMark(on=date(2027, 5, 3), by="Hanne")
    assert quality_note(mark) == "Quality assured by the directorate (Hanne) on 2027-05-03."
    changed = QualityMark(on=date(2027, 5, 3), by="", changed_since=True)
    assert quality_note(changed) == ("Quality assured by the directorate on 2027-05-03. "
                                     "The programme has changed since.")


def test_the_database_refuses_who_without_when(db, people, make_gathering):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    g = make_gathering(county="46", title="Sjekk", start=date(2027, 9, 1), end=date(2027, 9, 2))
    with pytest.raises(IntegrityError):
        db.session.execute(update(Gathering).where(Gathering.id == g.id).values(
            quality_assured_by_id=people["directorate"].id, quality_assured_at=None))
        db.session.flush()
    db.session.rollback()
