"""Programme topics: the directorate's national list (seeded once, kept by the directorate only)
and the topics of programme items through the form, the API, the programme page, a copy and
the checklist. Bad input gets a message beside the field and changes nothing."""

import re
from datetime import date, time

import jsonschema
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.gatherings.models import ProgrammeItem, ProgrammeTopic, Speaker
from eventapp.gatherings.services import (
    ItemData,
    SpeakerData,
    add_item,
    add_topic,
    all_topics,
    move_topic,
    rename_topic,
    seed_topics,
    set_topic_active,
    update_item,
)
from eventapp.gatherings.services.topics import SEED
from tests.conftest import get_csrf, login, post_form


@pytest.fixture
def topics(db):
    seed_topics()
    db.session.commit()
    return {t.code: t for t in all_topics()}


@pytest.fixture
def people(db, make_user, make_gathering):
    return {
        "directorate": make_user("directorate"),
        "host": make_user("county_host", county="46"),
        "other_host": make_user("county_host", county="11"),
        "gathering": make_gathering(county="46", start=date(2027, 3, 10), end=date(2027, 3, 11)),
    }


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _item_count(db) -> int:
    return _count(db, ProgrammeItem)


# --- the list ------------------------------------------------------------------------------------

def test_the_suggested_list_is_loaded_once_in_order_norwegian_first(db, topics):
    assert [(t.code, t.name, t.name_en, t.position, t.active) for t in all_topics()] == [
        (code, name, name_en, i, True) for i, (code, name, name_en) in enumerate(SEED)]
    assert topics["refugee_groups"].name == "Flyktninggrupper, Ukraina og ukrainere"
    assert topics["competence_mapping"].name == \
        "Kompetansekartlegging og karriereveilederens notat"
    assert len(SEED) == 10
    # Again: nothing added, and what the directorate changed stays changed.
    topics["nav_measures"].name = "NAV og tiltakene"
    topics["nav_measures"].active = False
    db.session.commit()
    assert seed_topics() == 0
    db.session.commit()
    assert _count(db, ProgrammeTopic) == 10
    nav = db.session.get(ProgrammeTopic, topics["nav_measures"].id)
    assert (nav.name, nav.active) == ("NAV og tiltakene", False)


def test_the_directorate_adds_renames_moves_and_deactivates(db, client, topics, people):
    client.set_cookie("lang", "en")
    login(client, people["directorate"].email)
    page = client.get("/gatherings/topics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-topic="refugee_groups" data-active="1"' in html
    assert "Add the suggested topics" not in html  # nothing is missing

    response = post_form(client, "/gatherings/topics",
                         {"code": "housing", "name": "Bolig", "name_en": "Housing"})
    assert response.status_code == 302
    housing = db.session.scalars(select(ProgrammeTopic).where(ProgrammeTopic.code == "housing")).one()
    assert (housing.name, housing.name_en, housing.position, housing.active) == (
        "Bolig", "Housing", 10, True)

    response = post_form(client, f"/gatherings/topics/{housing.id}",
                         {f"topic-{housing.id}-name": "Bolig og bosetting",
                          f"topic-{housing.id}-name_en": "Housing and settlement"},
                         page="/gatherings/topics")
    assert response.status_code == 302
    db.session.refresh(housing)
    assert (housing.code, housing.name) == ("housing", "Bolig og bosetting")

    post_form(client, f"/gatherings/topics/{housing.id}/move", {"direction": "up"},
              page="/gatherings/topics")
    assert [t.code for t in all_topics()][-2:] == ["housing", "municipal_experience"]
    assert [t.position for t in all_topics()] == list(range(11))
    first = all_topics()[0]
    post_form(client, f"/gatherings/topics/{first.id}/move", {"direction": "up"},
              page="/gatherings/topics")
    assert all_topics()[0].id == first.id  # at the top it stays

    post_form(client, f"/gatherings/topics/{housing.id}/active", {"active": "0"},
              page="/gatherings/topics")
    db.session.refresh(housing)
    assert housing.active is False
    html = client.get("/gatherings/topics").get_data(as_text=True)
    assert 'data-topic="housing" data-active="0"' in html
    post_form(client, f"/gatherings/topics/{housing.id}/active", {"active": "1"},
              page="/gatherings/topics")
    db.session.refresh(housing)
    assert housing.active is True


@pytest.mark.parametrize("data, field, says", [
    ({"code": "refugee_groups", "name": "Noe nytt"}, "code", "has the code “refugee_groups” already"),
    ({"code": "Store Bokstaver", "name": "Noe nytt"}, "code", "Give a code of at most 40"),
    ({"code": "x" * 41, "name": "Noe nytt"}, "code", "Give a code of at most 40"),
    ({"code": "nytt", "name": "  "}, "name", "Enter the topic's name in Norwegian."),
    ({"code": "nytt", "name": "voksenopplæring"}, "name", "Another topic is already called"),
    ({"code": "nytt", "name": "N" * 201}, "name", "at most 200 characters"),
    ({"code": "nytt", "name": "Nytt", "name_en": "E" * 201}, "name_en", "at most 200 characters"),
])
def test_bad_topics_are_refused_beside_the_field_and_nothing_is_saved(
        db, client, topics, people, data, field, says):
    client.set_cookie("lang", "en")
    login(client, people["directorate"].email)
    response = post_form(client, "/gatherings/topics", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and str(escape(says)) in html
    assert _count(db, ProgrammeTopic) == 10


def test_a_rename_to_another_topics_name_is_refused(db, client, topics, people):
    client.set_cookie("lang", "en")
    login(client, people["directorate"].email)
    nav = topics["nav_measures"]
    response = post_form(client, f"/gatherings/topics/{nav.id}",
                         {f"topic-{nav.id}-name": "Brukermedvirkning"}, page="/gatherings/topics")
    assert response.status_code == 422
    assert "Another topic is already called" in response.get_data(as_text=True)
    db.session.refresh(nav)
    assert nav.name == "NAVs tiltak"


def test_a_county_host_cannot_change_the_national_list(db, client, topics, people):
    host = people["host"]
    with pytest.raises(Forbidden):
        add_topic(host, "housing", "Bolig")
    with pytest.raises(Forbidden):
        rename_topic(host, topics["nav_measures"], "Noe annet")
    with pytest.raises(Forbidden):
        set_topic_active(host, topics["nav_measures"], False)
    with pytest.raises(Forbidden):
        move_topic(host, topics["nav_measures"], -1)
    db.session.rollback()

    login(client, host.email)
    assert client.get("/gatherings/topics").status_code == 403
    token = get_csrf(client, f"/gatherings/{people['gathering'].id}/programme")
    nav = topics["nav_measures"]
    for url, data in [("/gatherings/topics", {"code": "housing", "name": "Bolig"}),
                      (f"/gatherings/topics/{nav.id}", {f"topic-{nav.id}-name": "X"}),
                      (f"/gatherings/topics/{nav.id}/active", {"active": "0"}),
                      (f"/gatherings/topics/{nav.id}/move", {"direction": "up"}),
                      ("/gatherings/topics/seed", {})]:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    db.session.expire_all()
    assert _count(db, ProgrammeTopic) == 10
    nav = db.session.get(ProgrammeTopic, nav.id)
    assert (nav.name, nav.active, nav.position) == ("NAVs tiltak", True, 6)


def test_an_empty_list_offers_the_suggested_topics(db, client, people):
    client.set_cookie("lang", "en")
    login(client, people["directorate"].email)
    html = client.get("/gatherings/topics").get_data(as_text=True)
    assert "The list is empty" in html and 'data-form="seed-topics"' in html
    post_form(client, "/gatherings/topics/seed", {}, page="/gatherings/topics")
    assert _count(db, ProgrammeTopic) == 10


# --- items' topics -----------------------------------------------------------------------------

def _item_form(**over) -> dict:
    data = {"title": "Ukrainske flyktninger", "kind": "talk", "day": "1", "start": "09:00",
            "end": "09:45", "question_minutes": "10", "room": "", "description": "",
            "speakers-0-name": "Kari", "speakers-0-organisation": "Statsforvalteren i Vestland",
            "speakers-0-organisation_kind": "statsforvalteren"}
    data.update(over)
    return data


def test_topics_round_trip_through_the_form(db, client, topics, people):
    client.set_cookie("lang", "en")
    g = people["gathering"]
    login(client, people["host"].email)
    url = f"/gatherings/{g.id}/programme"
    form = client.get(url).get_data(as_text=True)
    assert 'name="topics" type="checkbox" value="refugee_groups"' in form
    # Statsforvalteren is an organisation kind of its own.
    assert 'value="statsforvalteren"' in form and "County Governor (Statsforvalteren)" in form

    response = client.post(url, data={**_item_form(), "topics": ["refugee_groups", "user_involvement"],
                                      "csrf_token": get_csrf(client, url)})
    assert response.status_code == 302
    item = db.session.scalars(select(ProgrammeItem)).one()
    assert [t.code for t in item.topics] == ["refugee_groups", "user_involvement"]  # list order
    assert item.speakers[0].organisation_kind == "statsforvalteren"

    page = client.get(url).get_data(as_text=True)
    assert 'data-topics="refugee_groups user_involvement"' in page
    assert "Refugee groups, Ukraine and Ukrainians · User involvement" in page
    edit = client.get(f"/gatherings/{g.id}/programme/{item.id}/edit").get_data(as_text=True)
    checked = re.findall(r'<input checked id="topics-\d+" name="topics" type="checkbox" '
                         r'value="(\w+)">', edit)
    assert checked == ["refugee_groups", "user_involvement"]

    # Edited: one off, one on; the change log says topics changed.
    edit_url = f"/gatherings/{g.id}/programme/{item.id}/edit"
    response = client.post(edit_url, data={**_item_form(), "topics": ["refugee_groups", "nav_measures"],
                                           "csrf_token": get_csrf(client, edit_url)})
    assert response.status_code == 302
    db.session.refresh(item)
    assert [t.code for t in item.topics] == ["refugee_groups", "nav_measures"]
    changes = client.get(f"/gatherings/{g.id}/programme/changes").get_data(as_text=True)
    assert "topics" in changes

    # None ticked: none left.
    client.post(edit_url, data={**_item_form(), "csrf_token": get_csrf(client, edit_url)})
    db.session.refresh(item)
    assert item.topics == []


def test_an_unknown_topic_on_the_form_is_refused_and_nothing_saved(db, client, topics, people):
    client.set_cookie("lang", "en")
    g = people["gathering"]
    login(client, people["host"].email)
    url = f"/gatherings/{g.id}/programme"
    response = client.post(url, data={**_item_form(), "topics": ["refugee_groups", "<b>nope</b>"],
                                      "csrf_token": get_csrf(client, url)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="topics-error"' in html
    assert str(escape("Unknown topic: “<b>nope</b>”. Choose topics from the directorate's list.")) \
        in html
    assert "<b>nope</b>" not in html
    assert _item_count(db) == 0

    # On an edit too: the item keeps its title and topics.
    item = add_item(g, people["host"], ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                                title="Før", topics=["legal_framework"]))
    db.session.commit()
    edit_url = f"/gatherings/{g.id}/programme/{item.id}/edit"
    response = client.post(edit_url, data={**_item_form(title="Etter"), "topics": ["nope"],
                                           "csrf_token": get_csrf(client, edit_url)})
    assert response.status_code == 422
    db.session.expire_all()
    item = db.session.get(ProgrammeItem, item.id)
    assert (item.title, [t.code for t in item.topics]) == ("Før", ["legal_framework"])


def test_a_deactivated_topic_is_not_offered_but_stays_on_its_items(db, topics, people):
    g, host, directorate = people["gathering"], people["host"], people["directorate"]
    item = add_item(g, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                      title="NAV", topics=["nav_measures"]))
    set_topic_active(directorate, topics["nav_measures"], False)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        add_item(g, host, ItemData(day=1, start=time(11), end=time(12), kind="talk",
                                   title="Ny", topics=["nav_measures"]))
    # (No request here: the message is in Norwegian, the app's first language.)
    assert refused.value.fields["topics"].startswith("Ukjent tema: «nav_measures»")
    db.session.rollback()
    # Kept while still ticked on its item; taken off when unticked, and then not offered.
    update_item(item, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                     title="NAV 2", topics=["nav_measures", "adult_education"]))
    db.session.commit()
    assert [t.code for t in item.topics] == ["nav_measures", "adult_education"]
    update_item(item, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                     title="NAV 3", topics=["adult_education"]))
    db.session.commit()
    with pytest.raises(ValidationFailed):
        update_item(item, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                         title="NAV 4", topics=["nav_measures"]))
    db.session.rollback()
    # Without topics in the data (None), an edit leaves them alone.
    update_item(item, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                     title="NAV 5"))
    db.session.commit()
    assert [t.code for t in item.topics] == ["adult_education"]


def _token(db, user):
    from eventapp.api.services import create_token

    _record, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_topics_round_trip_through_the_api(db, client, topics, people):
    from eventapp.api.spec import OPERATIONS

    g = people["gathering"]
    headers = _token(db, people["host"])
    body = {"starts_at": "2027-03-10T09:00:00+01:00", "ends_at": "2027-03-10T09:45:00+01:00",
            "kind": "talk", "title": "Kartlegging",
            "speakers": [{"name": "Tor", "organisation": "IMDi", "organisation_kind": "imdi"}],
            "topics": ["user_involvement", "competence_mapping"]}
    response = client.post(f"/api/v1/gatherings/{g.id}/programme", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["topics"] == ["competence_mapping", "user_involvement"]
    listed = client.get(f"/api/v1/gatherings/{g.id}/programme", headers=headers).get_json()
    assert [i["topics"] for i in listed] == [["competence_mapping", "user_involvement"]]
    op = next(o for o in OPERATIONS if o.operation_id == "listProgrammeItems")
    jsonschema.validate(listed, op.response)
    # The existing fields are as they were.
    assert {"id", "uid", "day", "starts_at", "ends_at", "kind", "title", "description", "room",
            "question_minutes", "sequence", "speakers"} <= set(created)

    # Without topics: none.
    plain = {**body, "starts_at": "2027-03-10T10:00:00+01:00",
             "ends_at": "2027-03-10T10:30:00+01:00", "title": "Uten"}
    del plain["topics"]
    assert client.post(f"/api/v1/gatherings/{g.id}/programme", json=plain,
                       headers=headers).get_json()["topics"] == []

    catalogue = client.get("/api/v1/programme-topics", headers=headers)
    assert catalogue.status_code == 200
    assert [t["code"] for t in catalogue.get_json()] == [code for code, _n, _e in SEED]
    jsonschema.validate(catalogue.get_json(), next(
        o for o in OPERATIONS if o.operation_id == "listProgrammeTopics").response)


@pytest.mark.parametrize("bad, says", [
    (["refugee_groups", "ukraine"], "Unknown topic: “ukraine”"),
    (["<script>alert(1)</script>"], "Unknown topic: “<script>alert(1)</script>”"),
    ("refugee_groups", None),  # not a list: the schema's 422
    ([""], None),
    (["x" * 41], None),
    ([1], None),
])
def test_unknown_topic_codes_in_the_api_are_refused_and_nothing_saved(
        db, client, topics, people, bad, says):
    g = people["gathering"]
    client.set_cookie("lang", "en")
    body = {"starts_at": "2027-03-10T09:00:00+01:00", "ends_at": "2027-03-10T09:45:00+01:00",
            "kind": "talk", "title": "Kartlegging", "topics": bad}
    response = client.post(f"/api/v1/gatherings/{g.id}/programme", json=body,
                           headers=_token(db, people["host"]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    if says:
        assert error["fields"]["topics"].startswith(says)
    assert _item_count(db) == 0


def test_a_copy_keeps_the_active_topics(db, topics, people):
    from eventapp.home import copying

    g, host, directorate = people["gathering"], people["host"], people["directorate"]
    add_item(g, host, ItemData(day=1, start=time(9), end=time(10), kind="talk", title="A",
                               topics=["refugee_groups", "nav_measures"],
                               speakers=[SpeakerData("Kari", "Statsforvalteren", "statsforvalteren")]))
    add_item(g, host, ItemData(day=2, start=time(9), end=time(10), kind="group_work", title="B",
                               topics=["county_municipality"]))
    add_item(g, host, ItemData(day=2, start=time(11), end=time(12), kind="talk", title="C"))
    set_topic_active(directorate, topics["nav_measures"], False)
    db.session.commit()
    new = copying.copy_gathering(g, host, title="Kopi", start_date=date(2028, 3, 8),
                                 end_date=date(2028, 3, 9), venue="Et annet sted")
    db.session.commit()
    copied = {i.title: [t.code for t in i.topics] for i in new.active_items}
    assert copied == {"A": ["refugee_groups"], "B": ["county_municipality"], "C": []}
    assert db.session.scalars(select(Speaker.organisation_kind).join(ProgrammeItem).where(
        ProgrammeItem.gathering_id == new.id)).all() == ["statsforvalteren"]
    # The source is untouched.
    assert sorted(t.code for i in g.active_items for t in i.topics) == [
        "county_municipality", "nav_measures", "refugee_groups"]


def test_the_checklist_reads_the_items_topics(db, topics, people):
    from eventapp.gatherings.services import programme_checks

    g, host = people["gathering"], people["host"]
    item = add_item(g, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                      title="Hvem kommer nå?"))
    db.session.commit()
    checks = {c.code: c for c in programme_checks(g)}
    assert not checks["refugee_groups"].ok
    # The message names the topic as the directorate calls it (in the user's language).
    assert "Flyktninggrupper, Ukraina og ukrainere" in checks["refugee_groups"].message \
        or "Refugee groups, Ukraine and Ukrainians" in checks["refugee_groups"].message
    update_item(item, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                                     title="Hvem kommer nå?", topics=["refugee_groups"]))
    db.session.commit()
    checks = {c.code: c for c in programme_checks(g)}
    assert checks["refugee_groups"].ok and "«Hvem kommer nå?»" in checks["refugee_groups"].message
