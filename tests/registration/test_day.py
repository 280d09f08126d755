"""Lists and the day: venue summary, exports, badges, check-in, public list, recordAttendance.

Dietary and accessibility needs can reveal health: only the county host of the gathering sees
them, and every other role is tried here.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from eventapp.api.services import create_token
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, cancel, register, safe_cell
from tests.conftest import get_csrf, login

SECRET_DIET = "Cøliaki-hemmelig"
SECRET_ACCESS = "Rullestol-hemmelig"


@pytest.fixture
def gathering(make_gathering, db):
    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61))
    g.status = "open"
    db.session.commit()
    return g


def reg(gathering, n, municipality="4601", status_wanted=None, **kw):
    data = RegistrationData(name=kw.pop("name", f"Person {n}"), email=f"p{n}@kommune.example",
                            organisation_kind="municipality", municipality_number=municipality,
                            role=kw.pop("role", "programme_adviser"), **kw)
    r = register(gathering, data, channel="host")
    if status_wanted:
        assert r.status == status_wanted
    return r


@pytest.fixture
def people(db, gathering, places):
    """Bergen: Ada (day 1 only, dinner, gluten, wheelchair, listed), Bo (both days, hotel,
    "gluten free." spelled differently); Bergen's third is waitlisted with a secret diet;
    Voss: Cecilie (both days, travel support, vegetarian, listed); Stord: Dag, cancelled."""
    ada = reg(gathering, 1, name="Ada Åsen", day2=False, attends_dinner=True,
              dietary_needs="Glutenfri", dietary_consent=True, accessibility_needs=SECRET_ACCESS,
              list_consent=True, role="leader")
    bo = reg(gathering, 2, name="Bo Berg", accommodation=True, dietary_needs="  glutenfri. ",
             dietary_consent=True, attends_dinner=True)
    wait = reg(gathering, 3, name="Waiting Wenche", dietary_needs="Vegansk", dietary_consent=True,
               list_consent=True, status_wanted="waitlisted")
    cecilie = reg(gathering, 4, "4621", name="Cecilie Voss", travel_support_requested=True,
                  dietary_needs="Vegetar", dietary_consent=True, list_consent=True)
    dag = reg(gathering, 5, "4613", name="Dag Stord", list_consent=True,
              dietary_needs=SECRET_DIET, dietary_consent=True)
    cancel(dag)
    db.session.commit()
    return {"ada": ada, "bo": bo, "wait": wait, "cecilie": cecilie, "dag": dag}


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46", email="vert@vestland.example")


def as_user(client, user):
    client.set_cookie("lang", "en")
    assert login(client, user.email).status_code == 302


# --- venue summary ---------------------------------------------------------------------------

def figure(html, name):
    import re

    match = re.search(rf'data-figure="{name}">(\d+)<', html)
    assert match, name
    return int(match.group(1))


def test_summary_counts_and_groups_by_hand(client, db, gathering, people, host):
    as_user(client, host)
    response = client.get(f"/gatherings/{gathering.id}/summary")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # Confirmed: Ada, Bo, Cecilie. Waitlisted Wenche and cancelled Dag count nowhere.
    assert figure(html, "confirmed") == 3
    assert figure(html, "day1") == 3
    assert figure(html, "day2") == 2
    assert figure(html, "both") == 2
    assert figure(html, "dinner") == 2
    assert figure(html, "accommodation") == 1
    assert figure(html, "travel") == 1
    assert figure(html, "accessibility") == 1
    assert figure(html, "waitlisted") == 1
    # "Glutenfri" and "  glutenfri. " are one group of two; Vegetar one.
    assert '<td class="need-text">Glutenfri</td><td class="num">2</td>' in html
    assert '<td class="need-text">Vegetar</td><td class="num">1</td>' in html
    assert "Vegansk" not in html and SECRET_DIET not in html
    # Names stay hidden until the host opens them.
    assert "Ada Åsen" not in html and "Bo Berg" not in html
    opened = client.get(f"/gatherings/{gathering.id}/summary?names=1").get_data(as_text=True)
    assert '<td class="need-names">Ada Åsen, Bo Berg</td>' in opened
    assert SECRET_ACCESS in opened


@pytest.mark.parametrize("role,county,municipality,expected", [
    ("counsellor", "46", None, 403),
    ("directorate", None, None, 403),
    ("municipal_contact", "46", "4601", 403),
    ("county_host", "11", None, 404),
    ("counsellor", "11", None, 404),
])
def test_special_category_data_only_for_the_host(client, db, gathering, people, make_user,
                                                   role, county, municipality, expected):
    user = make_user(role, county=county, municipality=municipality)
    as_user(client, user)
    for url in (f"/gatherings/{gathering.id}/summary",
                f"/gatherings/{gathering.id}/summary?names=1",
                f"/gatherings/{gathering.id}/registrations.csv",
                f"/gatherings/{gathering.id}/registrations.xlsx"):
        response = client.get(url)
        assert response.status_code == expected, url
        body = response.get_data(as_text=True)
        assert "Glutenfri" not in body and SECRET_ACCESS not in body
    # Pages they may see hold no needs either.
    for url in (f"/gatherings/{gathering.id}/participants", f"/gatherings/{gathering.id}/checkin",
                f"/gatherings/{gathering.id}/badges"):
        body = client.get(url).get_data(as_text=True)
        assert "Glutenfri" not in body and SECRET_ACCESS not in body and "Vegetar" not in body


def test_logged_out_gets_the_login_page_not_the_data(client, db, gathering, people):
    for url in (f"/gatherings/{gathering.id}/summary",
                f"/gatherings/{gathering.id}/registrations.csv",
                f"/gatherings/{gathering.id}/checkin", f"/gatherings/{gathering.id}/badges"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


# --- exports ---------------------------------------------------------------------------------

def test_csv_export_parses_and_matches(client, db, gathering, people, host):
    as_user(client, host)
    response = client.get(f"/gatherings/{gathering.id}/registrations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Name", "Email", "Phone"] and "Dietary needs" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    # Live registrations only: the cancelled one is left out, the waitlisted one is marked.
    assert set(by_name) == {"Ada Åsen", "Bo Berg", "Cecilie Voss", "Waiting Wenche"}
    ada = by_name["Ada Åsen"]
    assert ada["Email"] == "p1@kommune.example"
    assert ada["Organisation"] == "Bergen"
    assert ada["Role"] == "Leader"
    assert ada["Days"] == "1"
    assert ada["Social dinner"] == "Yes"
    assert ada["Dietary needs"] == "Glutenfri"
    assert ada["Accessibility needs"] == SECRET_ACCESS
    assert ada["Status"] == "Confirmed"
    assert by_name["Waiting Wenche"]["Status"] == "Waitlisted"
    assert by_name["Cecilie Voss"]["Travel support"] == "Yes"
    assert by_name["Bo Berg"]["Days"] == "1, 2"


def test_xlsx_export_opens_and_matches_the_csv(client, db, gathering, people, host):
    as_user(client, host)
    response = client.get(f"/gatherings/{gathering.id}/registrations.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    xrows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    csv_raw = client.get(f"/gatherings/{gathering.id}/registrations.csv").get_data()
    crows = list(csv.reader(io.StringIO(csv_raw.decode("utf-8-sig")), delimiter=";"))
    assert xrows == crows
    assert len(xrows) == 5


def test_formula_injection_is_escaped(client, db, gathering, places, host):
    evil = RegistrationData(name="=HYPERLINK(\"http://evil.example\",\"x\")",
                            email="evil@kommune.example", organisation_kind="partner",
                            partner_name="+NAV", role="partner", phone="-123",
                            accessibility_needs="@SUM(A1)")
    register(gathering, evil, channel="host")
    db.session.commit()
    as_user(client, host)
    raw = client.get(f"/gatherings/{gathering.id}/registrations.csv").get_data()
    row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))[1]
    assert row[0] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row[2] == "'-123" and row[3] == "'+NAV" and row[8] == "'@SUM(A1)"
    sheet = load_workbook(io.BytesIO(
        client.get(f"/gatherings/{gathering.id}/registrations.xlsx").get_data())).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert safe_cell("Bergen") == "Bergen" and safe_cell(None) == "" and safe_cell(True) is True


# --- badges ------------------------------------------------------------------------------------

def test_badges_list_confirmed_only(client, db, gathering, people, host, make_user):
    as_user(client, host)
    response = client.get(f"/gatherings/{gathering.id}/badges")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="name-badge"') == 3
    for name in ("Ada Åsen", "Bo Berg", "Cecilie Voss"):
        assert f'<p class="name-badge-name">{name}</p>' in html
    assert "Waiting Wenche" not in html and "Dag Stord" not in html
    contact = make_user("municipal_contact", county="46", municipality="4601")
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    as_user(client, contact)
    assert client.get(f"/gatherings/{gathering.id}/badges").status_code == 403


# --- check-in ----------------------------------------------------------------------------------

def test_checkin_search_tick_and_untick(client, db, gathering, people, make_user):
    counsellor = make_user("counsellor", county="46")
    as_user(client, counsellor)
    url = f"/gatherings/{gathering.id}/checkin"
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="checkin-row') == 3
    assert figure(html, "attended") == 0 and figure(html, "confirmed") == 3
    # Case-insensitive, æøå included, and by organisation.
    found = client.get(url, query_string={"q": "åSEN"}).get_data(as_text=True)
    assert "Ada Åsen" in found and "Bo Berg" not in found
    by_org = client.get(url, query_string={"q": "voss"}).get_data(as_text=True)
    assert "Cecilie Voss" in by_org and "Ada Åsen" not in by_org
    assert "Waiting Wenche" not in client.get(url, query_string={"q": "wenche"}).get_data(
        as_text=True)

    ada = people["ada"]
    tick = f"{url}/{ada.id}"
    response = client.post(tick, data={"csrf_token": get_csrf(client, url), "attended": "1",
                                       "q": "åsen"})
    assert response.status_code == 302
    assert "q=%C3%A5sen" in response.headers["Location"]
    db.session.refresh(ada)
    assert ada.attended is True and ada.checked_in_at is not None
    assert figure(client.get(url).get_data(as_text=True), "attended") == 1

    client.post(tick, data={"csrf_token": get_csrf(client, url), "attended": "0"})
    db.session.refresh(ada)
    assert ada.attended is False and ada.checked_in_at is None


def test_checkin_bad_input_changes_nothing(client, db, gathering, people, host, make_user):
    as_user(client, host)
    url = f"/gatherings/{gathering.id}/checkin"
    ada, wait = people["ada"], people["wait"]
    assert client.post(f"{url}/{ada.id}", data={"csrf_token": get_csrf(client, url),
                                                "attended": "yes"}).status_code == 302
    assert client.post(f"{url}/{ada.id}", data={"attended": "1"}).status_code == 400  # no CSRF
    # The waitlisted person cannot be ticked.
    response = client.post(f"{url}/{wait.id}", data={"csrf_token": get_csrf(client, url),
                                                     "attended": "1"}, follow_redirects=True)
    assert "Only people with a confirmed place" in response.get_data(as_text=True)
    db.session.refresh(ada)
    db.session.refresh(wait)
    assert ada.attended is None and wait.attended is None
    # A registration of another gathering through this gathering's URL: 404.
    other = make_user("county_host", county="11")
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    as_user(client, other)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/{ada.id}", data={"csrf_token": get_csrf(client, "/"),
                                                "attended": "1"}).status_code == 404
    db.session.refresh(ada)
    assert ada.attended is None


def test_checkin_refused_to_directorate_and_municipal_contact(client, db, gathering, people,
                                                              make_user):
    for user in (make_user("directorate", county=None),
                 make_user("municipal_contact", county="46", municipality="4601")):
        as_user(client, user)
        assert client.get(f"/gatherings/{gathering.id}/checkin").status_code == 403
        client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


# --- recordAttendance --------------------------------------------------------------------------

def bearer(db, user):
    _t, raw = create_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_record_attendance_api(client, db, gathering, people, host, make_user):
    ada = people["ada"]
    url = f"/api/v1/registrations/{ada.id}/attendance"
    headers = bearer(db, make_user("counsellor", county="46"))
    response = client.post(url, json={"attended": True}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["attended"] is True and response.get_json()["id"] == ada.id
    db.session.refresh(ada)
    assert ada.attended is True and ada.checked_in_at is not None

    host_headers = bearer(db, host)
    assert client.post(url, json={"attended": False}, headers=host_headers).get_json()[
        "attended"] is False
    db.session.refresh(ada)
    assert ada.attended is False

    for bad, where in (({}, "attended"), ({"attended": "yes"}, "attended"),
                       ({"attended": True, "extra": 1}, "body")):
        response = client.post(url, json=bad, headers=host_headers)
        assert response.status_code == 422, bad
        assert where in response.get_json()["error"]["fields"]
    assert client.post(url, data="nope", headers=host_headers).status_code == 422
    db.session.refresh(ada)
    assert ada.attended is False

    # Waitlisted: no place, no attendance.
    wait_url = f"/api/v1/registrations/{people['wait'].id}/attendance"
    assert client.post(wait_url, json={"attended": True}, headers=host_headers).status_code == 409

    for outsider in (make_user("county_host", county="11"), make_user("directorate", county=None),
                     make_user("municipal_contact", county="46", municipality="4601")):
        response = client.post(url, json={"attended": True}, headers=bearer(db, outsider))
        assert response.status_code == 404
        assert "Ada" not in response.get_data(as_text=True)
    assert client.post("/api/v1/registrations/999999/attendance", json={"attended": True},
                       headers=host_headers).status_code == 404
    assert client.post(url, json={"attended": True}).status_code == 401
    db.session.refresh(ada)
    assert ada.attended is False


def test_record_attendance_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/registrations/{id}/attendance"]["post"]
    assert op["operationId"] == "recordAttendance"


# --- public participant list -----------------------------------------------------------------

def test_public_list_only_consented_confirmed_name_and_organisation(client, db, gathering,
                                                                    people):
    response = client.get(f"/gatherings/{gathering.id}/participants")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Ada and Cecilie agreed; Bo did not; Wenche waits; Dag cancelled.
    assert html.count('class="participant-name"') == 2
    assert "Ada Åsen" in html and "Cecilie Voss" in html
    assert "Bo Berg" not in html and "Waiting Wenche" not in html and "Dag Stord" not in html
    assert "Bergen" in html and "Voss" in html
    for private in ("p1@kommune.example", "Glutenfri", SECRET_ACCESS, "Vegetar"):
        assert private not in html


def test_public_list_of_a_draft_is_not_found(client, db, gathering, people):
    gathering.status = "draft"
    db.session.commit()
    assert client.get(f"/gatherings/{gathering.id}/participants").status_code == 404
    assert client.get("/gatherings/999999/participants").status_code == 404


def test_registration_row_is_untouched_by_reading(db, gathering, people):
    """The summary's grouping reads; it must not rewrite what people entered."""
    from eventapp.registration.services import venue_summary

    venue_summary(gathering)
    assert db.session.get(Registration, people["bo"].id).dietary_needs == "glutenfri."
