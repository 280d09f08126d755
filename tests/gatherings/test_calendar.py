"""Calendars: the programme as iCalendar (download, subscription, API), the "add to calendar"
file, and reading other events from .ics files. Exports are read back with the icalendar
library and checked against RFC 5545's rules for lines and required properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.gatherings.calendar import (
    CalendarFileError,
    GatheringInfo,
    ItemInfo,
    gathering_calendar,
    oslo_timezone,
    parse_events,
    programme_calendar,
)
from eventapp.gatherings.services import (
    ItemData,
    SpeakerData,
    add_item,
    cancel_item,
    change_status,
    update_item,
)
from tests.conftest import login

OSLO = ZoneInfo("Europe/Oslo")


def item(day=1, start=(9, 0), end=(9, 45), kind="talk", title="Rammeverket", **kw):
    return ItemData(day=day, start=time(*start), end=time(*end), kind=kind, title=title, **kw)


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46", email="vert@vestland.example.no")


@pytest.fixture
def january(make_gathering):
    return make_gathering(county="46", title="Vintersamling", start=date(2027, 1, 19),
                          end=date(2027, 1, 20), venue="Scandic Bergen City")


@pytest.fixture
def june(make_gathering):
    return make_gathering(county="46", title="Sommersamling", start=date(2027, 6, 8),
                          end=date(2027, 6, 9), venue="Quality Hotel Florø")


def _export(gathering) -> bytes:
    from eventapp.gatherings.services import programme_ics

    return programme_ics(gathering)


def _events(ics: bytes) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}


def _publish(db, gathering, host):
    change_status(gathering, host, "open")
    db.session.commit()


# --- times -------------------------------------------------------------------------------------

def test_nine_in_january_oslo_reads_back_as_eight_utc(db, host, january):
    added = add_item(january, host, item(start=(9, 0), end=(9, 45)))
    db.session.commit()
    ics = _export(january)
    event = _events(ics)[added.uid]
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 19, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 1, 19, 8, 45, tzinfo=UTC)
    # Written as Oslo wall-clock time with its zone, not converted to UTC.
    assert b"DTSTART;TZID=Europe/Oslo:20270119T090000\r\n" in ics


def test_nine_in_june_oslo_reads_back_as_seven_utc(db, host, june):
    added = add_item(june, host, item(day=2, start=(9, 0), end=(10, 0)))
    db.session.commit()
    ics = _export(june)
    event = _events(ics)[added.uid]
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 6, 9, 7, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/Oslo:20270609T090000\r\n" in ics


def test_calendar_has_oslo_vtimezone_with_standard_and_daylight(db, host, january):
    add_item(january, host, item())
    db.session.commit()
    cal = Calendar.from_ical(_export(january))
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Oslo"]
    assert zones[0].walk("STANDARD") and zones[0].walk("DAYLIGHT")
    assert not cal.get_missing_tzids()
    for name, value in (("VERSION", "2.0"), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH"),
                        ("X-WR-TIMEZONE", "Europe/Oslo"), ("X-WR-CALNAME", "Vintersamling")):
        assert str(cal[name]) == value
    assert "PRODID" in cal


def test_vtimezone_gives_the_same_offsets_as_the_time_zone_database():
    """The VTIMEZONE on its own (not looked up by name) agrees with zoneinfo at every half hour
    over several years, including the nights the clocks change."""
    tz = oslo_timezone().to_tz(lookup_tzid=False)
    moment, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    wrong = []
    while moment < end:
        if moment.astimezone(tz).utcoffset() != moment.astimezone(OSLO).utcoffset():
            wrong.append(moment)
        moment += timedelta(minutes=30)
    assert wrong == []


# --- identity and changes ----------------------------------------------------------------------

def test_uids_are_stable_across_exports(db, host, january):
    first = add_item(january, host, item(title="Velkommen", start=(9, 0), end=(9, 30)))
    second = add_item(january, host, item(title="Gruppearbeid", kind="group_work",
                                          start=(10, 0), end=(11, 0)))
    db.session.commit()
    before = set(_events(_export(january)))
    db.session.expire_all()
    assert set(_events(_export(january))) == before == {first.uid, second.uid}
    assert first.uid != second.uid


def test_changing_an_item_raises_its_sequence(db, host, january):
    added = add_item(january, host, item(title="Rammeverket", start=(9, 0), end=(9, 45)))
    db.session.commit()
    event = _events(_export(january))[added.uid]
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    update_item(added, host, item(title="Rammeverket for karriereveiledning", start=(9, 15),
                                  end=(10, 0)))
    db.session.commit()
    event = _events(_export(january))[added.uid]
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]) == "Rammeverket for karriereveiledning"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 19, 8, 15, tzinfo=UTC)


def test_cancelled_item_is_published_as_cancelled_with_higher_sequence(db, host, january):
    kept = add_item(january, host, item(title="Velkommen", start=(9, 0), end=(9, 30)))
    gone = add_item(january, host, item(title="Panel", kind="panel", start=(10, 0), end=(11, 0)))
    db.session.commit()
    before = int(_events(_export(january))[gone.uid]["SEQUENCE"])
    cancel_item(gone, host)
    db.session.commit()
    events = _events(_export(january))
    assert str(events[gone.uid]["STATUS"]) == "CANCELLED"
    assert int(events[gone.uid]["SEQUENCE"]) > before
    assert str(events[kept.uid]["STATUS"]) == "CONFIRMED"


def test_event_text_carries_speakers_questions_room_and_venue(db, host, january):
    added = add_item(january, host, item(
        description="Hva rammeverket betyr for kommunene.", room="Sal A", question_minutes=15,
        speakers=[SpeakerData("Anne Direktorat", "HK-dir", "directorate")]))
    db.session.commit()
    event = _events(_export(january))[added.uid]
    description = str(event["DESCRIPTION"])
    assert "Hva rammeverket betyr for kommunene." in description
    assert "Anne Direktorat (HK-dir)" in description
    assert "15" in description
    assert str(event["LOCATION"]) == "Sal A, Scandic Bergen City"
    assert "LAST-MODIFIED" in event and "DTEND" in event


def test_export_follows_rfc5545_line_rules_and_required_properties(db, host, january):
    long_title = ("Erfaringsdeling fra små og store kommuner: hvordan karriereveiledning for "
                  "flyktninger blir en del av introduksjonsprogrammet i Øygarden og Årdal")
    add_item(january, host, item(title=long_title, kind="experience_sharing", start=(13, 0),
                                 end=(14, 0), description="Æ ø å " * 40))
    add_item(january, host, item(title="Lunsj", kind="meal", start=(12, 0), end=(13, 0)))
    db.session.commit()
    ics = _export(january)
    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long lines should have been folded"
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 2
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, required
    assert long_title in {str(e["SUMMARY"]) for e in events}


# --- the routes ----------------------------------------------------------------------------------

def test_subscription_feed_follows_changes_at_the_same_url(db, client, host, january):
    added = add_item(january, host, item(title="Første versjon"))
    db.session.commit()
    _publish(db, january, host)
    url = f"/gatherings/calendar/{january.calendar_token}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert str(_events(response.data)[added.uid]["SUMMARY"]) == "Første versjon"
    update_item(added, host, item(title="Andre versjon"))
    db.session.commit()
    event = _events(client.get(url).data)[added.uid]
    assert str(event["SUMMARY"]) == "Andre versjon"
    assert int(event["SEQUENCE"]) == 1


def test_feed_of_a_draft_and_an_unknown_token_are_not_found(db, client, host, january):
    add_item(january, host, item())
    db.session.commit()
    assert january.status == "draft"
    assert client.get(f"/gatherings/calendar/{january.calendar_token}.ics").status_code == 404
    assert client.get("/gatherings/calendar/no-such-token.ics").status_code == 404


def test_programme_ics_for_the_county_and_not_for_another(db, client, host, make_user, january):
    add_item(january, host, item())
    db.session.commit()
    url = f"/gatherings/{january.id}/programme.ics"
    assert client.get(url).status_code == 302  # log in first
    login(client, host.email)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert 'filename="programme.ics"' in response.headers["Content-Disposition"]
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) == 1
    other = make_user("county_host", county="11")
    outsider = client.application.test_client()
    login(outsider, other.email)
    assert outsider.get(url).status_code == 404


def test_api_get_programme_calendar_is_scoped(db, client, host, make_user, january):
    add_item(january, host, item())
    _t, own = create_token(host, "kalender")
    other = make_user("county_host", county="11")
    _t, foreign = create_token(other, "kalender")
    db.session.commit()
    url = f"/api/v1/gatherings/{january.id}/programme.ics"
    response = client.get(url, headers={"Authorization": f"Bearer {own}"})
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) == 1
    response = client.get(url, headers={"Authorization": f"Bearer {foreign}"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert b"BEGIN:VCALENDAR" not in response.data
    assert client.get(url).status_code == 401
    op = next(o for o in OPERATIONS if o.operation_id == "getProgrammeCalendar")
    assert op.content_type == "text/calendar" and op.method == "GET"


def test_add_to_calendar_file_all_day_then_timed(db, client, host, january):
    url = f"/gatherings/{january.id}/gathering.ics"
    # A draft is not public.
    assert client.get(url).status_code == 302
    _publish(db, january, host)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"gathering-{january.id}@eventapp"
    # All-day over both days: DTEND is exclusive.
    assert event.decoded("DTSTART") == date(2027, 1, 19)
    assert event.decoded("DTEND") == date(2027, 1, 21)
    add_item(january, host, item(day=1, start=(10, 0), end=(10, 30)))
    add_item(january, host, item(day=2, title="Avslutning", start=(14, 0), end=(15, 0)))
    db.session.commit()
    cal = Calendar.from_ical(client.get(url).data)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"gathering-{january.id}@eventapp"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 19, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 1, 20, 14, 0, tzinfo=UTC)
    assert int(event["SEQUENCE"]) > 0
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]


def test_add_to_calendar_file_of_a_draft_is_scoped(db, client, make_user, january):
    url = f"/gatherings/{january.id}/gathering.ics"
    outsider = make_user("county_host", county="11")
    login(client, outsider.email)
    assert client.get(url).status_code == 404
    counsellor = make_user("counsellor", county="46")
    own = client.application.test_client()
    login(own, counsellor.email)
    assert own.get(url).status_code == 200


# --- the pure module -----------------------------------------------------------------------------

def _info(**kw):
    return GatheringInfo(id=7, title="Samling", start_date=date(2027, 3, 10),
                         end_date=date(2027, 3, 11), venue="Rådhuset", **kw)


def test_pure_programme_calendar_refuses_naive_times():
    naive = ItemInfo(uid="x@eventapp", starts_at=datetime(2027, 3, 10, 9),
                     ends_at=datetime(2027, 3, 10, 10), title="Naiv")
    with pytest.raises(ValueError, match="naive"):
        programme_calendar(_info(), [naive], datetime.now(UTC))


def test_pure_gathering_calendar_one_day():
    info = _info()
    info.end_date = info.start_date
    [event] = Calendar.from_ical(gathering_calendar(info)).walk("VEVENT")
    assert event.decoded("DTSTART") == date(2027, 3, 10)
    assert event.decoded("DTEND") == date(2027, 3, 11)


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:imdi-2027@imdi.no\r\nDTSTAMP:20260101T000000Z\r\n"
    "SUMMARY:IMDis integreringskonferanse\r\nDTSTART;VALUE=DATE:20270301\r\n"
    "DTEND;VALUE=DATE:20270303\r\nLOCATION:Oslo Kongressenter\r\n"
    "ORGANIZER;CN=IMDi:mailto:post@imdi.no\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:nav-1@nav.no\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:NAV-seminar\r\n"
    "DTSTART;TZID=Europe/Oslo:20270305T090000\r\nDTEND;TZID=Europe/Oslo:20270306T000000\r\n"
    "ORGANIZER:mailto:seminar@nav.no\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Fagdag\r\n"
    "DTSTART:20270310T230000Z\r\nDURATION:PT2H\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_parse_events_reads_all_day_and_timed_events():
    events = {e["title"]: e for e in parse_events(ICS.encode())}
    imdi = events["IMDis integreringskonferanse"]
    # DTEND of an all-day event is the day after the last.
    assert (imdi["start_date"], imdi["end_date"]) == (date(2027, 3, 1), date(2027, 3, 2))
    assert imdi["uid"] == "imdi-2027@imdi.no"
    assert imdi["location"] == "Oslo Kongressenter" and imdi["organiser"] == "IMDi"
    nav = events["NAV-seminar"]
    # Ending at midnight ends the day before.
    assert (nav["start_date"], nav["end_date"]) == (date(2027, 3, 5), date(2027, 3, 5))
    assert nav["organiser"] == "seminar@nav.no" and not nav["cancelled"]
    fagdag = events["Fagdag"]
    # 23:00 UTC on the 10th is past midnight in Oslo.
    assert fagdag["start_date"] == date(2027, 3, 11) and fagdag["cancelled"]
    # No UID in the file: the same stand-in each time, so a re-import finds it.
    assert fagdag["uid"] == {e["title"]: e for e in parse_events(ICS.encode())}["Fagdag"]["uid"]


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"%PDF-1.4 not a calendar", "not_calendar"),
    (bytes(range(256)) * 4, "not_calendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no_events"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART:not-a-date\r\nEND:VEVENT\r\n"
     b"END:VCALENDAR\r\n", "bad_event"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "bad_event"),
])
def test_parse_events_refuses_garbage(data, code):
    with pytest.raises(ValueError) as caught:
        parse_events(data)
    assert isinstance(caught.value, CalendarFileError) and caught.value.code == code
    assert str(caught.value)
