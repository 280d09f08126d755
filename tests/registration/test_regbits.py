"""Issue 16's registration bits: a municipal contact withdraws their own people (asking first;
the waitlist moves), the host gives a waiting person a place by hand within the caps,
a participant sees their place in the queue, and the form for registering someone else speaks
of the participant."""

import html as html_lib

import pytest

from eventapp.core.errors import Conflict, NotFound
from eventapp.registration.models import Registration
from eventapp.registration.services import (
    cap_row,
    host_promote,
    municipal_cancel,
    waitlist_position,
)
from tests.conftest import get_csrf, login
from tests.registration import test_manage
from tests.registration.test_manage import STORD, add, county_person, mails_to, person

world = test_manage.world


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def _status(db, registration) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).status


# --- a municipal contact withdraws -------------------------------------------------------------

def test_municipal_contact_withdraws_after_asking_and_the_waitlist_moves(client, db, world):
    g = world["gathering"]
    kari, _b, ola = add(db, g, person("kari"), person("bjorn"), person("ola"))
    assert ola.status == "waitlisted"
    login(client, world["bergen"].email)
    page = client.get(f"/gatherings/{g.id}/our-registrations")
    url = f"/gatherings/{g.id}/our-registrations/{kari.id}/cancel"
    assert f'href="{url}"' in page.get_data(as_text=True)
    assert "Meld av" in _text(page)

    ask = client.get(url)
    shown = _text(ask)
    assert ask.status_code == 200 and "Melde av Kari?" in shown
    assert "Kari mister plassen sin" in shown
    assert "Kari får e-post om at Bergen har meldt av påmeldingen." in shown
    assert "Første på ventelisten for Bergen, Ola, får plassen og får e-post." in shown
    assert "Ja, meld av Kari" in shown

    token = get_csrf(client, f"/gatherings/{g.id}/our-registrations")
    stale = client.post(url, data={"csrf_token": token})
    assert stale.status_code == 200 and _status(db, kari) == "confirmed"

    done = client.post(url, data={"csrf_token": token, "confirmed": "1"}, follow_redirects=True)
    assert "Kari er meldt av og har fått e-post." in _text(done)
    assert _status(db, kari) == "cancelled" and _status(db, ola) == "confirmed"
    assert mails_to(db, "kari@kommune.example")[-1].kind == "registration.cancelled_municipal"
    assert mails_to(db, "ola@kommune.example")[-1].kind == "registration.confirmed"


def test_municipal_contact_cannot_withdraw_another_municipalitys_people(client, db, world):
    g = world["gathering"]
    kari, = add(db, g, person("kari"))
    login(client, world["stord"].email)
    url = f"/gatherings/{g.id}/our-registrations/{kari.id}/cancel"
    assert client.get(url).status_code == 404
    token = get_csrf(client, f"/gatherings/{g.id}/our-registrations")
    assert client.post(url, data={"csrf_token": token, "confirmed": "1"}).status_code == 404
    assert _status(db, kari) == "confirmed"


@pytest.mark.parametrize("who", ["host", "counsellor", "directorate"])
def test_only_a_municipal_contact_withdraws_here(client, db, world, who):
    g = world["gathering"]
    kari, = add(db, g, person("kari"))
    login(client, world[who].email)
    assert client.get(f"/gatherings/{g.id}/our-registrations/{kari.id}/cancel").status_code \
        in (403, 404)
    assert _status(db, kari) == "confirmed"


def test_municipal_cancel_service_refuses_outside_the_own_municipality(db, world):
    g = world["gathering"]
    stord_person, = add(db, g, person("per", municipality=STORD))
    with pytest.raises(NotFound):
        municipal_cancel(stord_person, world["bergen"])
    db.session.rollback()
    assert _status(db, stord_person) == "confirmed"
    assert municipal_cancel(stord_person, world["stord"]) == []
    db.session.commit()
    assert _status(db, stord_person) == "cancelled"


# --- the host gives a place by hand ------------------------------------------------------------

def test_host_promotion_is_refused_while_the_municipality_is_full(client, db, world):
    g = world["gathering"]
    _a, _b, ola = add(db, g, person("a"), person("b"), person("ola"))
    login(client, world["host"].email)
    listing = client.get(f"/gatherings/{g.id}/registrations")
    url = f"/gatherings/{g.id}/registrations/{ola.id}/promote"
    assert f'href="{url}"' in listing.get_data(as_text=True) and "Gi plass" in _text(listing)

    ask = client.get(url)
    assert ask.status_code == 200 and "Gi Ola plass?" in _text(ask)
    token = get_csrf(client, f"/gatherings/{g.id}/registrations")
    refused = client.post(url, data={"csrf_token": token, "confirmed": "1"},
                          follow_redirects=True)
    assert "Bergen har ingen ledig plass: 2 av 2 er tatt." in _text(refused)
    assert _status(db, ola) == "waitlisted"
    assert [m.kind for m in mails_to(db, "ola@kommune.example")] == ["registration.waitlisted"]


def test_host_promotes_by_hand_when_a_place_is_free_and_the_person_is_mailed(client, db, world):
    g = world["gathering"]
    _a, _b, first, second = add(db, g, person("a"), person("b"), person("first"),
                                 person("second"))
    cap_row(g, first.municipality).cap = 3  # a place free that nobody has been given yet
    db.session.commit()
    login(client, world["host"].email)
    url = f"/gatherings/{g.id}/registrations/{second.id}/promote"
    ask = _text(client.get(url))
    assert "Vedkommende er nummer 2 i køen" in ask
    token = get_csrf(client, f"/gatherings/{g.id}/registrations")
    # Without the confirmation nothing changes.
    assert client.post(url, data={"csrf_token": token}).status_code == 200
    assert _status(db, second) == "waitlisted"
    done = client.post(url, data={"csrf_token": token, "confirmed": "1"}, follow_redirects=True)
    assert "Second har plass" in _text(done)
    assert _status(db, second) == "confirmed" and _status(db, first) == "waitlisted"
    assert mails_to(db, "second@kommune.example")[-1].kind == "registration.confirmed"


def test_promotion_respects_the_venue_capacity(db, world):
    g = world["gathering"]
    _a, _b, ola = add(db, g, person("a"), person("b"), person("ola"))
    cap_row(g, ola.municipality).cap = 5
    g.capacity = 2
    db.session.commit()
    with pytest.raises(Conflict, match="Lokalet har ingen ledig plass: 2 av 2 er tatt."):
        host_promote(ola, world["host"])
    db.session.rollback()
    assert _status(db, ola) == "waitlisted"


def test_promotion_respects_the_pool(db, world):
    g = world["gathering"]
    g.pool_cap = 1
    db.session.commit()
    _lead, staff = add(db, g, county_person("leder", "leader"),
                       county_person("stab", "county_staff"))
    assert staff.status == "waitlisted"
    with pytest.raises(Conflict, match="Potten for fylkets ansatte og partnere har ingen ledig "
                                       "plass: 1 av 1 er tatt."):
        host_promote(staff, world["host"])
    db.session.rollback()
    assert _status(db, staff) == "waitlisted"


@pytest.mark.parametrize("who", ["counsellor", "bergen", "outsider"])
def test_only_the_host_promotes(client, db, world, who):
    g = world["gathering"]
    _a, _b, ola = add(db, g, person("a"), person("b"), person("ola"))
    cap_row(g, ola.municipality).cap = 3
    db.session.commit()
    login(client, world[who].email)
    assert client.get(f"/gatherings/{g.id}/registrations/{ola.id}/promote").status_code \
        in (403, 404)
    with pytest.raises(NotFound):
        host_promote(ola, world[who])
    db.session.rollback()
    assert _status(db, ola) == "waitlisted"


# --- the place in the queue, and the participant's form ----------------------------------------

def test_participant_sees_their_place_in_the_queue(client, db, world):
    g = world["gathering"]
    _a, _b, first, second = add(db, g, person("a"), person("b"), person("first"),
                                 person("second"))
    assert waitlist_position(second) == 2
    shown = _text(client.get(f"/registration/{second.manage_token}"))
    assert "Du er nummer 2 på ventelisten for Bergen." in shown
    confirmed = _text(client.get(f"/registration/{_a.manage_token}"))
    assert "på ventelisten for" not in confirmed


def test_registering_someone_else_speaks_of_the_participant(app, client, db, world):
    g = world["gathering"]
    login(client, world["host"].email)
    host = _text(client.get(f"/gatherings/{g.id}/registrations/new"))
    assert "Deltakerens navn" in host and "Deltakerens e-post på jobb" in host
    assert "Deltakeren blir med på middagen" in host
    new = f"/gatherings/{g.id}/registrations/new"
    refused = client.post(new, data={"csrf_token": get_csrf(client, new)})
    assert "Skriv inn deltakerens navn." in _text(refused)
    client = app.test_client()
    login(client, world["bergen"].email)
    municipal = _text(client.get(f"/gatherings/{g.id}/our-registrations"))
    assert "Deltakerens navn" in municipal
    public = _text(client.get(f"/gatherings/{g.id}/register"))
    assert "Deltakerens navn" not in public
