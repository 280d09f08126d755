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


@pytest.fixture(autouse=True)
def _ticks_count_as_on_the_day(monkeypatch):
    # These tests tick people in as on the gathering's days; ticks before the first day have
    # tests of their own (tests/registration/test_checkin_days.py).
    from eventapp.registration.services import day

    monkeypatch.setattr(day, "today", lambda: date(2100, 1, 1))


@pytest.fixture
def gathering(open_gathering):
    return open_gathering


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


# --- check-in per day --------------------------------------------------------------------------

def oslo_today():
    from eventapp.core.time import OSLO, utcnow

    return utcnow().astimezone(OSLO).date()


def flags(db, registration):
    db.session.refresh(registration)
    return (registration.attended_day1, registration.attended_day2, registration.attended)


@pytest.fixture
def one_day(make_gathering, db, places):
    g = make_gathering(county="46", title="Dagsamling", start=date.today() + timedelta(days=30),
                       end=date.today() + timedelta(days=30))
    g.status = "open"
    db.session.commit()
    return g


def test_a_day_ticks_that_day_and_walk_ins_are_allowed(db, gathering, people):
    from eventapp.registration.services import record_attendance

    ada, bo = people["ada"], people["bo"]  # Ada registered for day 1 only, Bo for both
    record_attendance(ada, True, day=1)
    db.session.commit()
    assert flags(db, ada) == (True, None, True)
    first = ada.checked_in_at
    assert first is not None
    # Ada comes back on day 2 although she had not registered for it: she is let in.
    record_attendance(ada, True, day=2)
    db.session.commit()
    assert flags(db, ada) == (True, True, True)
    assert ada.checked_in_at == first  # the first check-in stays
    # Unticking day 1 (a mistake) leaves her checked in on day 2: she still came.
    record_attendance(ada, False, day=1)
    db.session.commit()
    assert flags(db, ada) == (False, True, True) and ada.checked_in_at == first
    record_attendance(ada, False, day=2)
    db.session.commit()
    assert flags(db, ada) == (False, False, False) and ada.checked_in_at is None
    # Bo only on day 2.
    record_attendance(bo, True, day=2)
    db.session.commit()
    assert flags(db, bo) == (None, True, True)


def test_without_a_day_came_means_the_days_registered_for(db, gathering, people):
    from eventapp.registration.services import record_attendance

    ada, bo = people["ada"], people["bo"]
    record_attendance(ada, True)
    record_attendance(bo, True)
    db.session.commit()
    assert flags(db, ada) == (True, None, True)
    assert flags(db, bo) == (True, True, True)
    # A walk-in day ticked earlier is kept by "came", and "did not come" clears every day.
    record_attendance(ada, True, day=2)
    record_attendance(ada, True)
    db.session.commit()
    assert flags(db, ada) == (True, True, True)
    record_attendance(bo, False)
    record_attendance(ada, False)
    db.session.commit()
    assert flags(db, bo) == (False, False, False) and bo.checked_in_at is None
    assert flags(db, ada) == (False, False, False)


@pytest.mark.parametrize("bad", [0, 3, -1, "1", True, 1.5])
def test_a_bad_day_is_refused_and_changes_nothing(db, gathering, people, bad):
    from eventapp.core.errors import ValidationFailed
    from eventapp.registration.services import record_attendance

    bo = people["bo"]
    with pytest.raises(ValidationFailed) as caught:
        record_attendance(bo, True, day=bad)
    assert "day" in caught.value.fields
    db.session.rollback()
    assert flags(db, bo) == (None, None, None) and bo.checked_in_at is None


def test_one_day_gathering_has_no_day_two(db, one_day):
    from eventapp.core.errors import ValidationFailed
    from eventapp.registration.services import checkin_counts, record_attendance

    eva = reg(one_day, 11, name="Eva Én")
    db.session.commit()
    assert (eva.day1, eva.day2) == (True, False)
    with pytest.raises(ValidationFailed) as caught:
        record_attendance(eva, True, day=2)
    assert caught.value.fields["day"] == "Denne samlingen har bare én dag."  # nb, the default
    db.session.rollback()
    assert flags(db, eva) == (None, None, None)
    record_attendance(eva, True)
    db.session.commit()
    assert flags(db, eva) == (True, None, True)
    record_attendance(eva, False, day=1)
    db.session.commit()
    assert flags(db, eva) == (False, None, False)
    assert [(c.day, c.expected, c.attended) for c in checkin_counts(one_day)] == [(1, 1, 0)]


def test_the_grant_counts_from_the_days(db, gathering, people):
    """Any day or both days: the directorate's rule reads the per-day ticks."""
    from eventapp.grants.models import GrantRules
    from eventapp.grants.services import count_participants
    from eventapp.registration.services import record_attendance

    record_attendance(people["ada"], True, day=1)
    record_attendance(people["bo"], True, day=1)
    record_attendance(people["bo"], True, day=2)
    record_attendance(people["cecilie"], True, day=2)
    db.session.commit()
    any_day = GrantRules(year=gathering.start_date.year, attendance="any_day",
                         include_speakers=False)
    all_days = GrantRules(year=gathering.start_date.year, attendance="all_days",
                          include_speakers=False)
    assert count_participants(gathering, any_day).participants == 3
    assert count_participants(gathering, all_days).participants == 1


def test_checkin_page_defaults_to_todays_day_and_counts_per_day(client, db, make_gathering,
                                                                 places, host):
    from eventapp.registration.services import record_attendance

    # The gathering began yesterday: today is day 2.
    g = make_gathering(county="46", title="Pågår", start=oslo_today() - timedelta(days=1),
                       end=oslo_today())
    g.status = "open"
    db.session.commit()
    ada = reg(g, 21, name="Ada Åsen", day2=False)
    bo = reg(g, 22, name="Bo Berg")
    cy = reg(g, 23, "4621", name="Cy Voss", day1=False)
    g.status = "closed"
    record_attendance(ada, True, day=1)
    record_attendance(bo, True, day=1)
    record_attendance(bo, True, day=2)
    db.session.commit()
    as_user(client, host)
    url = f"/gatherings/{g.id}/checkin"
    html = client.get(url).get_data(as_text=True)
    assert f'<a href="/gatherings/{g.id}/checkin?day=2" aria-current="page">' in html
    assert figure(html, "attended") == 1 and figure(html, "expected") == 2  # Bo of Bo and Cy
    assert figure(html, "confirmed") == 3
    assert (figure(html, "day1-attended"), figure(html, "day1-expected")) == (2, 2)
    assert (figure(html, "day2-attended"), figure(html, "day2-expected")) == (1, 2)
    assert "Day 2: " in html
    # Everyone is on the list, Ada marked as registered for day 1 only (a walk-in if she comes).
    assert html.count('class="checkin-row') == 3
    assert html.count("checkin-row--in") == 1
    assert "Registered for day 1 only" in html
    assert 'aria-label="Check in Cy Voss for day 2"' in html
    assert 'name="day" value="2"' in html

    day1 = client.get(url, query_string={"day": "1"}).get_data(as_text=True)
    assert figure(day1, "attended") == 2 and figure(day1, "expected") == 2
    assert day1.count("checkin-row--in") == 2
    assert "Registered for day 2 only" in day1  # Cy
    # A day the gathering does not have falls back to today's.
    for odd in ("3", "0", "x", ""):
        page = client.get(url, query_string={"day": odd}).get_data(as_text=True)
        assert figure(page, "expected") == 2 and "Day 2: " in page, odd

    # Ticking Cy on day 2 from the day 2 list.
    response = client.post(f"{url}/{cy.id}", data={"csrf_token": get_csrf(client, url),
                                                   "attended": "1", "day": "2", "q": "voss"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?day=2&q=voss#r-{cy.id}")
    assert flags(db, cy) == (None, True, True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cy Voss is checked in for day 2." in page
    assert figure(page, "day2-attended") == 2
    # Undo on day 1 for Ada from the day 1 list leaves day 2 alone.
    client.post(f"{url}/{ada.id}", data={"csrf_token": get_csrf(client, url), "attended": "0",
                                         "day": "1"})
    assert flags(db, ada) == (False, None, False)


@pytest.mark.parametrize("day", ["3", "0", "two", "1.0", "-1"])
def test_checkin_page_bad_day_changes_nothing(client, db, gathering, people, host, day):
    as_user(client, host)
    url = f"/gatherings/{gathering.id}/checkin"
    bo = people["bo"]
    response = client.post(f"{url}/{bo.id}", data={"csrf_token": get_csrf(client, url),
                                                   "attended": "1", "day": day},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert flags(db, bo) == (None, None, None)


def test_one_day_checkin_page_has_no_day_switch_and_refuses_day_two(client, db, one_day,
                                                                    host):
    eva = reg(one_day, 31, name="Eva Én")
    db.session.commit()
    as_user(client, host)
    url = f"/gatherings/{one_day.id}/checkin"
    html = client.get(url).get_data(as_text=True)
    assert "checkin-days" not in html and "Day 1" not in html
    assert figure(html, "attended") == 0 and figure(html, "confirmed") == 1
    assert 'aria-label="Check in Eva Én"' in html
    response = client.post(f"{url}/{eva.id}", data={"csrf_token": get_csrf(client, url),
                                                    "attended": "1", "day": "2"},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Nothing was changed: This gathering has only one day." in body
    assert flags(db, eva) == (None, None, None)
    response = client.post(f"{url}/{eva.id}", data={"csrf_token": get_csrf(client, url),
                                                    "attended": "1", "day": "1"})
    assert "day=" not in response.headers["Location"]
    assert flags(db, eva) == (True, None, True)
    page = client.get(url).get_data(as_text=True)
    assert figure(page, "attended") == 1 and "Eva Én is checked in." in page


def test_record_attendance_api_per_day(client, db, gathering, people, host, one_day):
    import jsonschema

    from eventapp.api.spec import OPERATIONS

    schema = next(o for o in OPERATIONS if o.operation_id == "recordAttendance").response
    headers = bearer(db, host)
    bo = people["bo"]
    url = f"/api/v1/registrations/{bo.id}/attendance"
    body = client.post(url, json={"attended": True, "day": 2}, headers=headers).get_json()
    jsonschema.validate(body, schema)
    assert (body["attended_day1"], body["attended_day2"], body["attended"]) == (None, True, True)
    body = client.post(url, json={"attended": True}, headers=headers).get_json()
    assert (body["attended_day1"], body["attended_day2"]) == (True, True)
    body = client.post(url, json={"attended": False, "day": 1}, headers=headers).get_json()
    jsonschema.validate(body, schema)
    assert (body["attended_day1"], body["attended_day2"], body["attended"]) == (False, True, True)

    for bad in (3, 0, "2", True, None, 1.5, [1]):
        response = client.post(url, json={"attended": True, "day": bad}, headers=headers)
        assert response.status_code == 422, bad
        assert "day" in response.get_json()["error"]["fields"], bad
    assert flags(db, bo) == (False, True, True)

    eva = reg(one_day, 41, name="Eva Én")
    db.session.commit()
    response = client.post(f"/api/v1/registrations/{eva.id}/attendance",
                           json={"attended": True, "day": 2}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["day"] == "Denne samlingen har bare én dag."
    assert flags(db, eva) == (None, None, None)


def test_record_attendance_day_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/registrations/{id}/attendance"]["post"]
    request_schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert request_schema["properties"]["day"]["enum"] == [1, 2]
    assert "day" not in request_schema["required"]
    assert "422" in op["responses"]
    response = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"attended_day1", "attended_day2"} <= set(response["properties"])


def test_the_lists_translate_each_role_once(client, db, gathering, people, host, monkeypatch):
    """A list shows a role per row; the role's label is translated once for the page, not once
    per row (lazy labels translate anew at every use)."""
    from eventapp.registration import forms

    translated = []

    class Counted:
        def __init__(self, role, label):
            self.role, self.label = role, label

        def __str__(self):
            translated.append(self.role)
            return str(self.label)

    monkeypatch.setattr(forms, "ROLE_LABELS",
                        {role: Counted(role, label) for role, label in forms.ROLE_LABELS.items()})
    for n in range(6, 10):
        reg(gathering, n, municipality="4622")  # four more programme advisers
    db.session.commit()
    as_user(client, host)
    for url in (f"/gatherings/{gathering.id}/registrations", f"/gatherings/{gathering.id}/checkin",
                f"/gatherings/{gathering.id}/badges"):
        translated.clear()
        body = client.get(url).get_data(as_text=True)
        assert body.count("Programme adviser") >= 4, url
        assert translated.count("programme_adviser") == 1, url
