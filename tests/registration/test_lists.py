"""The host's registrations list: search, sort and filter from the address (hostile values
ignored), a fixed number of statements whatever its length, and bulk check-in and bulk cancel
(the cancel asks first; everything chosen is done or nothing is)."""

import html as html_lib
from datetime import date, timedelta

from sqlalchemy import event

from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration
from tests.conftest import get_csrf, login
from tests.registration import test_manage
from tests.registration.test_manage import STORD, add, person

world = test_manage.world


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def _names(response) -> list[str]:
    import re

    return re.findall(r'<td data-label="Navn"><strong>([^<]+)</strong>',
                      response.get_data(as_text=True))


def _list(client, g, **args):
    return client.get(f"/gatherings/{g.id}/registrations", query_string=args)


def test_search_sort_and_filter(client, db, world):
    g = world["gathering"]
    add(db, g, person("bjørn"), person("åse"), person("carl", municipality=STORD, day1=False))
    login(client, world["host"].email)
    assert _names(_list(client, g)) == ["Bjørn", "Åse", "Carl"]  # as registered
    assert _names(_list(client, g, q="ÅSE")) == ["Åse"]  # æøå fold on every database
    assert _names(_list(client, g, q="carl@kommune")) == ["Carl"]  # by email
    assert _names(_list(client, g, q="stord")) == ["Carl"]  # by organisation
    assert _names(_list(client, g, day="1")) == ["Bjørn", "Åse"]
    assert _names(_list(client, g, day="2")) == ["Bjørn", "Åse", "Carl"]
    by_name = _list(client, g, sort="name")
    assert _names(by_name) == ["Bjørn", "Carl", "Åse"]
    assert 'aria-sort="ascending"' in by_name.get_data(as_text=True)
    desc = _list(client, g, sort="-name")
    assert _names(desc) == ["Åse", "Carl", "Bjørn"]
    assert 'aria-sort="descending"' in desc.get_data(as_text=True)
    assert _names(_list(client, g, sort="-organisation", q="o")) == ["Carl", "Bjørn", "Åse"]


def test_hostile_parameters_are_ignored(client, db, world):
    g = world["gathering"]
    add(db, g, person("bjørn"))
    login(client, world["host"].email)
    for args in ({"sort": "password"}, {"sort": "-" * 500}, {"sort": "__class__"},
                 {"day": "9"}, {"day": "1; DROP TABLE"}, {"status": "x" * 5000},
                 {"municipality": "99999999999999999999"}, {"q": "x" * 10000},
                 {"q": "' OR 1=1 --"}, {"q": "%_%"}):
        response = _list(client, g, **args)
        assert response.status_code == 200, args
    assert _names(_list(client, g, sort="password")) == ["Bjørn"]
    assert _names(_list(client, g, q="%_%")) == []
    assert 'value="' + "x" * 100 + '"' in _list(client, g, q="x" * 10000).get_data(as_text=True)


def _count_statements(db, fn) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_list_costs_the_same_at_two_sizes(client, db, world):
    g = world["gathering"]
    g.municipal_cap = 100
    db.session.commit()
    add(db, g, person("a0"), person("b0", municipality=STORD))
    login(client, world["host"].email)
    url = f"/gatherings/{g.id}/registrations"
    client.get(url)
    db.session.expire_all()
    small = _count_statements(db, lambda: client.get(url, query_string={"sort": "name"}))
    add(db, g, *[person(f"p{n}", municipality=STORD if n % 2 else test_manage.BERGEN)
                 for n in range(30)])
    db.session.expire_all()
    response = None

    def get():
        nonlocal response
        response = client.get(url, query_string={"sort": "name"})

    large = _count_statements(db, get)
    assert len(_names(response)) == 32
    assert large == small


def _bulk(client, g, path, ids, token_page=None, **extra):
    token = get_csrf(client, token_page or f"/gatherings/{g.id}/registrations")
    return client.post(f"/gatherings/{g.id}/registrations/{path}",
                       data={"csrf_token": token, "ids": [str(i) for i in ids], **extra})


def test_bulk_cancel_asks_first_then_cancels_all_and_promotes(client, db, world):
    g = world["gathering"]  # two places per municipality
    kari, ola, vente = add(db, g, person("kari"), person("ola"), person("vente"))
    assert vente.status == "waitlisted"
    login(client, world["host"].email)
    asked = _bulk(client, g, "bulk-cancel", [kari.id, ola.id])
    assert asked.status_code == 200
    shown = _text(asked)
    assert "Melde av 2 påmeldinger?" in shown
    assert "Kari" in shown and "Ola" in shown
    assert "Den første på hver venteliste får de ledige plassene og får e-post." in shown
    assert 'name="confirmed" value="1"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"  # nothing yet

    before = db.session.query(OutboxMessage).count()
    done = _bulk(client, g, "bulk-cancel", [f"{kari.id},{ola.id}"], confirmed="1")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "cancelled"
    assert db.session.get(Registration, ola.id).status == "cancelled"
    assert db.session.get(Registration, vente.id).status == "confirmed"
    assert db.session.query(OutboxMessage).count() > before


def test_bulk_cancel_is_all_or_nothing(client, db, world):
    g = world["gathering"]
    kari, ola = add(db, g, person("kari"), person("ola"))
    login(client, world["host"].email)
    _bulk(client, g, "bulk-cancel", [ola.id], confirmed="1")
    db.session.expire_all()
    refused = _bulk(client, g, "bulk-cancel", [kari.id, ola.id], confirmed="1")
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"
    follow = client.get(refused.headers["Location"])
    assert "Ingenting ble endret" in _text(follow)


def test_bulk_refuses_foreign_missing_and_hostile_selections(app, client, db, world):
    g, other = world["gathering"], world["other"]
    (kari,) = add(db, g, person("kari"))
    (stranger,) = add(db, other, test_manage.county_person("rogaland", "leader"))
    login(client, world["host"].email)
    for ids in ([], [stranger.id], [kari.id, stranger.id], ["abc"], ["9" * 40],
                [str(n) for n in range(600)]):
        response = _bulk(client, g, "bulk-cancel", ids, confirmed="1")
        assert response.status_code == 302, ids
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"
    assert db.session.get(Registration, stranger.id).status == "confirmed"
    # Another county's host reaches none of it; a counsellor may check in but not cancel.
    outsider, counsellor = app.test_client(), app.test_client()
    login(outsider, world["outsider"].email)
    assert _bulk(outsider, g, "bulk-cancel", [kari.id], token_page="/",
                 confirmed="1").status_code == 404
    login(counsellor, world["counsellor"].email)
    assert _bulk(counsellor, g, "bulk-cancel", [kari.id], token_page=f"/gatherings/{g.id}/checkin",
                 confirmed="1").status_code == 403
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"


def test_bulk_checkin_on_the_day_and_refused_before(client, db, world):
    g = world["gathering"]
    kari, ola, vente = add(db, g, person("kari"), person("ola"), person("vente"))
    login(client, world["host"].email)
    early = _bulk(client, g, "bulk-checkin", [kari.id, ola.id], day="1")
    assert early.status_code == 302
    assert "teller ikke" in _text(client.get(early.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).attended_day1 is None

    g = db.session.get(type(g), g.id)
    g.start_date, g.end_date = date.today(), date.today() + timedelta(days=1)
    db.session.commit()
    # A waitlisted person among the chosen refuses the whole check-in.
    refused = _bulk(client, g, "bulk-checkin", [kari.id, vente.id], day="1")
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).attended_day1 is None
    assert _bulk(client, g, "bulk-checkin", [kari.id], day="7").status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).attended_day1 is None

    done = _bulk(client, g, "bulk-checkin", [kari.id, ola.id], day="2")
    assert done.status_code == 302
    assert "2 personer er sjekket inn for dag 2." in _text(client.get(done.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).attended_day2 is True
    assert db.session.get(Registration, ola.id).attended_day2 is True
