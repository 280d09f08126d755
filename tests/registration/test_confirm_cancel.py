"""Cancelling asks first: the participant's own "Meld av" and the host's show what will happen
and to whom, a post without the confirmation changes nothing, and with it the place goes."""

import html as html_lib

from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData
from tests.conftest import get_csrf, login
from tests.registration import test_manage
from tests.registration.test_manage import BERGEN, add, person

world = test_manage.world  # the registration tests' gathering and people


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def _named(db, gathering, name, email_name):
    data = RegistrationData(name=name, email=f"{email_name}@kommune.example",
                            organisation_kind="municipality", municipality_number=BERGEN,
                            role="programme_adviser")
    return add(db, gathering, data)[0]


def test_host_cancel_asks_first_and_names_who_loses_and_who_gets_the_place(client, db, world):
    g = world["gathering"]
    kari = _named(db, g, "Kari Nordmann", "kari")
    add(db, g, person("b"))
    ola = _named(db, g, "Ola Vente", "ola")
    assert ola.status == "waitlisted"
    login(client, world["host"].email)
    url = f"/gatherings/{g.id}/registrations/{kari.id}/cancel"

    page = client.get(url)
    assert page.status_code == 200
    shown = _text(page)
    assert "Kari Nordmann (Bergen) mister plassen sin" in shown
    assert "Første på ventelisten, Ola Vente (Bergen), får plassen og får e-post." in shown
    assert 'name="confirmed" value="1"' in page.get_data(as_text=True)
    assert "Ja, meld av" in shown and "Avbryt" in shown
    assert db.session.get(Registration, kari.id).status == "confirmed"

    # A stale one-click form (the CSRF token but no confirmation) changes nothing.
    token = get_csrf(client, f"/gatherings/{g.id}/registrations")
    stale = client.post(url, data={"csrf_token": token})
    assert stale.status_code == 200 and "mister plassen sin" in _text(stale)
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"
    assert db.session.get(Registration, ola.id).status == "waitlisted"

    done = client.post(url, data={"csrf_token": token, "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "cancelled"
    assert db.session.get(Registration, ola.id).status == "confirmed"


def test_host_cancel_without_a_waitlist_says_the_place_stays_free(client, db, world):
    g = world["gathering"]
    kari = _named(db, g, "Kari Nordmann", "kari")
    login(client, world["host"].email)
    shown = _text(client.get(f"/gatherings/{g.id}/registrations/{kari.id}/cancel"))
    assert "Ingen på ventelisten rykker opp" in shown


def test_counsellor_gets_no_confirmation_page(client, db, world):
    g = world["gathering"]
    kari = _named(db, g, "Kari Nordmann", "kari")
    login(client, world["counsellor"].email)
    assert client.get(f"/gatherings/{g.id}/registrations/{kari.id}/cancel").status_code == 403


def test_own_cancel_asks_first_and_names_no_one_else(client, db, world):
    g = world["gathering"]
    kari = _named(db, g, "Kari Nordmann", "kari")
    add(db, g, person("b"))
    ola = _named(db, g, "Ola Vente", "ola")
    url = f"/registration/{kari.manage_token}"
    manage = client.get(url).get_data(as_text=True)
    assert f'href="{url}/cancel"' in manage

    page = client.get(f"{url}/cancel")
    shown = _text(page)
    assert page.status_code == 200 and "Melde deg av?" in shown
    assert "Du mister plassen din" in shown
    assert "første på ventelisten for Bergen" in shown
    assert "Ola" not in shown  # a participant is not told who is next

    token = get_csrf(client, url)
    assert client.post(f"{url}/cancel", data={"csrf_token": token}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "confirmed"

    assert client.post(f"{url}/cancel", data={"csrf_token": token, "confirmed": "1"}) \
        .status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, kari.id).status == "cancelled"
    assert db.session.get(Registration, ola.id).status == "confirmed"
    # Cancelled: the confirmation page is not offered again.
    assert client.get(f"{url}/cancel").status_code == 302


def test_own_cancel_on_the_waitlist_says_so(client, db, world):
    g = world["gathering"]
    add(db, g, person("a"), person("b"))
    ola = _named(db, g, "Ola Vente", "ola")
    shown = _text(client.get(f"/registration/{ola.manage_token}/cancel"))
    assert "Du går ut av ventelisten" in shown
