"""Lowering a municipality's cap below its confirmed count says so, and that nobody is
removed (issue 16, guard rails): a message, no change of behaviour."""

from sqlalchemy import select

from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, register
from eventapp.registration.services.caps import over_cap_note
from tests.conftest import get_csrf, login


def test_a_cap_below_the_confirmed_says_nobody_is_removed(client, db, open_gathering, places,
                                                         make_user):
    g = open_gathering
    for n in range(2):
        register(g, RegistrationData(name=f"Person {n}", email=f"p{n}@bergen.example",
                                     organisation_kind="municipality",
                                     municipality_number="4601", role="leader"),
                 channel="host")
    db.session.commit()
    bergen = places.unit("4601")
    assert over_cap_note(g, bergen) is None
    host = make_user("county_host", county="46")
    login(client, host.email)
    url = f"/gatherings/{g.id}/board/{bergen.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-note="cap-removes-nobody"' in page
    response = client.post(url, data={"which": "cap", "cap": "1",
                                      "csrf_token": get_csrf(client, url)},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bergen har 2 bekreftede, flere enn de 1 plassene" in text
    assert "Ingen blir fjernet" in text
    statuses = db.session.scalars(select(Registration.status).where(
        Registration.gathering_id == g.id)).all()
    assert statuses == ["confirmed", "confirmed"]
