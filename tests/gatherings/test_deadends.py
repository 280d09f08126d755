"""No dead ends (issue 16, section 2): moving the programme with the dates, a gathering that
cannot start in the past, and the public page that leads to registration."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.api.services import create_token
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import OSLO
from eventapp.gatherings.models import Gathering, ProgrammeChange, ProgrammeItem
from eventapp.gatherings.services import ItemData, add_item, create_gathering, update_gathering
from eventapp.gatherings.services import gathering as gathering_services
from eventapp.gatherings.views.gathering import paragraphs
from tests.conftest import get_csrf, login


@pytest.fixture
def world(db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    g = make_gathering(county="46", start=date(2027, 3, 10), end=date(2027, 3, 11))
    for day, start, title in ((1, time(9), "Velkommen"), (1, time(13), "Gruppearbeid"),
                              (2, time(9, 30), "Erfaringsdeling")):
        add_item(g, host, ItemData(day=day, start=start, end=time(start.hour + 1), kind="talk",
                                   title=title))
    db.session.commit()
    return {"host": host, "gathering": g}


def local(item):
    return item.starts_at.astimezone(OSLO).replace(tzinfo=None), \
        item.ends_at.astimezone(OSLO).replace(tzinfo=None)


def moved_log(db, g):
    return db.session.scalars(select(ProgrammeChange).where(
        ProgrammeChange.gathering_id == g.id,
        ProgrammeChange.summary.like("Flyttet med datoene%"))).all()


# --- moving the programme with the dates ---------------------------------------------------

def test_new_dates_without_the_option_stay_refused_and_change_nothing(db, world):
    g, host = world["gathering"], world["host"]
    with pytest.raises(ValidationFailed) as refused:
        update_gathering(g, host, start_date=date(2027, 4, 14), end_date=date(2027, 4, 15))
    assert "start_date" in refused.value.fields
    db.session.rollback()
    g = db.session.get(Gathering, g.id)
    assert g.start_date == date(2027, 3, 10)
    assert {local(i)[0].date() for i in g.active_items} == {date(2027, 3, 10), date(2027, 3, 11)}


def test_move_programme_keeps_day_number_and_clock_time_and_logs_each_item(app, db, world):
    g, host = world["gathering"], world["host"]
    before = {i.id: (local(i), i.sequence) for i in g.active_items}
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        update_gathering(g, host, move_programme=True, start_date=date(2027, 4, 14),
                         end_date=date(2027, 4, 15))
        db.session.commit()
    for item in db.session.get(Gathering, g.id).active_items:
        (old_start, old_end), sequence = before[item.id]
        new_start, new_end = local(item)
        assert new_start - old_start == timedelta(days=35)  # same day number
        assert (new_start.time(), new_end.time()) == (old_start.time(), old_end.time())
        assert item.sequence == sequence + 1
    log = moved_log(db, g)
    assert len(log) == 3 and all(c.action == "updated" for c in log)
    assert any("2027-03-10 09:00" in c.summary and "2027-04-14 09:00" in c.summary for c in log)


def test_the_move_is_one_transaction(app, db, world, monkeypatch):
    g, host = world["gathering"], world["host"]
    calls = {"n": 0}
    real = gathering_services._moment_text

    def breaks_on_the_second_item(*args):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("the database went away")
        return real(*args)

    monkeypatch.setattr(gathering_services, "_moment_text", breaks_on_the_second_item)
    with pytest.raises(RuntimeError):
        update_gathering(g, host, move_programme=True, start_date=date(2027, 4, 14),
                         end_date=date(2027, 4, 15))
    db.session.rollback()
    g = db.session.get(Gathering, g.id)
    assert g.start_date == date(2027, 3, 10)
    assert {local(i)[0].date() for i in g.active_items} == {date(2027, 3, 10), date(2027, 3, 11)}
    assert moved_log(db, g) == []


def test_a_day_the_new_dates_lack_is_refused_even_with_the_option(db, world):
    g, host = world["gathering"], world["host"]
    with pytest.raises(ValidationFailed) as refused:
        update_gathering(g, host, move_programme=True, start_date=date(2027, 4, 14),
                         end_date=date(2027, 4, 14))
    assert "end_date" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Gathering, g.id).end_date == date(2027, 3, 11)


def _edit_values(g, **changes):
    values = {"title": g.title, "start_date": g.start_date.isoformat(),
              "end_date": g.end_date.isoformat(), "venue": g.venue, "address": "",
              "description": "", "registration_opens": "", "registration_closes": "",
              "capacity": "", "municipal_cap": str(g.municipal_cap),
              "pool_cap": str(g.pool_cap)}
    return values | changes


def test_edit_form_previews_every_item_then_saves_both_together(client, db, world):
    g, host = world["gathering"], world["host"]
    login(client, host.email)
    url = f"/gatherings/{g.id}/edit"
    data = _edit_values(g, start_date="2027-04-14", end_date="2027-04-15")
    response = client.post(url, data={**data, "csrf_token": get_csrf(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="start_date-error"' in page and 'data-preview="move-programme"' in page
    assert "Flytte programmet med datoene?" in page
    for item in g.active_items:
        row = page.split(f'data-move-item="{item.id}"')[1].split("</tr>")[0]
        assert item.title in row
        old, new = local(item)[0], local(item)[0] + timedelta(days=35)
        assert f"{old:%H:%M}" in row.split("data-old ")[1].split("</td>")[0]
        assert "10. mars 2027" in row or "11. mars 2027" in row
        assert ("14. apr. 2027" in row or "15. apr. 2027" in row) and f"{new:%H:%M}" in row
    assert db.session.get(Gathering, g.id).start_date == date(2027, 3, 10)

    response = client.post(url, data={**data, "move_programme": "1",
                                      "csrf_token": get_csrf(client, url)})
    assert response.status_code == 302
    db.session.expire_all()
    g = db.session.get(Gathering, g.id)
    assert (g.start_date, g.end_date) == (date(2027, 4, 14), date(2027, 4, 15))
    assert {local(i)[0].date() for i in g.active_items} == {date(2027, 4, 14), date(2027, 4, 15)}
    assert len(moved_log(db, g)) == 3


def test_api_moves_the_programme_only_when_asked(client, db, world):
    g, host = world["gathering"], world["host"]
    _t, raw = create_token(host, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "nb"}
    body = {"start_date": "2027-04-14", "end_date": "2027-04-15"}
    refused = client.patch(f"/api/v1/gatherings/{g.id}", json=body, headers=headers)
    assert refused.status_code == 422
    assert "start_date" in refused.get_json()["error"]["fields"]
    moved = client.patch(f"/api/v1/gatherings/{g.id}", json={**body, "move_programme": True},
                         headers=headers)
    assert moved.status_code == 200 and moved.get_json()["start_date"] == "2027-04-14"
    db.session.expire_all()
    assert {local(i)[0].date() for i in db.session.get(Gathering, g.id).active_items} == {
        date(2027, 4, 14), date(2027, 4, 15)}
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/gatherings/{id}"]["patch"]["requestBody"]["content"][
        "application/json"]["schema"]
    schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] \
        if "$ref" in schema else schema
    assert schema["properties"]["move_programme"]["type"] == "boolean"


def test_a_patch_that_changes_nothing_is_still_refused_to_the_directorate(client, db, world,
                                                                          make_user):
    """Found by schemathesis: a body of only move_programme asked no rule and answered 200."""
    directorate = make_user("directorate", county=None)
    _t, raw = create_token(directorate, "test")
    db.session.commit()
    answer = client.patch(f"/api/v1/gatherings/{world['gathering'].id}",
                          json={"move_programme": False},
                          headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 403


# --- a gathering cannot start in the past ---------------------------------------------------

def test_past_dates_are_refused_in_the_service_the_form_and_the_api(client, db, places,
                                                                  make_user):
    host = make_user("county_host", county="46")
    yesterday = datetime.now(OSLO).date() - timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        create_gathering(county=places.county("46"), title="For sent", start_date=yesterday,
                         end_date=yesterday, venue="Rådhuset", actor=host)
    assert "start_date" in refused.value.fields
    db.session.rollback()
    login(client, host.email)
    form = {"title": "For sent", "start_date": yesterday.isoformat(),
            "end_date": yesterday.isoformat(), "venue": "Rådhuset", "municipal_cap": "2",
            "pool_cap": "20"}
    response = client.post("/gatherings/new",
                           data={**form, "csrf_token": get_csrf(client, "/gatherings/new")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="start_date-error"' in page
    assert "Første dag kan ikke være tilbake i tid." in page
    _t, raw = create_token(host, "test")
    db.session.commit()
    api = client.post("/api/v1/gatherings", headers={"Authorization": f"Bearer {raw}"},
                      json={"county_number": "46", "title": "For sent", "venue": "Rådhuset",
                            "start_date": yesterday.isoformat(),
                            "end_date": yesterday.isoformat()})
    assert api.status_code == 422 and "start_date" in api.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Gathering)) == 0
    today = datetime.now(OSLO).date()
    assert create_gathering(county=places.county("46"), title="I dag", start_date=today,
                            end_date=today, venue="Rådhuset", actor=host).id


# --- the public page ---------------------------------------------------------------------

def test_public_page_offers_registration_while_open(client, db, open_gathering):
    g = open_gathering
    g.description = ("Velkommen til samlingen.\nTa med PC.\n\nLes mer på "
                     "https://hkdir.no/karriere?a=1&b=2. <script>alert(1)</script>")
    db.session.commit()
    page = client.get(f"/gatherings/{g.id}/public").get_data(as_text=True)
    assert f'href="/gatherings/{g.id}/register"' in page and 'data-action="register"' in page
    assert "<p>Velkommen til samlingen.<br>\nTa med PC.</p>" in page
    assert '<a href="https://hkdir.no/karriere?a=1&amp;b=2">' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    g.registration_opens = date.today() + timedelta(days=10)
    db.session.commit()
    page = client.get(f"/gatherings/{g.id}/public").get_data(as_text=True)
    assert 'data-action="register"' not in page and 'data-note="registration-soon"' in page
    g.status = "closed"
    db.session.commit()
    page = client.get(f"/gatherings/{g.id}/public").get_data(as_text=True)
    assert 'data-action="register"' not in page and 'data-note="registration-closed"' in page


def test_paragraphs_escape_everything_and_link_only_web_addresses():
    out = paragraphs('<b>Hei</b> "du"\n\n\n(se https://a.no/b), javascript:alert(1)')
    assert [str(p) for p in out] == [
        "&lt;b&gt;Hei&lt;/b&gt; &#34;du&#34;",
        '(se <a href="https://a.no/b">https://a.no/b</a>), javascript:alert(1)']
    assert paragraphs(None) == [] and paragraphs("  \n\n ") == []


def test_items_are_stored_in_utc(db, world):
    # The moves compare aware datetimes: what is stored comes back in UTC.
    item = db.session.scalars(select(ProgrammeItem)).first()
    assert item.starts_at.tzinfo == UTC
