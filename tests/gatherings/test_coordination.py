"""Coordination with other events: events typed in or imported from .ics, the two-week clash
warning, gatherings on the same days, and the directorate's national calendar."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.gatherings.models import OtherEvent
from eventapp.gatherings.services import (
    add_other_event,
    change_status,
    clashes,
    gathering_clashes,
    import_other_events,
)
from tests.conftest import get_csrf, login, post_form


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46", email="vert@vestland.example.no")


@pytest.fixture
def gathering(make_gathering):
    # Wednesday 10 and Thursday 11 March 2027.
    return make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                          end=date(2027, 3, 11))


def _count(db, gathering) -> int:
    return db.session.scalar(select(func.count()).select_from(OtherEvent)
                             .where(OtherEvent.gathering_id == gathering.id))


def _english(client):
    client.set_cookie("lang", "en")
    return client


def _ics(*events: str) -> bytes:
    body = "".join(events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()


def _vevent(uid, title, start, end, extra=""):
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{title}\r\n"
            f"DTSTART;VALUE=DATE:{start}\r\nDTEND;VALUE=DATE:{end}\r\n{extra}END:VEVENT\r\n")


FILE = _ics(
    _vevent("imdi-konf-2027@imdi.no", "IMDis integreringskonferanse", "20270303", "20270305",
            "ORGANIZER;CN=IMDi:mailto:post@imdi.no\r\nLOCATION:Oslo\r\n"),
    _vevent("nav-2027@nav.no", "NAV-seminar om kvalifisering", "20270601", "20270602"),
)


def _upload(client, gathering, data: bytes, filename="hendelser.ics"):
    url = f"/gatherings/{gathering.id}/events"
    return client.post(url, data={"form": "import", "csrf_token": get_csrf(client, url),
                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


# --- typed in and imported -----------------------------------------------------------------------

def test_host_types_in_an_event_and_sees_it_listed(db, client, host, gathering):
    login(_english(client), host.email)
    url = f"/gatherings/{gathering.id}/events"
    response = post_form(client, url, {"form": "add", "title": "IMDi-konferansen",
                                       "organiser": "IMDi", "location": "Oslo",
                                       "start_date": "2027-03-01", "end_date": "2027-03-02"})
    assert response.status_code == 302
    [event] = db.session.scalars(select(OtherEvent)).all()
    assert (event.title, event.organiser, event.location, event.source) == (
        "IMDi-konferansen", "IMDi", "Oslo", "manual")
    assert (event.start_date, event.end_date) == (date(2027, 3, 1), date(2027, 3, 2))
    page = client.get(url).get_data(as_text=True)
    assert "IMDi-konferansen" in page
    assert "8 days before" in page
    assert "clash-row" in page


def test_import_from_ics_and_import_again_without_duplicates(db, client, host, gathering):
    login(_english(client), host.email)
    response = _upload(client, gathering, FILE)
    assert response.status_code == 302
    events = {e.title: e for e in db.session.scalars(select(OtherEvent)).all()}
    assert set(events) == {"IMDis integreringskonferanse", "NAV-seminar om kvalifisering"}
    imdi = events["IMDis integreringskonferanse"]
    assert (imdi.start_date, imdi.end_date) == (date(2027, 3, 3), date(2027, 3, 4))
    assert (imdi.organiser, imdi.location, imdi.source) == ("IMDi", "Oslo", "ics")
    # The same file again: nothing new.
    response = _upload(client, gathering, FILE)
    assert response.status_code == 302
    assert _count(db, gathering) == 2
    page = client.get(f"/gatherings/{gathering.id}/events").get_data(as_text=True)
    assert "0 new" in page and "2 unchanged" in page


def test_reimport_updates_changed_and_removes_cancelled_events(db, host, gathering):
    import_other_events(gathering, host, FILE)
    db.session.commit()
    changed = _ics(
        _vevent("imdi-konf-2027@imdi.no", "IMDis integreringskonferanse 2027", "20270304",
                "20270306"),
        _vevent("nav-2027@nav.no", "NAV-seminar om kvalifisering", "20270601", "20270602",
                "STATUS:CANCELLED\r\n"),
    )
    counts = import_other_events(gathering, host, changed)
    db.session.commit()
    assert counts == {"added": 0, "updated": 1, "unchanged": 0, "removed": 1}
    [event] = db.session.scalars(select(OtherEvent)).all()
    assert event.title == "IMDis integreringskonferanse 2027"
    assert (event.start_date, event.end_date) == (date(2027, 3, 4), date(2027, 3, 5))


# --- the two-week warning ----------------------------------------------------------------------

@pytest.mark.parametrize("start,end,warned", [
    (date(2027, 2, 20), date(2027, 2, 24), True),    # ends 14 days before the first day
    (date(2027, 2, 20), date(2027, 2, 23), False),   # 15 days before
    (date(2027, 3, 25), date(2027, 3, 26), True),    # starts 14 days after the last day
    (date(2027, 3, 26), date(2027, 3, 26), False),   # 15 days after
    (date(2027, 3, 11), date(2027, 3, 12), True),    # on the same days
    (date(2027, 1, 1), date(2027, 12, 31), True),    # all around the gathering
])
def test_warning_on_or_within_fourteen_days(db, client, host, gathering, start, end, warned):
    event = add_other_event(gathering, host, title="Nasjonal konferanse", start_date=start,
                            end_date=end)
    db.session.commit()
    assert [e.id for e, _days in clashes(gathering)] == ([event.id] if warned else [])
    # The gathering's page and the events page say so, or keep quiet.
    login(_english(client), host.email)
    for url in (f"/gatherings/{gathering.id}", f"/gatherings/{gathering.id}/events"):
        page = client.get(url).get_data(as_text=True)
        assert ("Check the dates" in page) is warned, url


def test_days_apart_are_reported(db, host, gathering):
    before = add_other_event(gathering, host, title="Før", start_date=date(2027, 2, 28),
                             end_date=date(2027, 3, 1))
    same = add_other_event(gathering, host, title="Samme", start_date=date(2027, 3, 11),
                           end_date=date(2027, 3, 11))
    db.session.commit()
    assert [(e.id, days) for e, days in clashes(gathering)] == [(same.id, 0), (before.id, 9)]


# --- bad input ---------------------------------------------------------------------------------

def _field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">([^<]*)</p>', page)
    assert match, f"no error beside {field_id}"
    return match.group(1)


@pytest.mark.parametrize("data,field,message", [
    ({"title": "Konferanse", "start_date": "2027-03-05", "end_date": "2027-03-04"}, "end_date",
     "The event cannot end before it starts."),
    ({"title": "  ", "start_date": "2027-03-05", "end_date": "2027-03-05"}, "title",
     "Enter the event's name."),
    ({"title": "Konferanse", "start_date": "", "end_date": "2027-03-05"}, "start_date",
     "Enter the first day of the event."),
    ({"title": "Konferanse", "start_date": "5. mars", "end_date": "2027-03-05"}, "start_date",
     ""),
])
def test_bad_typed_input_is_shown_beside_the_field_and_saves_nothing(
        db, client, host, gathering, data, field, message):
    login(_english(client), host.email)
    response = post_form(client, f"/gatherings/{gathering.id}/events", {"form": "add", **data})
    assert response.status_code == 422
    error = _field_error(response.get_data(as_text=True), field)
    assert message in error and error.strip()
    assert _count(db, gathering) == 0


def test_the_same_event_twice_is_refused(db, client, host, gathering):
    login(_english(client), host.email)
    data = {"form": "add", "title": "IMDi-konferansen", "start_date": "2027-03-01",
            "end_date": "2027-03-02"}
    assert post_form(client, f"/gatherings/{gathering.id}/events", data).status_code == 302
    response = post_form(client, f"/gatherings/{gathering.id}/events", data)
    assert response.status_code == 422
    assert "already in the list" in _field_error(response.get_data(as_text=True), "title")
    assert _count(db, gathering) == 1


@pytest.mark.parametrize("data,filename,message", [
    (b"%PDF-1.4 a programme", "programme.pdf", "ending in .ics"),
    (b"not a calendar at all", "events.ics", "This is not a calendar file"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "empty.ics", "holds no events"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Broken\r\nDTSTART:2027-13-45\r\n"
     b"END:VEVENT\r\nEND:VCALENDAR\r\n", "broken.ics", "“Broken”"),
    (b"", "empty.ics", "The file is empty."),
    (b"", "", "Choose a calendar file."),
])
def test_bad_upload_is_refused_beside_the_field_and_saves_nothing(
        db, client, host, gathering, data, filename, message):
    import_other_events(gathering, host, FILE)
    db.session.commit()
    login(_english(client), host.email)
    response = _upload(client, gathering, data, filename)
    assert response.status_code == 422
    assert message in _field_error(response.get_data(as_text=True), "file")
    assert _count(db, gathering) == 2


def test_a_broken_event_in_a_file_saves_none_of_it(db, host, gathering):
    from eventapp.core.errors import ValidationFailed

    broken = _ics(_vevent("ok@x", "Fin", "20270301", "20270302"),
                  "BEGIN:VEVENT\r\nUID:bad@x\r\nSUMMARY:Uten dato\r\nEND:VEVENT\r\n")
    with pytest.raises(ValidationFailed) as caught:
        import_other_events(gathering, host, broken)
    assert "file" in caught.value.fields
    db.session.rollback()
    assert _count(db, gathering) == 0


def test_titles_are_escaped(db, client, host, gathering):
    add_other_event(gathering, host, title="<script>alert(1)</script>",
                    start_date=date(2027, 3, 1), end_date=date(2027, 3, 1))
    db.session.commit()
    login(client, host.email)
    page = client.get(f"/gatherings/{gathering.id}/events").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


# --- scope -------------------------------------------------------------------------------------

def test_another_countys_host_cannot_see_add_or_delete(db, client, host, make_user, gathering):
    event = add_other_event(gathering, host, title="IMDi-konferansen",
                            start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))
    db.session.commit()
    outsider = make_user("county_host", county="11")
    login(client, outsider.email)
    base = f"/gatherings/{gathering.id}/events"
    assert client.get(base).status_code == 404
    token = get_csrf(client, "/gatherings/")
    response = client.post(base, data={"form": "add", "title": "Inntrenger",
                                       "start_date": "2027-03-01", "end_date": "2027-03-01",
                                       "csrf_token": token})
    assert response.status_code == 404
    response = client.post(f"{base}/{event.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert [e.title for e in db.session.scalars(select(OtherEvent))] == ["IMDi-konferansen"]


def test_counsellor_of_the_county_reads_but_does_not_change(db, client, host, make_user,
                                                             gathering):
    event = add_other_event(gathering, host, title="IMDi-konferansen",
                            start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))
    db.session.commit()
    counsellor = make_user("counsellor", county="46")
    login(client, counsellor.email)
    base = f"/gatherings/{gathering.id}/events"
    page = client.get(base)
    assert page.status_code == 200 and "IMDi-konferansen" in page.get_data(as_text=True)
    assert 'name="form" value="add"' not in page.get_data(as_text=True)
    token = get_csrf(client, base)
    assert client.post(base, data={"form": "add", "title": "X", "start_date": "2027-03-01",
                                   "end_date": "2027-03-01", "csrf_token": token}).status_code == 403
    assert client.post(f"{base}/{event.id}/delete",
                       data={"csrf_token": token}).status_code == 403
    assert _count(db, gathering) == 1


def test_host_deletes_an_event(db, client, host, make_gathering, gathering):
    event = add_other_event(gathering, host, title="IMDi-konferansen",
                            start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))
    autumn = make_gathering(county="46", title="Haustsamlinga", start=date(2027, 10, 5),
                            end=date(2027, 10, 6))
    elsewhere = add_other_event(autumn, host, title="Haustkonferansen",
                                start_date=date(2027, 10, 1), end_date=date(2027, 10, 1))
    db.session.commit()
    event_id, elsewhere_id = event.id, elsewhere.id
    login(client, host.email)
    base = f"/gatherings/{gathering.id}/events"
    response = post_form(client, f"{base}/{event_id}/delete", {}, page=base)
    assert response.status_code == 302
    assert _count(db, gathering) == 0
    # Gone is gone, and another gathering's event cannot be deleted through this one.
    assert post_form(client, f"{base}/{event_id}/delete", {}, page=base).status_code == 404
    assert post_form(client, f"{base}/{elsewhere_id}/delete", {}, page=base).status_code == 404
    assert _count(db, autumn) == 1


# --- gatherings on the same days ----------------------------------------------------------------

def test_overlapping_gatherings_clash_and_drafts_stay_private(db, host, make_user, make_gathering,
                                                                gathering):
    other_host = make_user("county_host", county="11")
    rogaland = make_gathering(county="11", title="Rogalandssamlingen", start=date(2027, 3, 11),
                              end=date(2027, 3, 12))
    agder = make_gathering(county="42", title="Agdersamlingen", start=date(2027, 3, 9),
                           end=date(2027, 3, 10))
    make_gathering(county="03", title="Oslosamlingen", start=date(2027, 3, 12),
                   end=date(2027, 3, 13))
    change_status(rogaland, other_host, "open")
    db.session.commit()
    assert [g.id for g in gathering_clashes(gathering)] == [agder.id, rogaland.id]
    # A county host hears of other counties' published gatherings, not of their drafts.
    assert [g.id for g in gathering_clashes(gathering, viewer=host)] == [rogaland.id]
    directorate = make_user("directorate", county=None)
    assert [g.id for g in gathering_clashes(gathering, viewer=directorate)] == [agder.id,
                                                                                rogaland.id]


# --- the national calendar ---------------------------------------------------------------------

@pytest.fixture
def year_of_gatherings(db, make_gathering, gathering):
    """Vestland 10–11 March and Rogaland 11–12 March overlap; Oslo in May does not, but has
    an event within two weeks; Agder is next year."""
    rogaland = make_gathering(county="11", title="Rogalandssamlingen", start=date(2027, 3, 11),
                              end=date(2027, 3, 12))
    oslo = make_gathering(county="03", title="Oslosamlingen", start=date(2027, 5, 4),
                          end=date(2027, 5, 5))
    agder = make_gathering(county="42", title="Agdersamlingen", start=date(2028, 3, 1),
                           end=date(2028, 3, 2))
    db.session.add(OtherEvent(gathering_id=oslo.id, title="Fagdag i NAV",
                              start_date=date(2027, 5, 12), end_date=date(2027, 5, 12)))
    db.session.commit()
    return {"vestland": gathering, "rogaland": rogaland, "oslo": oslo, "agder": agder}


def _row(page: str, gathering_id: int) -> str:
    match = re.search(rf'<tr id="gathering-{gathering_id}"[^>]*>.*?</tr>', page, re.S)
    assert match, f"gathering {gathering_id} is not listed"
    return match.group(0)


def test_national_calendar_lists_all_counties_and_marks_clashes(db, client, make_user,
                                                                 year_of_gatherings):
    g = year_of_gatherings
    directorate = make_user("directorate", county=None)
    login(_english(client), directorate.email)
    response = client.get("/gatherings/national-calendar?year=2027")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("Vestland", "Rogaland", "Oslo"):
        assert name in page
    assert "Agdersamlingen" not in page
    vestland, rogaland, oslo = (_row(page, g[k].id) for k in ("vestland", "rogaland", "oslo"))
    assert 'class="clash-row"' in vestland and "Rogalandssamlingen" in vestland
    assert 'class="clash-row"' in rogaland and "Vestlandssamlinga" in rogaland
    assert 'class="clash-row"' in oslo and "Fagdag i NAV" in oslo and "7 days after" in oslo
    assert "Same days as" not in oslo
    # In date order.
    assert page.index("Vestlandssamlinga") < page.index("Oslosamlingen")
    page_2028 = client.get("/gatherings/national-calendar?year=2028").get_data(as_text=True)
    assert "Agdersamlingen" in page_2028 and "Vestlandssamlinga" not in page_2028
    assert 'class="clash-row"' not in _row(page_2028, g["agder"].id)


def test_national_calendar_is_for_the_directorate_only(db, client, host, make_user,
                                                       year_of_gatherings):
    login(client, host.email)
    assert client.get("/gatherings/national-calendar").status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get("/gatherings/national-calendar").status_code == 302


def test_national_calendar_with_a_bad_year_says_so(db, client, make_user):
    directorate = make_user("directorate", county=None)
    login(_english(client), directorate.email)
    response = client.get("/gatherings/national-calendar?year=next")
    assert response.status_code == 422
    assert "is not a year" in response.get_data(as_text=True)


def test_a_file_too_large_is_refused(db, host, gathering):
    from eventapp.core.errors import ValidationFailed
    from eventapp.gatherings.services import MAX_ICS_BYTES

    padding = "X-FILLER:" + "x" * 60 + "\r\n"
    big = _ics(_vevent("a@x", "Stor", "20270301", "20270302",
                       padding * (MAX_ICS_BYTES // len(padding) + 1)))
    with pytest.raises(ValidationFailed) as caught:
        import_other_events(gathering, host, big)
    assert caught.value.fields["file"]
    assert _count(db, gathering) == 0
