"""Starting a new gathering as a copy of an earlier one: exactly the programme (shifted), the
committee, the caps and the survey's own questions; nothing of the people."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.core.time import OSLO
from eventapp.gatherings.models import CommitteeMember, Gathering, ProgrammeItem
from eventapp.gatherings.services import ItemData, SpeakerData, add_committee_member, add_item
from eventapp.home import copying
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services import set_municipality_cap
from eventapp.surveys import services as surveys
from eventapp.surveys.models import Survey, SurveyQuestion
from tests.conftest import get_csrf, login
from tests.grants.conftest import add_person


def _programme(db, g, host):
    add_item(g, host, ItemData(day=1, start=time(9), end=time(10), kind="talk",
                               title="Velkommen", room="Sal A",
                               speakers=[SpeakerData("Kari Nordmann", "Vestland fylke",
                                                     "county")]))
    add_item(g, host, ItemData(day=2, start=time(13, 15), end=time(14), kind="panel",
                               title="Panel om veiledning", question_minutes=15))
    db.session.commit()


@pytest.fixture
def source(db, places, make_user, make_gathering):
    host = make_user("county_host", county="46", email="vert@vestland.example")
    g = make_gathering(county="46", title="Høstsamlinga 2026", start=date(2026, 10, 6),
                       end=date(2026, 10, 7), municipal_cap=3, pool_cap=12, capacity=90)
    _programme(db, g, host)
    add_committee_member(g, host, email="veileder@vestland.example", name="Vera Veileder")
    set_municipality_cap(g, host, places.unit("4601"), 5)
    survey = surveys.survey_for(g, host)
    surveys.add_question(survey, host, kind="short_text", text="Hva tar du med deg hjem?")
    surveys.add_question(survey, host, kind="single", text="Hvordan reiste du?",
                         options=["Bil", "Buss", "Fly"], required=True)
    db.session.commit()
    add_person(db, g)
    return {"host": host, "gathering": g, "national": sum(q.national for q in survey.questions)}


def _local(item):
    return item.starts_at.astimezone(OSLO).replace(tzinfo=None)


def test_a_copy_takes_the_programme_committee_caps_and_own_questions_and_nothing_else(
        db, source):
    host, old = source["host"], source["gathering"]
    new = copying.copy_gathering(old, host, title="Vårsamlinga 2027",
                                 start_date=date(2027, 4, 20), end_date=date(2027, 4, 21),
                                 venue="Grand Hotel")
    db.session.commit()
    assert (new.title, new.venue, new.status, new.county_id) == (
        "Vårsamlinga 2027", "Grand Hotel", "draft", old.county_id)
    assert (new.municipal_cap, new.pool_cap, new.capacity) == (3, 12, 90)
    items = sorted(new.active_items, key=lambda i: i.starts_at)
    assert [(i.title, _local(i).date(), _local(i).time(), i.room, i.question_minutes)
            for i in items] == [
        ("Velkommen", date(2027, 4, 20), time(9), "Sal A", 0),
        ("Panel om veiledning", date(2027, 4, 21), time(13, 15), None, 15)]
    assert [(s.name, s.organisation_kind) for s in items[0].speakers] == [
        ("Kari Nordmann", "county")]
    assert {i.uid for i in items}.isdisjoint({i.uid for i in old.active_items})
    assert [m.user.email for m in new.committee] == ["veileder@vestland.example"]
    caps = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.gathering_id == new.id)).all()
    assert [(c.municipality.number, c.cap) for c in caps] == [("4601", 5)]
    survey = surveys.find_survey(new)
    own = [q for q in survey.questions if not q.national]
    assert [(q.text, q.kind, q.required) for q in own] == [
        ("Hva tar du med deg hjem?", "short_text", False),
        ("Hvordan reiste du?", "single", True)]
    assert [o["label"] for o in own[1].option_list] == ["Bil", "Buss", "Fly"]
    assert survey.status == "draft"
    # Nothing of the people: no registrations, and the source keeps its own.
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.gathering_id == new.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.gathering_id == old.id)) == 1
    assert len(old.active_items) == 2 and len(old.committee) == 1


def test_another_countys_published_gathering_is_a_read_only_source(db, source, make_user):
    old = source["gathering"]
    other_host = make_user("county_host", county="11", email="vert@rogaland.example")
    with pytest.raises(NotFound):  # a draft of another county is nobody else's
        copying.load_source(other_host, old.id)
    assert old not in copying.copy_sources(other_host)
    old.status = "open"
    db.session.commit()
    assert old in copying.copy_sources(other_host)
    new = copying.copy_gathering(old, other_host, title="Rogalandssamlinga",
                                 start_date=date(2027, 5, 4), end_date=date(2027, 5, 5),
                                 venue="Stavanger Forum")
    db.session.commit()
    assert new.county.number == "11" and len(new.active_items) == 2
    assert new.committee == [] and db.session.scalar(
        select(func.count()).select_from(GatheringMunicipality).where(
            GatheringMunicipality.gathering_id == new.id)) == 0
    assert len([q for q in surveys.find_survey(new).questions if not q.national]) == 2
    # The source is unchanged.
    db.session.refresh(old)
    assert old.county.number == "46" and len(old.committee) == 1


def test_too_few_days_or_past_dates_are_refused_and_nothing_is_made(db, source):
    host, old = source["host"], source["gathering"]
    before = db.session.scalar(select(func.count()).select_from(Gathering))
    for start, end, field in ((date(2027, 4, 20), date(2027, 4, 20), "end_date"),
                              (date(2020, 4, 20), date(2020, 4, 21), "start_date")):
        with pytest.raises(ValidationFailed) as refused:
            copying.copy_gathering(old, host, title="Ny", start_date=start, end_date=end,
                                   venue="Et sted")
        assert field in refused.value.fields
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Gathering)) == before
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
    assert db.session.scalar(select(func.count()).select_from(CommitteeMember)) == 1
    assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)) == 2
    assert db.session.scalar(select(func.count()).select_from(SurveyQuestion).where(
        SurveyQuestion.survey_id.is_not(None), SurveyQuestion.national.is_(False))) == 2


def test_the_page_shows_what_comes_along_and_creates_the_copy(app, client, db, source,
                                                             make_user):
    host, old = source["host"], source["gathering"]
    login(client, host.email)
    new_page = client.get("/gatherings/new").get_data(as_text=True)
    assert "Start fra en tidligere samling" in new_page
    url = "/gatherings/new/from-earlier"
    page = client.get(f"{url}?source={old.id}").get_data(as_text=True)
    assert f'data-plan="{old.id}"' in page and "2 programposter" in page
    assert "1 komitémedlem" in page and "2 egne spørsmål" in page
    assert client.get(f"{url}?source=999999").status_code == 404
    assert client.get(f"{url}?source=x").status_code == 404
    refused = client.post(url, data={"source": old.id, "title": "Ny", "venue": "Sted",
                                     "start_date": "2027-04-20", "end_date": "2027-04-20",
                                     "csrf_token": get_csrf(client, url)})
    assert refused.status_code == 422 and 'id="end_date-error"' in refused.get_data(as_text=True)
    done = client.post(url, data={"source": old.id, "title": "Vårsamlinga", "venue": "Sted",
                                  "start_date": "2027-04-20", "end_date": "2027-04-21",
                                  "csrf_token": get_csrf(client, url)})
    assert done.status_code == 302
    new = db.session.scalars(select(Gathering).where(Gathering.title == "Vårsamlinga")).one()
    assert done.headers["Location"].endswith(f"/gatherings/{new.id}")
    # Another county's host cannot use a draft as a source, nor a counsellor copy at all.
    other = make_user("county_host", county="11")
    client = app.test_client()
    login(client, other.email)
    assert client.get(f"{url}?source={old.id}").status_code == 404
    counsellor = make_user("counsellor", county="46")
    client = app.test_client()
    login(client, counsellor.email)
    assert client.get(url).status_code == 403
