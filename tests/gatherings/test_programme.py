"""The programme: items on the gathering's days, no overlaps in a room, logged changes."""

from datetime import date, time

import pytest
from sqlalchemy import select

from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.gatherings.models import ProgrammeChange, ProgrammeItem
from eventapp.gatherings.services import (
    ItemData,
    SpeakerData,
    add_committee_member,
    add_item,
    cancel_item,
    update_item,
)
from tests.conftest import get_csrf, login


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46", name="Vilde Vert")


@pytest.fixture
def gathering(make_gathering):
    return make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                          end=date(2027, 3, 11))


def item(day=1, start=(9, 0), end=(9, 45), kind="talk", title="Velkommen", room="", **kw):
    return ItemData(day=day, start=time(*start), end=time(*end), kind=kind, title=title, room=room,
                    **kw)


def test_item_times_are_stored_in_utc_from_oslo_wall_clock(db, host, gathering):
    added = add_item(gathering, host, item(start=(9, 0), end=(9, 45)))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ProgrammeItem, added.id)
    assert stored.starts_at.isoformat() == "2027-03-10T08:00:00+00:00"  # CET is UTC+1
    assert stored.ends_at.isoformat() == "2027-03-10T08:45:00+00:00"
    assert gathering.day_of(stored.starts_at) == 1


@pytest.mark.parametrize("second,room,refused", [
    (((9, 30), (10, 0)), "", True),           # overlaps in the main room
    (((9, 45), (10, 30)), "", False),         # starts as the first ends
    (((8, 30), (9, 1)), "", True),            # overlaps by a minute
    (((9, 0), (9, 45)), "Grupperom 2", False),  # same time, another room
    (((9, 10), (9, 20)), "", True),           # inside the first
])
def test_overlaps_in_one_room_are_refused(db, host, gathering, second, room, refused):
    add_item(gathering, host, item(title="Først"))
    db.session.commit()
    data = item(start=second[0], end=second[1], room=room, title="Etter")
    if refused:
        with pytest.raises(ValidationFailed) as exc:
            add_item(gathering, host, data)
        assert "Først" in exc.value.message
        db.session.rollback()
        assert db.session.scalars(select(ProgrammeItem)).all()[0].title == "Først"
        assert len(db.session.scalars(select(ProgrammeItem)).all()) == 1
    else:
        add_item(gathering, host, data)
        db.session.commit()
        assert len(db.session.scalars(select(ProgrammeItem)).all()) == 2


def test_rooms_compare_without_case_or_spaces(db, host, gathering):
    add_item(gathering, host, item(room="Sal  A"))
    with pytest.raises(ValidationFailed):
        add_item(gathering, host, item(start=(9, 30), end=(10, 0), room="sal a"))


@pytest.mark.parametrize("data,field", [
    (item(day=3), "day"),
    (item(day=0), "day"),
    (item(start=(10, 0), end=(9, 0)), "end"),
    (item(start=(10, 0), end=(10, 0)), "end"),
    (item(title="  "), "title"),
    (item(kind="party"), "kind"),
    (item(question_minutes=-5), "question_minutes"),
    (item(question_minutes=60), "question_minutes"),
    (item(speakers=[SpeakerData(name="", organisation="NAV", organisation_kind="nav")]),
     "speakers.0.name"),
    (item(speakers=[SpeakerData(name="Ola", organisation="X", organisation_kind="alien")]),
     "speakers.0.organisation_kind"),
])
def test_bad_items_are_refused_with_the_field_named(db, host, gathering, data, field):
    with pytest.raises(ValidationFailed) as exc:
        add_item(gathering, host, data)
    assert field in exc.value.fields
    db.session.rollback()
    assert db.session.scalars(select(ProgrammeItem)).first() is None


def test_one_day_gathering_refuses_day_two(db, host, make_gathering):
    one_day = make_gathering(county="46", start=date(2027, 5, 4), end=date(2027, 5, 4))
    with pytest.raises(ValidationFailed) as exc:
        add_item(one_day, host, item(day=2))
    assert "day" in exc.value.fields


def test_changes_are_logged_with_who_and_what_and_raise_the_sequence(db, host, gathering):
    added = add_item(gathering, host, item(title="HK-dir om rammene"))
    db.session.commit()
    assert added.sequence == 0
    update_item(added, host, item(title="HK-dir om rammeverket", start=(9, 15), end=(10, 0)))
    db.session.commit()
    assert added.sequence == 1
    update_item(added, host, item(title="HK-dir om rammeverket", start=(9, 15), end=(10, 0)))
    db.session.commit()
    assert added.sequence == 1  # nothing changed, nothing logged
    cancel_item(added, host)
    db.session.commit()
    assert added.sequence == 2 and added.cancelled_at is not None
    log = db.session.scalars(select(ProgrammeChange).order_by(ProgrammeChange.id)).all()
    assert [c.action for c in log] == ["created", "updated", "cancelled"]
    assert all(c.user_id == host.id for c in log)
    assert "HK-dir om rammene" in log[1].summary and "HK-dir om rammeverket" in log[1].summary
    assert "09:15" in log[1].summary and "08:15" not in log[1].summary  # Oslo time, not UTC
    # A cancelled item frees its slot.
    add_item(gathering, host, item(title="Ny", start=(9, 15), end=(10, 0)))


def test_only_host_and_committee_edit_the_programme(db, host, gathering, make_user):
    outsider = make_user("counsellor", county="46")
    member = make_user("municipal_contact", county="46", municipality="4601")
    other_host = make_user("county_host", county="11")
    for person in (outsider, member, other_host):
        with pytest.raises(Forbidden):
            add_item(gathering, person, item())
    add_committee_member(gathering, host, email=member.email)
    db.session.commit()
    add_item(gathering, member, item(title="Fra kommunen"))
    db.session.commit()


def test_editor_page_adds_an_item_and_shows_errors_beside_fields(client, db, host, gathering):
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/programme"
    token = get_csrf(client, url)
    form = {"csrf_token": token, "title": "Velkommen", "kind": "talk", "day": "1",
            "start": "09:00", "end": "09:30", "room": "", "question_minutes": "10",
            "description": "", "speakers-0-name": "Vilde Vert", "speakers-0-organisation":
            "Vestland fylkeskommune", "speakers-0-organisation_kind": "county"}
    response = client.post(url, data=form)
    assert response.status_code == 302
    saved = db.session.scalars(select(ProgrammeItem)).one()
    assert saved.speakers[0].organisation_kind == "county" and saved.question_minutes == 10
    clash = dict(form, title="Kollisjon", start="09:15", end="09:45")
    response = client.post(url, data=clash)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="start-error"' in page and "Velkommen" in page
    assert len(db.session.scalars(select(ProgrammeItem)).all()) == 1
    response = client.post(url, data=dict(form, end="08:00", title="Baklengs"))
    assert response.status_code == 422 and 'id="end-error"' in response.get_data(as_text=True)


def test_editor_edits_and_removes(client, db, host, gathering):
    added = add_item(gathering, host, item(title="Pause", kind="break", start=(10, 0),
                                           end=(10, 15)))
    db.session.commit()
    login(client, host.email)
    edit_url = f"/gatherings/{gathering.id}/programme/{added.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert 'value="Pause"' in page and 'value="10:00"' in page
    token = get_csrf(client, edit_url)
    response = client.post(edit_url, data={
        "csrf_token": token, "title": "Kaffepause", "kind": "break", "day": "2", "start": "10:00",
        "end": "10:20", "room": "", "question_minutes": "0", "description": ""})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(ProgrammeItem, added.id)
    assert changed.title == "Kaffepause" and gathering.day_of(changed.starts_at) == 2
    response = client.post(f"/gatherings/{gathering.id}/programme/{added.id}/cancel",
                           data={"csrf_token": token, "confirmed": "1"})
    assert response.status_code == 302
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is not None
    assert client.get(edit_url).status_code == 404


def test_another_countys_host_cannot_see_or_touch_the_programme(client, db, host, gathering,
                                                                make_user):
    added = add_item(gathering, host, item())
    db.session.commit()
    intruder = make_user("county_host", county="11")
    login(client, intruder.email)
    base = f"/gatherings/{gathering.id}"
    assert client.get(f"{base}/programme").status_code == 404
    assert client.get(f"{base}/programme/changes").status_code == 404
    token = get_csrf(client, "/")
    assert client.post(f"{base}/programme", data={"csrf_token": token, "title": "x"}).status_code \
        == 404
    assert client.post(f"{base}/programme/{added.id}/cancel", data={"csrf_token": token}) \
        .status_code == 404
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is None


def test_a_reader_without_edit_rights_sees_no_editor(client, db, host, gathering, make_user):
    add_item(gathering, host, item())
    db.session.commit()
    contact = make_user("municipal_contact", county="46", municipality="4601")
    login(client, contact.email)
    page = client.get(f"/gatherings/{gathering.id}/programme")
    assert page.status_code == 200
    assert 'id="item-form"' not in page.get_data(as_text=True)
    token = get_csrf(client, "/")
    assert client.post(f"/gatherings/{gathering.id}/programme", data={"csrf_token": token}) \
        .status_code == 403
