"""Removing a programme item asks first; a removed item can be restored (logged), unless it
would now clash with another item in the same room."""

import html as html_lib

import pytest

from eventapp.core.errors import Conflict, Forbidden
from eventapp.gatherings.models import ProgrammeChange, ProgrammeItem
from eventapp.gatherings.services import add_item, cancel_item
from eventapp.gatherings.services.programme import removed_items, restore_item
from tests.conftest import get_csrf, login
from tests.gatherings import test_programme
from tests.gatherings.test_programme import item

host, gathering = test_programme.host, test_programme.gathering  # the programme tests' fixtures


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def test_restore_puts_the_item_back_and_logs_it(db, host, gathering):
    added = add_item(gathering, host, item(title="Panel", room="Sal A"))
    cancel_item(added, host)
    db.session.commit()
    sequence = added.sequence
    assert removed_items(gathering) == [added]
    restore_item(added, host)
    db.session.commit()
    assert added.cancelled_at is None and added in gathering.active_items
    assert added.sequence == sequence + 1  # calendars show it again
    assert removed_items(gathering) == []
    actions = [c.action for c in db.session.query(ProgrammeChange).order_by(ProgrammeChange.id)]
    assert actions == ["created", "cancelled", "restored"]


def test_restore_is_refused_when_another_item_took_the_room(db, host, gathering):
    added = add_item(gathering, host, item(title="Panel", room="Sal A"))
    cancel_item(added, host)
    add_item(gathering, host, item(title="Gruppearbeid", room="sal  a", start=(9, 30),
                                   end=(10, 30)))
    db.session.commit()
    with pytest.raises(Conflict, match="Gruppearbeid"):
        restore_item(added, host)
    db.session.rollback()
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is not None
    # Another room at the same time is no clash.
    other = add_item(gathering, host, item(title="Kaffe", room="Sal B", start=(11, 0),
                                           end=(11, 15)))
    cancel_item(other, host)
    add_item(gathering, host, item(title="Lunsj", room="Sal C", start=(11, 0), end=(11, 30)))
    restore_item(other, host)
    assert other.cancelled_at is None


def test_only_the_programme_editors_restore(db, host, gathering, make_user):
    added = add_item(gathering, host, item())
    cancel_item(added, host)
    db.session.commit()
    with pytest.raises(Forbidden):
        restore_item(added, make_user("counsellor", county="46"))
    with pytest.raises(Conflict):
        restore_item(add_item(gathering, host, item(title="Aktiv", start=(13, 0),
                                                    end=(14, 0))), host)


def test_remove_asks_first_and_restore_is_offered(client, db, host, gathering):
    added = add_item(gathering, host, item(title="Panel om samarbeid", room="Sal A"))
    db.session.commit()
    login(client, host.email)
    base = f"/gatherings/{gathering.id}/programme"
    assert f'href="{base}/{added.id}/cancel"' in client.get(base).get_data(as_text=True)

    page = client.get(f"{base}/{added.id}/cancel")
    shown = _text(page)
    assert page.status_code == 200
    assert "Fjerne «Panel om samarbeid» fra programmet?" in shown
    assert "Kalendere som abonnerer på programmet, viser den som avlyst." in shown
    assert "Ja, fjern posten" in shown

    token = get_csrf(client, base)
    assert client.post(f"{base}/{added.id}/cancel", data={"csrf_token": token}).status_code == 200
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is None

    assert client.post(f"{base}/{added.id}/cancel",
                       data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is not None
    listing = _text(client.get(base))
    assert "Fjernet fra programmet" in listing and "Gjenopprett" in listing

    assert client.post(f"{base}/{added.id}/restore", data={"csrf_token": token}).status_code == 302
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is None
    assert "Gjenopprettet" in _text(client.get(f"{base}/changes"))


def test_a_refused_restore_says_why_and_changes_nothing(client, db, host, gathering):
    added = add_item(gathering, host, item(title="Panel", room="Sal A"))
    cancel_item(added, host)
    add_item(gathering, host, item(title="Gruppearbeid", room="Sal A"))
    db.session.commit()
    login(client, host.email)
    base = f"/gatherings/{gathering.id}/programme"
    response = client.post(f"{base}/{added.id}/restore", data={"csrf_token": get_csrf(client, base)},
                           follow_redirects=True)
    assert "kan ikke gjenopprettes" in _text(response) and "Gruppearbeid" in _text(response)
    assert db.session.get(ProgrammeItem, added.id).cancelled_at is not None
