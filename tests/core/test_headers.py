"""What a browser or a proxy may keep: HSTS when the app is served over HTTPS only, and no
stored copy of any page with personal data (every answer to a signed-in user or to an API
token, every page opened by a participant's link); public pages and static files may be
cached."""

from datetime import date, timedelta

import pytest

from eventapp.registration.services import RegistrationData, register
from eventapp.reporting.charts import PLOTLYJS
from tests.conftest import login

HSTS = "max-age=31536000; includeSubDomains"


def no_store(response) -> bool:
    return "no-store" in (response.headers.get("Cache-Control") or "")


def test_hsts_only_when_cookies_are_secure(app, client, places):
    assert "Strict-Transport-Security" not in client.get("/account/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    for url in ("/account/login", "/static/css/app.css", "/finnes-ikke"):
        response = client.get(url, base_url="https://localhost")
        assert response.headers.get("Strict-Transport-Security") == HSTS, url


@pytest.fixture
def open_gathering(db, make_gathering):
    soon = date.today() + timedelta(days=30)
    gathering = make_gathering(county="46", start=soon, end=soon + timedelta(days=1))
    gathering.status = "open"
    db.session.commit()
    return gathering


def test_signed_in_pages_are_not_stored_public_ones_may_be(db, app, client, make_user,
                                                           open_gathering):
    g = open_gathering
    public_urls = [f"/gatherings/{g.id}/public", f"/gatherings/{g.id}/register",
                   "/account/login", "/static/css/app.css"]
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not no_store(response), url

    host = make_user("county_host", county="46")
    login(client, host.email)
    for url in ("/", f"/gatherings/{g.id}", f"/gatherings/{g.id}/public",
                f"/gatherings/{g.id}/registrations", f"/gatherings/{g.id}/inputs", "/mail/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    # The stylesheet holds nothing of the user's: it may be cached while signed in too, as may
    # plotly.js under its hashed name.
    assert not no_store(client.get("/static/css/app.css"))
    plotly = client.get("/static/" + app.extensions["assets"][PLOTLYJS])
    assert plotly.status_code == 200 and "immutable" in plotly.headers["Cache-Control"]
    plotly.close()


def test_api_answers_are_not_stored(db, app, client, make_user, open_gathering):
    from eventapp.api.services import create_token

    host = make_user("county_host", county="46")
    _token, raw = create_token(host, "test")
    db.session.commit()
    response = client.get(f"/api/v1/gatherings/{open_gathering.id}",
                          headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and no_store(response)


def test_participant_link_pages_are_not_stored(db, app, client, open_gathering):
    g = open_gathering
    registration = register(g, RegistrationData(
        name="Kari Nordmann", email="kari@bergen.example", organisation_kind="municipality",
        municipality_number="4601", role="leader", dietary_needs="Nøtter",
        dietary_consent=True), channel="public_link")
    db.session.commit()
    token = registration.manage_token
    for url in (f"/registration/{token}", f"/registration/{token}/edit",
                f"/registrations/{token}/calendar.ics",
                f"/gatherings/input/{g.input_token}", f"/gatherings/input/{g.input_token}/thanks",
                f"/gatherings/calendar/{g.calendar_token}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    # A link that opens nothing is answered the same way: the rule is the route's, so a new
    # link page (the survey form, a personal invitation) is covered without a line of its own.
    for url in ("/s/ikke-en-lenke", "/r/ikke-en-lenke", "/registration/ikke-en-lenke"):
        response = client.get(url)
        assert response.status_code == 404 and no_store(response), url
