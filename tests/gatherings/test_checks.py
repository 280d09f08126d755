"""Programme checks: each rule passing and failing on plain data (no database), then the service,
the checklist page and getProgrammeChecks on a real gathering, and the demo's programme."""

from dataclasses import replace
from datetime import time

import jsonschema
import pytest
from markupsafe import escape

from eventapp.gatherings.checks import CODES, Item, Programme, Speaker, english, run_checks
from tests.conftest import login

# --- pure checks ---------------------------------------------------------------------------------


def _t(text: str) -> time:
    return time.fromisoformat(text)


def item(id, day, start, end, kind, title=None, room="Salen", q=0, speakers=(), small=False,
         topics=()):
    return Item(id=id, day=day, start=_t(start), end=_t(end), kind=kind, title=title or f"{kind} {id}",
                room=room, question_minutes=q,
                speakers=tuple(Speaker(f"Person {i}", org, k) for i, (org, k) in enumerate(speakers)),
                linked_to_small_municipality=small, topics=tuple(topics))


HKDIR = ("HK-dir", "directorate")
BERGEN = ("Bergen kommune", "municipality")
SOLUND = ("Solund kommune", "municipality")
NAV = ("NAV Vestland", "nav")
VOX = ("Bergen voksenopplæring", "adult_education")
REFUGEE = ("", "refugee_background")
IMDI = ("IMDi Vest", "imdi")
FAFO = ("Fafo", "research")

GOOD_ITEMS = (
    item(11, 1, "09:30", "10:00", "icebreaker", "Bli kjent"),
    item(1, 1, "10:00", "10:45", "talk", "Rammene", q=10, speakers=[HKDIR],
         topics=["legal_framework"]),
    item(2, 1, "10:45", "11:00", "break", "Pause"),
    item(3, 1, "11:00", "12:00", "group_work", "Gruppearbeid 1", topics=["county_municipality"]),
    item(4, 1, "12:00", "12:45", "meal", "Lunsj", room="Restauranten"),
    item(5, 1, "13:00", "13:40", "experience_sharing", "Erfaringer fra Bergen", speakers=[BERGEN]),
    item(6, 1, "13:40", "14:20", "experience_sharing", "Erfaringer fra Solund", speakers=[SOLUND]),
    item(12, 1, "14:30", "15:10", "talk", "Hvem er flyktningene nå?", q=10, speakers=[FAFO],
         topics=["refugee_groups"]),
    item(7, 1, "19:00", "22:00", "social_dinner", "Middag", room="Restauranten"),
    item(8, 2, "09:00", "09:40", "talk", "Tiltak og kurs", q=5, speakers=[NAV, VOX]),
    item(13, 2, "09:45", "10:25", "talk", "Kartlegging og notatet", q=5, speakers=[IMDI],
         topics=["competence_mapping"]),
    item(9, 2, "10:30", "11:30", "group_work", "Gruppearbeid 2", topics=["county_municipality"]),
    item(10, 2, "11:30", "12:00", "panel", "Å komme som flyktning", speakers=[REFUGEE],
         topics=["refugee_groups", "user_involvement"]),
)
GOOD = Programme(days=2, items=GOOD_ITEMS, committee_size=3, municipal_members=1,
                 small_municipalities=("Solund",))


def by_code(programme: Programme) -> dict:
    return {c.code: c for c in run_checks(programme)}


def without(programme: Programme, *ids) -> Programme:
    return replace(programme, items=tuple(i for i in programme.items if i.id not in ids))


def changed(programme: Programme, id, **fields) -> Programme:
    return replace(programme, items=tuple(replace(i, **fields) if i.id == id else i
                                          for i in programme.items))


def added(programme: Programme, *items) -> Programme:
    return replace(programme, items=programme.items + items)


def test_the_good_programme_passes_every_check_in_a_fixed_order():
    checks = run_checks(GOOD)
    assert [c.code for c in checks] == list(CODES)
    assert [c.code for c in checks if not c.ok] == []
    assert all(c.label and c.message for c in checks)


# For each check: a programme where it fails (built from the good one), and what the message says.
FAILING = {
    "directorate_framework": (without(GOOD, 1), "No talk or panel has a speaker from the directorate"),
    "municipal_experience": (without(GOOD, 5, 6), "No municipality shares its experience"),
    "small_municipality": (replace(without(GOOD, 6), small_municipalities=()),
                           "None of the municipalities sharing experience is known to be small"),
    "refugee_background_voice": (without(GOOD, 10), "Nobody with refugee background speaks"),
    "social_dinner_day_one": (without(GOOD, 7), "There is no social dinner"),
    "group_work_both_days": (without(GOOD, 9), "There is no group work on day 2"),
    "questions_after_talks": (changed(GOOD, 8, question_minutes=0),
                              "No time for questions or discussion after “Tiltak og kurs”"),
    "nav_or_adult_education": (changed(GOOD, 8, speakers=()), "Neither NAV nor adult education"),
    "municipal_committee_member": (replace(GOOD, municipal_members=0),
                                   "No member of the committee works in a municipality"),
    "refugee_groups": (changed(changed(GOOD, 12, topics=()), 10, topics=("user_involvement",)),
                       "No item has the topic “refugee_groups”"),
    "imdi_competence_mapping": (changed(GOOD, 13, speakers=()),
                                "“Kartlegging og notatet” has the topic “competence_mapping”, but "
                                "no speaker from IMDi"),
    "icebreaker_day_one": (without(GOOD, 11), "There is no icebreaker"),
    "overview_then_depth": (changed(changed(GOOD, 9, topics=()), 10, topics=()),
                            "Day two does not go deeper into day one's topics"),
}
# Failing one check can fail another with it, and the messages say why.
ALONG = {
    # With no municipality sharing experience, no small one does either.
    "municipal_experience": ["small_municipality"],
    # Without the directorate's talk day one has no overview either.
    "directorate_framework": ["overview_then_depth"],
}


def test_every_check_has_a_failing_case():
    assert set(FAILING) == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_each_check_fails_alone_with_a_specific_message(code):
    programme, message = FAILING[code]
    checks = by_code(programme)
    failing = [c.code for c in checks.values() if not c.ok]
    assert failing == [code, *ALONG.get(code, [])]
    assert message in checks[code].message
    assert checks[code].fix


@pytest.mark.parametrize("code", CODES)
def test_each_check_passes_on_the_good_programme(code):
    assert by_code(GOOD)[code].ok


def test_directorate_must_give_a_talk_or_panel():
    only_in_group_work = changed(GOOD, 1, kind="group_work")
    check = by_code(only_in_group_work)["directorate_framework"]
    assert not check.ok and "“Rammene”" in check.message and check.fix == "item:1"
    as_panel = changed(GOOD, 1, kind="panel")
    assert by_code(as_panel)["directorate_framework"].ok


def test_experience_sharing_needs_a_municipal_speaker():
    programme = changed(without(GOOD, 6), 5, speakers=(Speaker("K", "Karriere Vestland",
                                                                "career_centre"),))
    check = by_code(programme)["municipal_experience"]
    assert not check.ok and check.fix == "item:5" and "“Erfaringer fra Bergen”" in check.message
    # A talk with a municipal speaker counts too.
    talk = added(without(GOOD, 5, 6), item(20, 2, "11:00", "11:30", "talk", "Fra Bergen", q=5,
                                           speakers=[BERGEN]))
    assert by_code(talk)["municipal_experience"].ok


def test_small_municipality_by_name_in_its_input_or_by_a_linked_input():
    bergen_only = without(GOOD, 6)
    assert not by_code(bergen_only)["small_municipality"].ok
    # Solund said it is small, but does not share experience: the message says so and points to input.
    check = by_code(bergen_only)["small_municipality"]
    assert "Solund" in check.message and check.fix == "inputs"
    # The item linked to a small municipality's input counts, whatever the organisation says.
    linked = changed(bergen_only, 5, linked_to_small_municipality=True)
    assert by_code(linked)["small_municipality"].ok
    # Names match whole words without case: "SOLUND KOMMUNE" does, "Solundvegen skole" does not.
    shouting = changed(bergen_only, 5, speakers=(Speaker("S", "SOLUND KOMMUNE", "municipality"),))
    assert by_code(shouting)["small_municipality"].ok
    street = changed(bergen_only, 5, speakers=(Speaker("S", "Solundvegen kommune", "municipality"),))
    assert not by_code(street)["small_municipality"].ok
    # Only municipal speakers count: a researcher from "Solund" is not the municipality sharing.
    researcher = changed(bergen_only, 5, speakers=(Speaker("B", "Bergen kommune", "municipality"),
                                                    Speaker("S", "Solund forsking", "research")))
    assert not by_code(researcher)["small_municipality"].ok


def test_small_municipality_with_several_name_forms():
    programme = replace(changed(without(GOOD, 6), 5, speakers=(
        Speaker("K", "Gáivuotna suohkan", "municipality"),)),
        small_municipalities=("Kåfjord - Gáivuotna - Kaivuono",))
    assert by_code(programme)["small_municipality"].ok


def test_no_small_input_at_all_points_to_the_programme():
    check = by_code(replace(without(GOOD, 6), small_municipalities=()))["small_municipality"]
    assert not check.ok and check.fix == "programme"


def test_refugee_background_at_the_dinner_does_not_count_as_speaking():
    programme = changed(without(GOOD, 10), 7, speakers=(Speaker("R", "", "refugee_background"),))
    assert not by_code(programme)["refugee_background_voice"].ok


@pytest.mark.parametrize("day,start,ok,says", [
    (1, "17:00", True, "starts at 17:00 on day 1"),
    (1, "19:00", True, "starts at 19:00 on day 1"),
    (1, "16:30", False, "starts at 16:30. Move it to the evening of day one"),
    (2, "19:00", False, "is on day 2. Move it to the evening of day one"),
])
def test_the_dinner_is_on_the_evening_of_day_one(day, start, ok, says):
    programme = changed(GOOD, 7, day=day, start=_t(start), end=_t("23:00"))
    check = by_code(programme)["social_dinner_day_one"]
    assert check.ok is ok and says in check.message
    assert check.fix == (None if ok else "item:7")


def test_a_meal_is_not_a_social_dinner():
    programme = changed(GOOD, 7, kind="meal")
    assert not by_code(programme)["social_dinner_day_one"].ok


def test_group_work_on_day_one_only_fails():
    check = by_code(without(GOOD, 9))["group_work_both_days"]
    assert not check.ok and "day 2" in check.message
    assert not by_code(without(GOOD, 3, 9))["group_work_both_days"].ok


ONE_DAY = Programme(days=1, committee_size=1, municipal_members=1, items=(
    item(1, 1, "09:00", "09:45", "talk", "Innledning", q=10),
    item(2, 1, "10:00", "11:00", "group_work", "Gruppe A"),
    item(3, 1, "11:00", "11:15", "break", "Pause"),
    item(4, 1, "11:15", "12:00", "group_work", "Gruppe B"),
    item(5, 1, "12:00", "12:45", "talk", "Etterpå", q=10),
))


def test_one_day_with_group_work_in_one_block_fails():
    # A break does not split a block of group work.
    check = by_code(ONE_DAY)["group_work_both_days"]
    assert not check.ok and "one block" in check.message and "“Gruppe A”, “Gruppe B”" in check.message
    assert check.fix == "item:2"
    assert check.label == "Group work in more than one session"


def test_one_day_with_group_work_split_by_a_talk_passes():
    programme = changed(ONE_DAY, 4, start=_t("13:00"), end=_t("14:00"))  # after the talk at 12:00
    check = by_code(programme)["group_work_both_days"]
    assert check.ok and "2 sessions" in check.message


def test_talk_followed_by_discussion_within_15_minutes_in_the_same_room():
    talk = item(30, 2, "11:00", "11:40", "talk", "Forskning")
    after = {
        "plenary right after": (item(31, 2, "11:40", "12:00", "plenary_discussion"), True),
        "panel after 15 min": (item(31, 2, "11:55", "12:30", "panel"), True),
        "group work after 5 min": (item(31, 2, "11:45", "12:30", "group_work"), True),
        "plenary after 20 min": (item(31, 2, "12:00", "12:30", "plenary_discussion"), False),
        "plenary in another room": (item(31, 2, "11:40", "12:00", "plenary_discussion",
                                         room="Rom 2"), False),
        "a break first": (item(31, 2, "11:40", "11:55", "break"), False),
        "nothing after": (None, False),
    }
    for name, (following, ok) in after.items():
        extra = (talk,) if following is None else (talk, following)
        if following is not None and following.kind == "break":
            extra += (item(32, 2, "11:55", "12:30", "plenary_discussion"),)
        check = by_code(added(GOOD, *extra))["questions_after_talks"]
        assert check.ok is ok, name
        if not ok:
            assert "“Forskning”" in check.message and check.fix == "item:30", name


def test_talks_without_questions_are_all_named():
    programme = changed(changed(GOOD, 1, question_minutes=0), 8, question_minutes=0)
    check = by_code(programme)["questions_after_talks"]
    assert not check.ok and "“Rammene”, “Tiltak og kurs”" in check.message
    assert check.fix == "programme" and [i.id for i in check.items] == [1, 8]


def test_no_talks_is_nothing_to_complain_about():
    programme = without(GOOD, 1, 8)
    assert by_code(programme)["questions_after_talks"].ok


@pytest.mark.parametrize("kinds,ok", [(("nav",), True), (("adult_education",), True),
                                      (("imdi", "county"), False)])
def test_nav_or_adult_education(kinds, ok):
    programme = changed(GOOD, 8, speakers=tuple(Speaker("P", "", k) for k in kinds))
    assert by_code(programme)["nav_or_adult_education"].ok is ok


def test_committee_without_members_says_so():
    check = by_code(replace(GOOD, committee_size=0, municipal_members=0))["municipal_committee_member"]
    assert not check.ok and "no members yet" in check.message and check.fix == "committee"


def test_messages_go_through_the_given_gettext():
    seen = []

    def gettext(msgid, **params):
        seen.append(msgid)
        return "NB:" + english(msgid, **params)

    checks = run_checks(GOOD, gettext)
    assert all(c.label.startswith("NB:") and c.message.startswith("NB:") for c in checks)
    assert "“%(title)s”" in seen  # even the quotation marks are the language's


# --- with the database ---------------------------------------------------------------------------

def _add(gathering, actor, day, start, end, kind, title, q=0, speakers=()):
    from eventapp.gatherings.services import ItemData, SpeakerData, add_item

    return add_item(gathering, actor, ItemData(
        day=day, start=_t(start), end=_t(end), kind=kind, title=title, question_minutes=q,
        speakers=[SpeakerData(n, o, k) for n, o, k in speakers]))


@pytest.fixture
def planned(db, make_user, make_gathering):
    """A Vestland gathering with a few items, its host and a municipal contact of Vestland."""
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46")
    _add(gathering, host, 1, "10:00", "10:45", "talk", "HK-dir om rammene", q=10,
         speakers=[("Eirik", "HK-dir", "directorate")])
    _add(gathering, host, 1, "11:00", "12:00", "group_work", "Gruppearbeid")
    _add(gathering, host, 2, "09:00", "09:45", "talk", "NAV om tiltak",
         speakers=[("Jon", "NAV Vestland", "nav")])
    db.session.commit()
    contact = make_user("municipal_contact", county="46", municipality="4601")
    return gathering, host, contact


def _token(db, user):
    from eventapp.api.services import create_token

    _record, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_the_checks_never_block_a_change(db, planned):
    from eventapp.gatherings.models import ProgrammeItem
    from eventapp.gatherings.services import programme_checks

    gathering, host, _contact = planned
    item = _add(gathering, host, 2, "13:00", "13:30", "talk", "Uten spørsmål")
    db.session.commit()
    assert db.session.get(ProgrammeItem, item.id).title == "Uten spørsmål"
    check = next(c for c in programme_checks(gathering) if c.code == "questions_after_talks")
    assert not check.ok and "«NAV om tiltak», «Uten spørsmål»" in check.message


def test_the_service_reads_the_gathering(db, planned):
    from eventapp.gatherings.services import add_committee_member, cancel_item, programme_checks

    gathering, host, contact = planned
    checks = {c.code: c for c in programme_checks(gathering)}
    assert checks["directorate_framework"].ok and checks["nav_or_adult_education"].ok
    assert not checks["municipal_committee_member"].ok
    assert not checks["group_work_both_days"].ok  # only on day 1

    add_committee_member(gathering, host, email=contact.email)
    nav = next(i for i in gathering.active_items if i.title == "NAV om tiltak")
    cancel_item(nav, host)  # a cancelled item no longer counts
    db.session.commit()
    checks = {c.code: c for c in programme_checks(gathering)}
    assert checks["municipal_committee_member"].ok
    assert not checks["nav_or_adult_education"].ok


def test_a_small_municipality_known_from_its_linked_input(db, planned, places):
    from eventapp.gatherings.services import programme_checks, review_input, submit_input

    gathering, host, _contact = planned
    sharing = _add(gathering, host, 2, "10:00", "10:30", "experience_sharing", "Fra en liten kommune",
                   speakers=[("Marit", "Kommunen vår", "municipality")])
    given = submit_input(gathering, municipality=places.unit("4636"), topics="Avstand", small=True)
    db.session.commit()
    check = next(c for c in programme_checks(gathering) if c.code == "small_municipality")
    assert not check.ok and "Solund" in check.message and check.fix == "inputs"

    review_input(given, host, "adopted", "", [sharing])
    db.session.commit()
    check = next(c for c in programme_checks(gathering) if c.code == "small_municipality")
    assert check.ok and "«Fra en liten kommune»" in check.message


def test_the_api_says_what_the_page_says(db, client, planned):
    from eventapp.api.spec import OPERATIONS

    gathering, host, _contact = planned
    client.set_cookie("lang", "en")
    api = client.get(f"/api/v1/gatherings/{gathering.id}/programme/checks", headers=_token(db, host))
    assert api.status_code == 200
    body = api.get_json()
    op = next(o for o in OPERATIONS if o.operation_id == "getProgrammeChecks")
    jsonschema.validate(body, op.response)
    assert op.response["items"]["properties"]["code"]["enum"] == list(CODES)
    assert [c["code"] for c in body] == list(CODES)
    assert {c["code"] for c in body if not c["ok"]} >= {"municipal_committee_member",
                                                         "refugee_background_voice"}
    committee = next(c for c in body if c["code"] == "municipal_committee_member")
    assert committee["fix_url"].startswith("http") and "/gatherings/" in committee["fix_url"]
    assert all(c["fix_url"] is None for c in body if c["ok"])

    login(client, host.email)
    page = client.get(f"/gatherings/{gathering.id}/checks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for check in body:
        ok = "true" if check["ok"] else "false"
        assert f'data-check="{check["code"]}" data-ok="{ok}"' in html
        assert str(escape(check["message"])) in html
    passed = sum(c["ok"] for c in body)
    assert f"{passed} of {len(body)} checks pass." in html


def test_the_page_links_editors_to_where_to_fix(db, client, planned, app):
    from flask import url_for

    gathering, host, contact = planned
    lacking = next(i for i in gathering.active_items if i.title == "NAV om tiltak")
    with app.test_request_context():
        if "gatherings.edit_item" in app.view_functions:
            edit = url_for("gatherings.edit_item", gathering_id=gathering.id, item_id=lacking.id)
        else:
            edit = url_for("gatherings.show", gathering_id=gathering.id)
    client.set_cookie("lang", "en")
    login(client, host.email)
    html = client.get(f"/gatherings/{gathering.id}/checks").get_data(as_text=True)
    assert f'href="{edit}' in html and "Edit “NAV om tiltak”" in html
    assert 'class="checklist-fix"' in html

    # A municipal contact of the county may read the checklist, but gets no links to edit.
    client.delete_cookie("session")
    login(client, contact.email)
    page = client.get(f"/gatherings/{gathering.id}/checks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert contact.name in html and 'data-check="questions_after_talks" data-ok="false"' in html
    assert 'class="checklist-fix"' not in html


def test_another_countys_host_gets_404(db, client, planned, make_user):
    gathering, _host, _contact = planned
    other = make_user("county_host", county="11")
    response = client.get(f"/api/v1/gatherings/{gathering.id}/programme/checks",
                          headers=_token(db, other))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "HK-dir" not in response.get_data(as_text=True)

    login(client, other.email)
    page = client.get(f"/gatherings/{gathering.id}/checks")
    assert page.status_code == 404
    assert "HK-dir om rammene" not in page.get_data(as_text=True)


def test_unknown_gathering_and_no_token(db, client, planned, make_user):
    gathering, host, _contact = planned
    assert client.get("/api/v1/gatherings/999999/programme/checks",
                      headers=_token(db, host)).status_code == 404
    assert client.get(f"/api/v1/gatherings/{gathering.id}/programme/checks").status_code == 401
    page = client.get(f"/gatherings/{gathering.id}/checks")
    assert page.status_code == 302 and "/account/login" in page.headers["Location"]


# --- the demo ------------------------------------------------------------------------------------

def test_the_demo_programme_passes_every_check_but_one_and_runs_once(db, app):
    from sqlalchemy import func, select

    from eventapp.demo import DEMO_PROGRAMME, demo_setup
    from eventapp.gatherings.models import (
        CommitteeMember,
        Gathering,
        MunicipalInput,
        ProgrammeChange,
        ProgrammeItem,
    )
    from eventapp.gatherings.services import programme_checks

    demo_setup()
    # The current gathering; the previous year's have a short programme of their own.
    gathering = db.session.scalars(select(Gathering).where(Gathering.status == "open")).one()
    assert gathering.days == 2
    assert 18 <= len(gathering.active_items) == len(DEMO_PROGRAMME) <= 24
    assert {i.kind for i in gathering.active_items} >= {
        "talk", "plenary_discussion", "group_work", "panel", "experience_sharing", "icebreaker",
        "break", "meal", "social_dinner"}
    checks = programme_checks(gathering)
    assert [c.code for c in checks if not c.ok] == ["refugee_background_voice"]
    changes = db.session.scalars(select(ProgrammeChange).where(
        ProgrammeChange.gathering_id == gathering.id)).all()
    assert len(changes) == len(DEMO_PROGRAMME)
    assert {c.user.email for c in changes} == {"vert@demo.eventapp.no"}

    def counts():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in
                (Gathering, ProgrammeItem, ProgrammeChange, CommitteeMember, MunicipalInput)]

    before = counts()
    demo_setup()
    assert counts() == before
