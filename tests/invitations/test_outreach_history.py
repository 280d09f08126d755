"""Counsellors change and delete their own outreach entries; the log keeps the history (issue
16, section 6): who changed or deleted what, when, and what it said before. Only the author or
the county's host may; a deleted entry no longer counts on the board."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import Forbidden, NotFound, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.invitations import services
from eventapp.invitations.models import Outreach
from tests.conftest import get_csrf, login

BERGEN, KINN, STORD = "4601", "4602", "4614"


def _today():
    return utcnow().astimezone(OSLO).date()


@pytest.fixture
def world(db, places, make_user, make_gathering):
    host = make_user("county_host", county="46", name="Vilde Vert", email="vert@vlfk.no")
    kari = make_user("counsellor", county="46", name="Kari Veileder", email="kari@vlfk.no",
                     municipalities=[BERGEN, KINN])
    ola = make_user("counsellor", county="46", name="Ola Veileder", email="ola@vlfk.no",
                    municipalities=[BERGEN, STORD])
    gathering = make_gathering(county="46", title="Vestlandssamlinga")
    db.session.commit()
    entry = services.log_outreach(gathering, kari, municipality=places.unit(BERGEN),
                                  channel="phone", happened_on=_today() - timedelta(days=2),
                                  note="Ringte Berit")
    db.session.commit()
    return {"host": host, "kari": kari, "ola": ola, "gathering": gathering, "entry": entry,
            "unit": places.unit}


def _rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Outreach))


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def _edit_url(world, entry=None):
    entry = entry or world["entry"]
    return f"/gatherings/{world['gathering'].id}/outreach/{entry.id}/edit"


def _delete_url(world, entry=None):
    entry = entry or world["entry"]
    return f"/gatherings/{world['gathering'].id}/outreach/{entry.id}/delete"


# --- the service --------------------------------------------------------------------------------

def test_edit_keeps_what_it_was_and_who_changed_it(db, world):
    entry, kari, unit = world["entry"], world["kari"], world["unit"]
    changed = services.edit_outreach(entry, kari, municipality=unit(KINN), channel="visit",
                                     happened_on=_today(), note="Besøk hos Kinn")
    db.session.commit()
    assert changed
    assert (entry.municipality_id, entry.channel, entry.note, entry.user_id) == (
        unit(KINN).id, "visit", "Besøk hos Kinn", kari.id)
    versions, deleted = services.outreach_history(world["gathering"])
    [before] = versions[entry.id]
    assert (before.municipality_id, before.channel, before.note, before.ended_how,
            before.ended_by_id) == (unit(BERGEN).id, "phone", "Ringte Berit", "edited", kari.id)
    assert before.ended_at is not None and deleted == []
    # The log and the board count the entry once, as it is now.
    assert [o.id for o in services.outreach_log(world["gathering"])] == [entry.id]
    states = services.municipality_states(world["gathering"])
    assert states[unit(KINN).id] == "reached" and states[unit(BERGEN).id] == "not_reached"
    # Saving the same values records nothing.
    assert not services.edit_outreach(entry, kari, municipality=unit(KINN), channel="visit",
                                      happened_on=_today(), note="Besøk hos Kinn")
    assert len(services.outreach_history(world["gathering"])[0][entry.id]) == 1


def test_delete_takes_it_off_the_board_and_keeps_it_in_the_history(db, world):
    entry, unit = world["entry"], world["unit"]
    assert services.municipality_states(world["gathering"])[unit(BERGEN).id] == "reached"
    services.delete_outreach(entry, world["host"])
    db.session.commit()
    assert services.outreach_log(world["gathering"]) == []
    assert services.municipality_states(world["gathering"])[unit(BERGEN).id] == "not_reached"
    bergen = next(r for r in services.board_rows(world["gathering"])
                  if r.municipality.number == BERGEN)
    assert bergen.channels == []
    _versions, [gone] = services.outreach_history(world["gathering"])
    assert (gone.id, gone.ended_how, gone.ended_by_id, gone.note) == (
        entry.id, "deleted", world["host"].id, "Ringte Berit")
    # A deleted entry cannot be changed or deleted again.
    with pytest.raises(NotFound):
        services.delete_outreach(entry, world["host"])
    with pytest.raises(NotFound):
        services.edit_outreach(entry, world["host"], municipality=unit(BERGEN), channel="visit",
                               happened_on=_today())


def test_only_the_author_or_the_host_may_and_bad_input_changes_nothing(db, world):
    entry, unit, ola, kari = world["entry"], world["unit"], world["ola"], world["kari"]
    rows = _rows(db)
    # Ola is Bergen's counsellor too, but did not write the entry.
    with pytest.raises(Forbidden):
        services.edit_outreach(entry, ola, municipality=unit(BERGEN), channel="visit",
                               happened_on=_today())
    with pytest.raises(Forbidden):
        services.delete_outreach(entry, ola)
    # Kari may not move it to a municipality that is not hers, nor into the future.
    with pytest.raises(Forbidden):
        services.edit_outreach(entry, kari, municipality=unit(STORD), channel="phone",
                               happened_on=_today())
    with pytest.raises(ValidationFailed) as caught:
        services.edit_outreach(entry, kari, municipality=unit(BERGEN), channel="phone",
                               happened_on=_today() + timedelta(days=1))
    assert "happened_on" in caught.value.fields
    db.session.rollback()
    db.session.refresh(entry)
    assert (_rows(db), entry.channel, entry.ended_at) == (rows, "phone", None)
    # The host may change anyone's entry; the author stays the counsellor who logged it.
    services.edit_outreach(entry, world["host"], municipality=unit(STORD), channel="phone",
                           happened_on=_today(), note="Vert rettet kommunen")
    db.session.commit()
    assert (entry.municipality_id, entry.user_id) == (unit(STORD).id, kari.id)


# --- the pages ----------------------------------------------------------------------------------

def test_counsellor_changes_and_deletes_own_entry_through_the_pages(client, db, world):
    entry, unit = world["entry"], world["unit"]
    log_url = f"/gatherings/{world['gathering'].id}/outreach"
    login(client, "kari@vlfk.no")
    page = client.get(log_url).get_data(as_text=True)
    assert _edit_url(world) in page and _delete_url(world) in page
    form = client.get(_edit_url(world)).get_data(as_text=True)
    assert "Endre oppføringen i kontaktloggen" in form and "Ringte Berit" in form

    # A future date: refused beside the field in Norwegian, nothing changed.
    bad = _post(client, _edit_url(world), {
        "municipality": unit(BERGEN).id, "channel": "visit",
        "happened_on": (_today() + timedelta(days=3)).isoformat(), "note": "x"})
    assert bad.status_code == 422
    assert re.search(r'id="happened_on-error">[^<]*fram i tid', bad.get_data(as_text=True))
    db.session.refresh(entry)
    assert entry.channel == "phone" and _rows(db) == 1

    ok = _post(client, _edit_url(world), {"municipality": unit(BERGEN).id, "channel": "video",
                                          "happened_on": _today().isoformat(),
                                          "note": "Videomøte med Berit"})
    assert ok.status_code == 302
    log = client.get(log_url).get_data(as_text=True)
    assert "Oppføringen er endret" in log
    assert "Endret 1 gang" in log and "Kari Veileder endret den" in log
    assert "Ringte Berit" in log  # what it said before, in the history

    # Delete: the link asks first; a post without the confirmation deletes nothing.
    question = client.get(_delete_url(world))
    assert question.status_code == 200
    html = question.get_data(as_text=True)
    assert "Vil du slette denne oppføringen i kontaktloggen?" in html
    assert 'name="confirmed" value="1"' in html and "Ja, slett oppføringen" in html
    unconfirmed = _post(client, _delete_url(world), {})
    assert unconfirmed.status_code == 200
    db.session.refresh(entry)
    assert entry.ended_at is None
    done = _post(client, _delete_url(world), {"confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(entry)
    assert entry.ended_how == "deleted" and entry.ended_by_id == world["kari"].id
    log = client.get(log_url).get_data(as_text=True)
    assert "Slettede oppføringer" in log and "Kari Veileder slettet den" in log
    assert "Videomøte med Berit" in log
    # Gone from the log: its pages answer 404.
    assert client.get(_edit_url(world)).status_code == 404
    assert _post(client, _delete_url(world), {"confirmed": "1"}).status_code == 404


def test_another_counsellor_is_refused_and_sees_no_buttons(client, db, world):
    login(client, "ola@vlfk.no")
    page = client.get(f"/gatherings/{world['gathering'].id}/outreach").get_data(as_text=True)
    assert _edit_url(world) not in page and _delete_url(world) not in page
    assert client.get(_edit_url(world)).status_code == 403
    assert _post(client, _edit_url(world), {"municipality": world["unit"](BERGEN).id,
                                            "channel": "visit",
                                            "happened_on": _today().isoformat()}).status_code == 403
    assert _post(client, _delete_url(world), {"confirmed": "1"}).status_code == 403
    db.session.refresh(world["entry"])
    assert (world["entry"].channel, world["entry"].ended_at, _rows(db)) == ("phone", None, 1)


def test_host_deletes_and_other_county_gets_404(client, db, world, make_user):
    make_user("county_host", county="11", email="vert@rogfk.no")
    login(client, "vert@rogfk.no")
    assert client.get(_edit_url(world)).status_code == 404
    assert client.get(_delete_url(world)).status_code == 404
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/gatherings/")})
    login(client, "vert@vlfk.no")
    assert _post(client, _delete_url(world), {"confirmed": "1"}).status_code == 302
    db.session.refresh(world["entry"])
    assert world["entry"].ended_by_id == world["host"].id
