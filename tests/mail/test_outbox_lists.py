"""The mail outbox searched (recipient, address, subject) and sorted from the address, with
the status filter kept; unknown values ignored."""

import re

from eventapp.mail.services import queue_mail
from tests.conftest import login


def _subjects(client, **args) -> list[str]:
    response = client.get("/mail/", query_string=args)
    assert response.status_code == 200, args
    html = response.get_data(as_text=True)
    return re.findall(r"</span></td>\s*<td>([^<]+)</td>", html)


def _mail(db, user, county_id, to, name, subject):
    queue_mail(kind="test", to=to, to_name=name, subject=subject, body_text="Hei\n",
               created_by=user, county_id=county_id)


def test_search_sort_and_status(app, db, client, make_user, places):
    host = make_user("county_host", county="46")
    county_id = places.county("46").id
    _mail(db, host, county_id, "kari@bergen.example", "Kari", "Invitasjon til samling")
    _mail(db, host, county_id, "ola@stord.example", "Ola", "Påminnelse 100%_ viktig")
    _mail(db, host, county_id, "per@voss.example", "Per", "Avmelding")
    db.session.commit()
    login(client, host.email)
    assert _subjects(client) == ["Avmelding", "Påminnelse 100%_ viktig", "Invitasjon til samling"]
    assert _subjects(client, q="stord") == ["Påminnelse 100%_ viktig"]
    assert _subjects(client, q="KARI") == ["Invitasjon til samling"]
    assert _subjects(client, q="100%_") == ["Påminnelse 100%_ viktig"]
    assert _subjects(client, q="%") == ["Påminnelse 100%_ viktig"]  # a literal, not a wildcard
    assert _subjects(client, q="_") == ["Påminnelse 100%_ viktig"]
    assert _subjects(client, sort="subject") == ["Avmelding", "Invitasjon til samling",
                                                 "Påminnelse 100%_ viktig"]
    response = client.get("/mail/", query_string={"sort": "-to"})
    assert 'aria-sort="descending"' in response.get_data(as_text=True)
    assert _subjects(client, sort="-to") == ["Avmelding", "Påminnelse 100%_ viktig",
                                             "Invitasjon til samling"]
    assert _subjects(client, status="pending", q="avmelding") == ["Avmelding"]
    assert _subjects(client, status="sent", q="avmelding") == []
    assert "Ingen e-post passer søket." in client.get("/mail/?q=zzz").get_data(as_text=True)


def test_hostile_values(app, db, client, make_user, places):
    host = make_user("county_host", county="46")
    _mail(db, host, places.county("46").id, "kari@bergen.example", "Kari", "Invitasjon")
    db.session.commit()
    login(client, host.email)
    for args in ({"sort": "id; drop"}, {"sort": "-"}, {"q": "z" * 20000}, {"status": "x" * 300},
                 {"q": "' OR ''='"}, {"q": "\\"}):
        _subjects(client, **args)
    assert _subjects(client, sort="__class__") == ["Invitasjon"]
