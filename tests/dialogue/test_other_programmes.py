"""Other counties' published programmes: read only, without anything about who registered, and
an item copied into one of the host's own gatherings still to come through the programme's
own rules; refusals name the field and save nothing."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from eventapp.core.time import OSLO
from eventapp.gatherings.models import ProgrammeChange, ProgrammeItem, ProgrammeTopic
from tests.conftest import csrf_from
from tests.dialogue.conftest import add_programme_item
from tests.grants.conftest import add_person


@pytest.fixture
def rogaland(db, people, make_gathering, make_user):
    """Rogaland's open gathering with a programme (a 90-minute talk with a speaker and topics)
    and two registrations; and a draft of theirs nobody else may read."""
    host = people["outsider"]
    g = make_gathering(county="11", title="Rogalandssamlingen", start=date(2027, 4, 20),
                       end=date(2027, 4, 21))
    g.status = "open"
    db.session.add(ProgrammeTopic(code="refugee_groups", name="Flyktninggrupper", position=1))
    db.session.add(ProgrammeTopic(code="retired", name="Utgått", position=2))
    db.session.commit()
    talk = add_programme_item(db, g, host, "Hvem kommer nå?", start=time(10, 0),
                              end=time(11, 30), question_minutes=15,
                              speakers=[("Kari Nordmann", "IMDi Vest", "imdi")],
                              topics=["refugee_groups", "retired"])
    add_person(db, g, name="Registrert Rolf", email="rolf.registrert@example.no", unit=None,
               kind="county")
    add_person(db, g, name="Påmeldt Petra", email="petra.pameldt@example.no", unit=None,
               kind="county")
    # The topic is deactivated after the item got it: copies do not take it.
    retired = db.session.scalars(select(ProgrammeTopic).where(
        ProgrammeTopic.code == "retired")).one()
    retired.active = False
    db.session.commit()
    draft = make_gathering(county="11", title="Rogalands utkast", start=date(2027, 10, 1),
                           end=date(2027, 10, 2))
    return {"gathering": g, "talk": talk, "draft": draft}


@pytest.fixture
def own(db, people, make_gathering):
    """Vestland's gathering still to come (open), with a morning item in the main room."""
    g = make_gathering(county="46", title="Høstsamlinga", start=date(2027, 9, 14),
                       end=date(2027, 9, 15))
    g.status = "open"
    db.session.commit()
    add_programme_item(db, g, people["host"], "Velkommen", day=1, start=time(9, 0),
                       end=time(9, 30))
    return g


def _copy(client, source, item, **data):
    page = f"/programmes/other-counties/{source.id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    fields = {f"item{item.id}-{name}": value for name, value in data.items()}
    return client.post(f"{page}/items/{item.id}/copy", data={**fields, "csrf_token": token})


def _items(db, gathering) -> int:
    return db.session.scalar(select(func.count(ProgrammeItem.id)).where(
        ProgrammeItem.gathering_id == gathering.id))


def test_the_list_has_other_counties_published_programmes_only(db, people, as_user, rogaland,
                                                               own):
    html = as_user(people["host"]).get("/programmes/other-counties").get_data(as_text=True)
    assert "Rogalandssamlingen" in html
    assert "Rogalands utkast" not in html  # a draft
    assert "Høstsamlinga" not in html  # the host's own county
    assert "Vestlandssamlinga" not in html


def test_a_programme_reads_without_personal_data(db, people, as_user, rogaland, own):
    client = as_user(people["host"])
    response = client.get(f"/programmes/other-counties/{rogaland['gathering'].id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hvem kommer nå?" in html and "Kari Nordmann" in html
    for private in ("Registrert Rolf", "rolf.registrert@example.no", "Påmeldt Petra",
                    "petra.pameldt@example.no", "@example.no"):
        assert private not in html
    # Another county's draft and the host's own county are not on this page.
    assert client.get(f"/programmes/other-counties/{rogaland['draft'].id}").status_code == 404
    assert client.get(f"/programmes/other-counties/{own.id}").status_code == 404


def test_only_hosts_browse(db, people, as_user, rogaland):
    for who in ("counsellor", "contact", "directorate"):
        assert as_user(people[who]).get(
            f"/programmes/other-counties/{rogaland['gathering'].id}").status_code == 403


def test_an_item_is_copied_on_the_day_and_time_chosen(db, people, as_user, rogaland, own):
    talk = rogaland["talk"]
    response = _copy(as_user(people["host"]), rogaland["gathering"], talk, target=own.id,
                     day=2, start="13:15", room="Sal B")
    assert response.status_code == 302
    copy = db.session.scalars(select(ProgrammeItem).where(
        ProgrammeItem.gathering_id == own.id, ProgrammeItem.title == "Hvem kommer nå?")).one()
    # Day 2 of the target is 15 September 2027; 90 minutes as the original.
    assert copy.starts_at.astimezone(OSLO) == datetime(2027, 9, 15, 13, 15, tzinfo=OSLO)
    assert copy.ends_at.astimezone(OSLO) == datetime(2027, 9, 15, 14, 45, tzinfo=OSLO)
    assert (copy.kind, copy.room, copy.question_minutes) == ("talk", "Sal B", 15)
    assert [(s.name, s.organisation, s.organisation_kind) for s in copy.speakers] == [
        ("Kari Nordmann", "IMDi Vest", "imdi")]
    assert [t.code for t in copy.topics] == ["refugee_groups"]
    assert db.session.scalar(select(func.count(ProgrammeChange.id)).where(
        ProgrammeChange.gathering_id == own.id, ProgrammeChange.item_id == copy.id,
        ProgrammeChange.action == "created")) == 1
    # The original is untouched.
    db.session.refresh(talk)
    assert talk.gathering_id == rogaland["gathering"].id


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"day": 1, "start": "23:00"}, "start", "would end after midnight"),
    ({"day": 1, "start": ""}, "start", "Enter when it starts."),
    ({"day": 1, "start": "25:61"}, "start", ""),
    ({"day": 3, "start": "10:00"}, "day", "Choose one of the days"),
    # The main room holds «Velkommen» 09:00–09:30 on day 1.
    ({"day": 1, "start": "08:30"}, "start", "overlaps"),
])
def test_bad_times_are_refused_beside_the_field(db, people, as_user, rogaland, own, data,
                                                field, message):
    before = _items(db, own)
    response = _copy(as_user(people["host"]), rogaland["gathering"], rogaland["talk"],
                     target=own.id, **data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    talk_id = rogaland["talk"].id
    assert f'id="item{talk_id}-{field}-error"' in html
    assert message in html
    assert _items(db, own) == before


def test_a_target_in_another_county_or_held_is_refused(db, people, as_user, rogaland, own,
                                                       make_gathering):
    client = as_user(people["host"])
    nordland = make_gathering(county="18", title="Nordlandssamlinga", start=date(2027, 9, 1),
                              end=date(2027, 9, 2))
    held = people["gathering"]  # Vestland's, held in March
    for target, message in ((nordland, "Choose one of your county&#39;s gatherings."),
                            (rogaland["gathering"], "Choose one of your county&#39;s gatherings."),
                            (held, "has been held")):
        before = _items(db, target)
        response = _copy(client, rogaland["gathering"], rogaland["talk"], target=target.id,
                         day=1, start="13:00")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert f'id="item{rogaland["talk"].id}-target-error"' in html
        assert message in html
        assert _items(db, target) == before
    # The select offers only the host's own gatherings still to come.
    html = client.get(f"/programmes/other-counties/{rogaland['gathering'].id}").get_data(
        as_text=True)
    assert f'<option value="{own.id}"' in html
    assert f'<option value="{held.id}"' not in html
    assert f'<option value="{nordland.id}"' not in html


def test_only_a_host_copies(db, people, as_user, rogaland, own):
    before = _items(db, own)
    for who in ("counsellor", "directorate"):
        client = as_user(people[who])
        token = csrf_from(client.get("/gatherings/").get_data(as_text=True))
        talk = rogaland["talk"]
        response = client.post(
            f"/programmes/other-counties/{rogaland['gathering'].id}/items/{talk.id}/copy",
            data={f"item{talk.id}-target": own.id, f"item{talk.id}-day": 1,
                  f"item{talk.id}-start": "13:00", "csrf_token": token})
        assert response.status_code == 403
    assert _items(db, own) == before
