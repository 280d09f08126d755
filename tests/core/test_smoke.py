from tests.conftest import login


def test_login_as_host_shows_home_in_norwegian(client, make_user, make_gathering):
    host = make_user("county_host", county="46")
    make_gathering(county="46", title="Vestlandssamlinga")
    response = login(client, host.email)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Vestlandssamlinga" in page
