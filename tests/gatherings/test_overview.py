"""The gathering's overview by phase (issue 16, item 1): each phase's state from the status and
the dates, the facts and next steps the features give, only what the viewer may see, and a
number of SQL statements that does not grow with the registrations or the municipalities."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db as _db
from eventapp.gatherings.overview import next_steps, overview, phase_states, providers
from eventapp.invitations.models import Outreach
from eventapp.registration.services import RegistrationData, register, registration_units
from tests.conftest import login

TODAY = utcnow().astimezone(OSLO).date()


def _phases(gathering, viewer):
    return {p.key: p for p in overview(gathering, viewer)}


def _labels(phase):
    return [f.label for f in phase.facts]


def _urls(phase):
    return [s.url for s in phase.steps]


def _person(gathering, number, i, **extra):
    return register(gathering, RegistrationData(
        name=f"Person {number}-{i}", email=f"p{number}-{i}@kommune.example",
        organisation_kind="municipality", municipality_number=number,
        role="programme_adviser", **extra), channel="host")


@pytest.mark.parametrize("status,start,expected", [
    ("draft", 60, {"planning": "now", "invitations": "later", "registration": "later",
                   "days": "later", "afterwards": "later"}),
    ("open", 60, {"planning": "done", "invitations": "now", "registration": "now",
                  "days": "later", "afterwards": "later"}),
    ("open", 0, {"planning": "done", "invitations": "done", "registration": "now",
                 "days": "now", "afterwards": "later"}),
    ("closed", -1, {"planning": "done", "invitations": "done", "registration": "done",
                    "days": "now", "afterwards": "later"}),
    ("closed", -10, {"planning": "done", "invitations": "done", "registration": "done",
                     "days": "done", "afterwards": "now"}),
    ("held", -10, {"planning": "done", "invitations": "done", "registration": "done",
                   "days": "done", "afterwards": "now"}),
    ("reported", -100, {"planning": "done", "invitations": "done", "registration": "done",
                        "days": "done", "afterwards": "done"}),
])
def test_each_phase_state_follows_status_and_dates(make_gathering, status, start, expected):
    gathering = make_gathering(start=TODAY + timedelta(days=start),
                               end=TODAY + timedelta(days=start + 1))
    gathering.status = status
    assert phase_states(gathering, TODAY) == expected


def test_every_feature_registered_its_provider(app):
    names = {p.__module__ for p in providers()}
    assert {"eventapp.gatherings.overview", "eventapp.registration.overview",
            "eventapp.invitations.overview", "eventapp.grants.overview"} <= names


def test_a_draft_asks_the_host_to_plan_and_open(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY + timedelta(days=60), end=TODAY + timedelta(days=61))
    with app.test_request_context():
        phases = _phases(gathering, host)
        now = next_steps(list(phases.values()))
    planning = phases["planning"]
    assert planning.state == "now"
    # No programme yet, the checklist not met, the grant not applied for, and the status.
    assert f"/gatherings/{gathering.id}/programme" in _urls(planning)
    assert f"/gatherings/{gathering.id}/checks" in _urls(planning)
    assert f"/gatherings/{gathering.id}/grant" in _urls(planning)
    assert f"/gatherings/{gathering.id}#status" in _urls(planning)
    assert [s.url for _p, s in now] == _urls(planning)
    assert "Sjekkliste" in _labels(planning)


def test_open_gathering_counts_places_and_the_waitlist(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY + timedelta(days=60), end=TODAY + timedelta(days=61),
                               status="open")
    for i in range(3):  # Bergen has two places: the third waits
        _person(gathering, "4601", i)
    _person(gathering, "4621", 0)
    db.session.commit()
    with app.test_request_context():
        phases = _phases(gathering, host)
        now = [s.url for _p, s in next_steps(list(phases.values()))]
    registration = phases["registration"]
    facts = {f.label: f for f in registration.facts}
    assert (facts["Kommuneplasser"].count, facts["Venteliste"].value) == (3, "1")
    assert facts["Venteliste"].tone == "warn"
    assert f"/gatherings/{gathering.id}/registrations?status=waitlisted" in now
    # Two of the county's municipalities have registered; the rest are not reached yet.
    invitations = {f.label: f for f in phases["invitations"].facts}
    assert invitations["Kommuner påmeldt"].count == 2
    assert any("state=not_reached" in url for url in now)
    assert phases["days"].state == "later"


def test_on_the_days_check_in_comes_first(app, db, make_user, make_gathering):
    counsellor = make_user("counsellor", county="46")
    gathering = make_gathering(start=TODAY, end=TODAY + timedelta(days=1), status="open")
    person = _person(gathering, "4601", 0)
    gathering.status = "closed"
    db.session.commit()
    from eventapp.registration.services import record_attendance

    record_attendance(person, True, day=1)
    db.session.commit()
    with app.test_request_context():
        phases = _phases(gathering, counsellor)
        now = next_steps(list(phases.values()))
    assert phases["days"].state == "now"
    first = now[0][1]
    assert first.primary and first.url == f"/gatherings/{gathering.id}/checkin"
    days = {f.label: f for f in phases["days"].facts}
    assert (days["Sjekket inn, dag 1"].count, days["Sjekket inn, dag 1"].total) == (1, 1)
    assert days["Sjekket inn, dag 2"].count == 0


def test_afterwards_the_report_and_who_acts_on_it(app, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    directorate = make_user("directorate", county=None)
    gathering = make_gathering(start=TODAY - timedelta(days=10), end=TODAY - timedelta(days=9),
                               status="held")
    with app.test_request_context():
        host_phases = _phases(gathering, host)
        directorate_phases = _phases(gathering, directorate)
    assert host_phases["afterwards"].state == "now"
    assert host_phases["afterwards"].steps[0].label == "Skriv sluttrapporten"
    # The directorate reads the report but does not write it.
    assert directorate_phases["afterwards"].steps[0].label == "Sluttrapport"


def test_the_viewer_sees_only_what_they_may(app, db, make_user, make_gathering):
    gathering = make_gathering(start=TODAY + timedelta(days=60), end=TODAY + timedelta(days=61),
                               status="open")
    _person(gathering, "4601", 0)
    _person(gathering, "4621", 0)
    db.session.commit()
    contact = make_user("municipal_contact", county="46", municipality="4601")
    counsellor = make_user("counsellor", county="46")
    directorate = make_user("directorate", county=None)
    with app.test_request_context():
        mine = _phases(gathering, contact)
        theirs = _phases(gathering, counsellor)
        national = _phases(gathering, directorate)
    # A municipal contact: their own municipality's places and a way to register, nothing of
    # the county's work, the grant or check-in.
    assert _labels(mine["registration"]) == ["Plasser for Bergen"]
    assert mine["registration"].facts[0].value == "1 av 2"
    assert _urls(mine["registration"]) == [f"/gatherings/{gathering.id}/our-registrations"]
    assert mine["invitations"].facts == [] and mine["days"].facts == []
    assert "Tilskudd" not in _labels(mine["planning"])
    # Of the afterwards only the follow-up log, which municipalities read (issue 17, part 6).
    assert _labels(mine["afterwards"]) == ["Åpne oppfølgingspunkter"]
    # A counsellor: the board, places and check-in, no list of registrations (host only).
    assert "Kommuner nådd" in _labels(theirs["invitations"])
    assert not any(url.endswith("/registrations") for url in _urls(theirs["registration"]))
    assert f"/gatherings/{gathering.id}/checkin" in _urls(theirs["days"])
    # The directorate: places, the board and the grant, but no check-in and no invitations sent.
    assert "Kommuneplasser" in _labels(national["registration"])
    assert "Invitasjoner sendt" not in _labels(national["invitations"])
    assert national["days"].facts == []
    assert "Tilskudd" in _labels(national["planning"])


def _statements(app, gathering, viewer) -> int:
    count = {"n": 0}

    def tick(*_args):
        count["n"] += 1

    event.listen(_db.engine, "before_cursor_execute", tick)
    try:
        with app.test_request_context():
            _db.session.expire_all()
            overview(gathering, viewer)
    finally:
        event.remove(_db.engine, "before_cursor_execute", tick)
    return count["n"]


def test_statements_do_not_grow_with_registrations_or_municipalities(app, db, make_user,
                                                                      make_gathering):
    host = make_user("county_host", county="46")
    small = make_gathering(start=TODAY + timedelta(days=60), end=TODAY + timedelta(days=61),
                           status="open")
    big = make_gathering(title="Stor", start=TODAY + timedelta(days=70),
                         end=TODAY + timedelta(days=71), status="open")
    _person(small, "4601", 0)
    db.session.commit()
    units = registration_units(big)[:15]
    for unit in units:
        for i in range(2):
            _person(big, unit.number, i)
        db.session.add(Outreach(gathering_id=big.id, municipality_id=unit.id, user_id=host.id,
                                channel="phone", happened_on=TODAY))
    db.session.commit()
    few, many = _statements(app, small, host), _statements(app, big, host)
    assert many == few, (few, many)
    assert many <= 25


def test_the_page_shows_the_phases_in_norwegian(client, db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY, end=TODAY + timedelta(days=1), status="open")
    login(client, host.email)
    html = client.get(f"/gatherings/{gathering.id}").get_data(as_text=True)
    for text in ("Hva nå?", "Planlegging", "Invitasjoner", "Påmelding", "Dagene", "Etterpå",
                 "Åpne innsjekkingen", "Seksjoner"):
        assert text in html, text
    # Check-in leads the list of what to do now, as a button.
    now = html[html.index('id="now-heading"'):html.index('class="phases"')]
    assert now.index("class=\"overview-primary\"") < now.index("class=\"overview-step\"")
    assert f'href="/gatherings/{gathering.id}/checkin" class="overview-primary"' in now


def test_the_sections_are_grouped_by_phase_and_keep_aria_current(client, db, make_user,
                                                                  make_gathering):
    host = make_user("county_host", county="46")
    contact = make_user("municipal_contact", county="46", municipality="4601")
    gathering = make_gathering(start=TODAY + timedelta(days=60), end=TODAY + timedelta(days=61),
                               status="open")
    login(client, host.email)
    html = client.get(f"/gatherings/{gathering.id}/checkin").get_data(as_text=True)
    nav = html[html.index('class="subnav subnav--phases"'):]
    nav = nav[:nav.index("</nav>")]
    # Every section the host had before, the overview, materials and the talk with HK-dir.
    assert nav.count("<a ") == 23
    assert f'href="/gatherings/{gathering.id}/checkin" aria-current="page"' in nav
    assert "<details" in nav and "Dagene: Innsjekking" in nav
    for group in ("Planlegging", "Invitasjoner", "Påmelding", "Dagene", "Etterpå"):
        assert f">{group}</p>" in nav
    client.post("/account/logout", data={})
    other = type(client)(client.application)
    login(other, contact.email)
    nav = other.get(f"/gatherings/{gathering.id}").get_data(as_text=True)
    nav = nav[nav.index('class="subnav subnav--phases"'):]
    nav = nav[:nav.index("</nav>")]
    assert "/our-registrations" in nav and "/checkin" not in nav and "/grant" not in nav
    # A group with nothing in it for the viewer is left out.
    assert ">Dagene</p>" not in nav


# --- check-in answers the script with JSON (registration.checkin_tick) ---------------------------

JSON = {"Accept": "application/json"}


def test_checkin_tick_answers_json_when_asked(client, db, make_user, make_gathering):
    from tests.conftest import get_csrf

    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY, end=TODAY + timedelta(days=1), status="open")
    ada = _person(gathering, "4601", 0)
    bo = _person(gathering, "4621", 0, day1=False)
    db.session.commit()
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/checkin"
    token = get_csrf(client, url)
    response = client.post(f"{url}/{ada.id}", headers=JSON,
                           data={"csrf_token": token, "attended": "1", "day": "1", "q": ""})
    assert response.status_code == 200 and response.is_json
    answer = response.get_json()
    assert answer["ok"] and answer["registration_id"] == ada.id
    assert answer["counts"] == {"day": 1, "attended": 1, "expected": 1, "confirmed": 2,
                                "days": [{"day": 1, "attended": 1, "expected": 1},
                                         {"day": 2, "attended": 0, "expected": 2}]}
    # The row as the page draws it: now checked in, with the undo button; the message in
    # Norwegian, and no flash left behind for the next page.
    assert f'id="r-{ada.id}"' in answer["row"] and "checkin-row--in" in answer["row"]
    assert 'name="csrf_token"' in answer["row"]
    assert "sjekket inn" in answer["message"]
    assert 'role="status">' not in client.get(url).get_data(as_text=True).split(
        "<main", 1)[1].split("<h1", 1)[0]
    db.session.refresh(ada)
    assert ada.attended_day1 is True
    # A walk-in on day 1 for someone registered for day 2 only.
    answer = client.post(f"{url}/{bo.id}", headers=JSON, data={
        "csrf_token": token, "attended": "1", "day": "1"}).get_json()
    assert answer["counts"]["attended"] == 2 and "data-walk-in" in answer["row"]


def test_checkin_json_refusals_change_nothing(client, db, make_user, make_gathering):
    from tests.conftest import get_csrf

    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY, end=TODAY, status="open")
    ada = _person(gathering, "4601", 0)
    _person(gathering, "4601", 1)
    waiting = _person(gathering, "4601", 2)
    db.session.commit()
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/checkin"
    token = get_csrf(client, url)
    bad = client.post(f"{url}/{ada.id}", headers=JSON,
                      data={"csrf_token": token, "attended": "yes"})
    assert bad.status_code == 400 and bad.get_json()["ok"] is False
    refused = client.post(f"{url}/{waiting.id}", headers=JSON,
                          data={"csrf_token": token, "attended": "1"})
    assert refused.status_code == 409
    assert "Bare personer som har plass" in refused.get_json()["error"]["message"]
    # Without the CSRF token nothing happens (the script then sends the form the plain way).
    assert client.post(f"{url}/{ada.id}", headers=JSON,
                       data={"attended": "1"}).status_code == 400
    db.session.refresh(ada)
    db.session.refresh(waiting)
    assert ada.attended is None and waiting.attended is None
    # A plain form post still gets the page back.
    plain = client.post(f"{url}/{ada.id}", data={"csrf_token": token, "attended": "1"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"#r-{ada.id}")


def test_an_early_tick_asks_first_and_the_script_is_sent_to_the_question(client, db, make_user,
                                                                       make_gathering):
    from tests.conftest import get_csrf

    host = make_user("county_host", county="46")
    gathering = make_gathering(start=TODAY + timedelta(days=3), end=TODAY + timedelta(days=3),
                               status="open")
    ada = _person(gathering, "4601", 0)
    db.session.commit()
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/checkin"
    token = get_csrf(client, url)
    scripted = client.post(f"{url}/{ada.id}", headers=JSON,
                           data={"csrf_token": token, "attended": "1", "day": "1"})
    assert scripted.status_code == 409 and scripted.get_json()["confirm"] is True
    asked = client.post(f"{url}/{ada.id}", data={"csrf_token": token, "attended": "1",
                                                "day": "1", "q": "ada"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "data-confirm" in html
    assert 'name="confirmed" value="1"' in html and 'name="q" value="ada"' in html
    db.session.refresh(ada)
    assert ada.checked_in_at is None
    done = client.post(f"{url}/{ada.id}", data={"csrf_token": token, "attended": "1",
                                               "day": "1", "confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(ada)
    # Noted, not counted: no day is ticked before the gathering.
    assert ada.checked_in_at is not None and ada.attended_day1 is None
