"""Municipal input: the cheap form behind the input link, the logged-in municipal contact's form,
and the committee's review of what came in."""

import html as htmllib
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from eventapp.gatherings import services
from eventapp.gatherings.models import MunicipalInput
from tests.conftest import get_csrf, login, post_form


@pytest.fixture
def world(make_user, make_gathering, places):
    return {
        "host46": make_user("county_host", county="46", name="Vestland-vert"),
        "counsellor46": make_user("counsellor", county="46"),
        "contact4601": make_user("municipal_contact", county="46", municipality="4601",
                                 name="Bergen-kontakt"),
        "contact4602": make_user("municipal_contact", county="46", municipality="4602",
                                 name="Kinn-kontakt"),
        "host11": make_user("county_host", county="11", name="Rogaland-vert"),
        "contact1103": make_user("municipal_contact", county="11", municipality="1103"),
        "g46": make_gathering(county="46", title="Vestlandssamlinga"),
        "g11": make_gathering(county="11", title="Rogalandssamlinga"),
    }


def _public(g) -> str:
    return f"/gatherings/input/{g.input_token}"


def _inputs(db, g=None) -> list[MunicipalInput]:
    stmt = select(MunicipalInput).order_by(MunicipalInput.id)
    if g is not None:
        stmt = stmt.where(MunicipalInput.gathering_id == g.id)
    return db.session.scalars(stmt).all()


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(MunicipalInput))


def _logout(client):
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field}-error">([^<]*)</p>', html)
    return htmllib.unescape(match.group(1)) if match else ""


def _answer(client, url, **fields):
    data = {"municipality": "", "name": "", "email": "", "topics": "", "questions": "",
            "experience": "", "small": "unknown", **fields}
    return post_form(client, url, data)


def _item(db, g, host, title="Kompetansekartlegging", start=time(10), end=time(11)):
    item = services.add_item(g, host, services.ItemData(day=1, start=start, end=end, kind="talk",
                                                        title=title))
    db.session.commit()
    return item


def test_anyone_with_the_link_answers_without_logging_in(client, world, places, db):
    g = world["g46"]
    kinn = places.unit("4602")
    page = client.get(_public(g))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Vestlandssamlinga" in html
    # The county's municipalities are offered, another county's are not.
    assert f'value="{kinn.id}"' in html
    assert f'value="{places.unit("1103").id}"' not in html

    response = _answer(client, _public(g), municipality=str(kinn.id), name="Siri Svar",
                       email="Siri@Kinn.kommune.no", topics="Kompetansekartlegging",
                       questions="Hvem skriver veiledernotatet?", small="yes")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/gatherings/input/{g.input_token}/thanks")
    [given] = _inputs(db)
    assert given.gathering_id == g.id and given.municipality_id == kinn.id
    assert (given.name, given.email) == ("Siri Svar", "siri@kinn.kommune.no")
    assert given.topics == "Kompetansekartlegging"
    assert given.questions == "Hvem skriver veiledernotatet?"
    assert given.experience == ""
    assert given.small_municipality is True
    assert given.status == "new" and given.submitted_by_id is None
    assert client.get(response.headers["Location"]).status_code == 200


def test_name_and_email_are_optional_and_small_may_be_unknown(client, world, places, db):
    g = world["g46"]
    response = _answer(client, _public(g), municipality=str(places.unit("4601").id),
                       experience="Vi har faste møter med karrieresenteret.")
    assert response.status_code == 302
    [given] = _inputs(db)
    assert given.name is None and given.email is None and given.small_municipality is None


def test_logged_in_user_on_the_link_is_prefilled_and_recorded(client, world, places, db):
    g, counsellor = world["g46"], world["counsellor46"]
    login(client, counsellor.email)
    html = client.get(_public(g)).get_data(as_text=True)
    assert f'value="{counsellor.email}"' in html
    assert f'value="{counsellor.name}"' in html
    response = _answer(client, _public(g), municipality=str(places.unit("4602").id),
                       name=counsellor.name, email=counsellor.email, topics="Godkjenning")
    assert response.status_code == 302
    [given] = _inputs(db)
    assert given.submitted_by_id == counsellor.id
    assert given.municipality_id == places.unit("4602").id


def test_municipal_contact_answers_for_their_own_municipality(client, world, places, db):
    g, contact = world["g46"], world["contact4601"]
    client.set_cookie("lang", "en")
    login(client, contact.email)
    url = f"/gatherings/{g.id}/input"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bergen" in html
    assert 'name="municipality"' not in html
    assert f'value="{contact.email}"' in html and f'value="{contact.name}"' in html
    # A municipality slipped into the request is ignored: the contact answers for their own.
    response = _answer(client, url, municipality=str(places.unit("4602").id),
                       name=contact.name, email=contact.email, topics="Ukrainere", small="no")
    assert response.status_code == 302
    [given] = _inputs(db)
    assert given.municipality_id == contact.municipality_id
    assert given.submitted_by_id == contact.id
    assert given.small_municipality is False
    # The same holds on the public link.
    _answer(client, _public(g), municipality=str(places.unit("4602").id), topics="Mer")
    assert [i.municipality_id for i in _inputs(db)] == [contact.municipality_id] * 2


def test_contact_sees_own_municipalitys_input_and_the_committees_answer_only(client, world, places,
                                                                           db):
    g = world["g46"]
    bergen = services.submit_input(g, municipality=places.unit("4601"), topics="Bergen-tema")
    services.submit_input(g, municipality=places.unit("4602"), topics="Kinn-tema")
    services.review_input(bergen, world["host46"], "adopted", "Tatt med på dag 1.", [])
    db.session.commit()
    client.set_cookie("lang", "en")
    login(client, world["contact4601"].email)
    html = client.get(f"/gatherings/{g.id}/input").get_data(as_text=True)
    assert "Bergen-tema" in html and "Tatt med på dag 1." in html and "Adopted" in html
    assert "Kinn-tema" not in html


def test_my_input_is_for_municipal_contacts_of_the_county(client, world):
    g = world["g46"]
    login(client, world["host46"].email)
    assert client.get(f"/gatherings/{g.id}/input").status_code == 403
    _logout(client)
    login(client, world["contact1103"].email)
    assert client.get(f"/gatherings/{g.id}/input").status_code == 404
    _logout(client)
    assert client.get(f"/gatherings/{g.id}/input").status_code == 302  # to the login page


def test_empty_submission_is_refused_and_nothing_saved(client, world, places, db):
    g = world["g46"]
    client.set_cookie("lang", "en")
    response = _answer(client, _public(g), municipality=str(places.unit("4601").id),
                       topics="   ", name="Siri")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write at least one topic, question or experience" in _error_beside(html, "topics")
    # What was typed stays in the form.
    assert 'value="Siri"' in html
    # With nothing at all, both problems are told at once.
    response = _answer(client, _public(g))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose your municipality" in _error_beside(html, "municipality")
    assert "Write at least one topic" in _error_beside(html, "topics")
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"topics": "Tema"}, "municipality", "Choose your municipality or city district."),
        ({"municipality": "1103", "topics": "Tema"}, "municipality", "Not a valid choice"),
        ({"municipality": "4601", "topics": "x" * 2001}, "topics", "at most 2000 characters"),
        ({"municipality": "4601", "questions": "x" * 2001}, "questions", "at most 2000 characters"),
        ({"municipality": "4601", "topics": "Tema", "email": "ikke epost"}, "email",
         "Enter a valid email address"),
        ({"municipality": "4601", "topics": "Tema", "name": "n" * 201}, "name", "200"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, world, places, db, fields, field, message):
    g = world["g46"]
    if "municipality" in fields:
        fields = {**fields, "municipality": str(places.unit(fields["municipality"]).id)}
    client.set_cookie("lang", "en")
    response = _answer(client, _public(g), **fields)
    assert response.status_code == 422
    assert message in _error_beside(response.get_data(as_text=True), field)
    assert _count(db) == 0


def test_service_refuses_a_municipality_of_another_county(world, places, db):
    from eventapp.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.submit_input(world["g46"], municipality=places.unit("1103"), topics="Tema")
    assert "municipality" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.submit_input(world["g46"], municipality=places.unit("4601"))
    assert "topics" in refused.value.fields
    db.session.rollback()
    assert _count(db) == 0


def test_unknown_token_is_404(client, world, places, db):
    assert client.get("/gatherings/input/no-such-token").status_code == 404
    assert client.get("/gatherings/input/no-such-token/thanks").status_code == 404
    token = get_csrf(client, _public(world["g46"]))
    response = client.post("/gatherings/input/no-such-token", data={
        "csrf_token": token, "municipality": str(places.unit("4601").id), "topics": "Tema"})
    assert response.status_code == 404
    assert _count(db) == 0


def test_input_is_taken_while_draft_and_after_publishing(client, world, places, db):
    g = world["g46"]
    assert g.status == "draft"
    unit = str(places.unit("4601").id)
    assert _answer(client, _public(g), municipality=unit, topics="I planleggingen"
                   ).status_code == 302
    services.change_status(g, world["host46"], "open")
    db.session.commit()
    assert _answer(client, _public(g), municipality=unit, topics="Etter publisering"
                   ).status_code == 302
    assert [i.topics for i in _inputs(db)] == ["I planleggingen", "Etter publisering"]


def test_public_post_is_rate_limited(client, world, places, db):
    g = world["g46"]
    token = get_csrf(client, _public(g))
    unit = str(places.unit("4601").id)
    statuses = [client.post(_public(g), data={"csrf_token": token, "municipality": unit,
                                              "topics": f"Tema {n}", "small": "unknown"}
                            ).status_code for n in range(21)]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert _count(db) == 20
    # Reading the form is not limited.
    assert client.get(_public(g)).status_code == 200


# --- the committee's review -----------------------------------------------------------------

def _review(client, g, given, status="adopted", note="", items=()):
    prefix = f"input{given.id}"
    token = get_csrf(client, f"/gatherings/{g.id}/inputs")
    return client.post(f"/gatherings/{g.id}/inputs/{given.id}", data={
        "csrf_token": token, f"{prefix}-status": status, f"{prefix}-note": note,
        f"{prefix}-items": [str(i) for i in items],
    })


def test_host_reads_input_marks_it_adopted_and_links_items(client, world, places, db):
    g, host = world["g46"], world["host46"]
    talk = _item(db, g, host)
    group = _item(db, g, host, "Gruppearbeid", time(11), time(12))
    other = _item(db, g, host, "Lunsj", time(12), time(13))
    pause = services.add_item(g, host, services.ItemData(day=1, start=time(13), end=time(13, 15),
                                                         kind="break", title="Kaffepause"))
    db.session.commit()
    given = services.submit_input(g, municipality=places.unit("4602"), name="Siri",
                                  email="siri@kinn.kommune.no", topics="Kompetansekartlegging",
                                  small=True)
    db.session.commit()
    client.set_cookie("lang", "en")
    login(client, host.email)
    page = client.get(f"/gatherings/{g.id}/inputs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kompetansekartlegging" in html and "siri@kinn.kommune.no" in html
    # The link to ask with, and how many have answered of how many were asked.
    assert f"http://localhost/gatherings/input/{g.input_token}" in html
    asked = len(services.answering_units(g))
    assert asked > 10
    assert f"1 of {asked} municipalities have answered." in html
    assert "mailto:?bcc=" in html and world["contact4601"].email in html
    # Items to link to are offered, except breaks and meals.
    assert f'value="{talk.id}"' in html and f'value="{other.id}"' in html
    assert f'value="{pause.id}"' not in html and "Kaffepause" not in html

    response = _review(client, g, given, "adopted", "Tas opp i innlegget fra IMDi.",
                       [talk.id, group.id])
    assert response.status_code == 302
    db.session.refresh(given)
    assert given.status == "adopted"
    assert given.committee_note == "Tas opp i innlegget fra IMDi."
    assert sorted(i.id for i in given.items) == sorted([talk.id, group.id])
    html = client.get(f"/gatherings/{g.id}/inputs").get_data(as_text=True)
    assert "Adopted" in html and "Tas opp i innlegget fra IMDi." in html

    # Unlinking one and declining.
    assert _review(client, g, given, "declined", "", [group.id]).status_code == 302
    db.session.refresh(given)
    assert given.status == "declined" and given.committee_note is None
    assert [i.id for i in given.items] == [group.id]
    assert other.id not in [i.id for i in given.items]


def test_review_refuses_items_of_another_gathering_and_unknown_status(client, world, places, db,
                                                                    make_gathering):
    g, host = world["g46"], world["host46"]
    spring = make_gathering(county="46", title="Vårsamling")
    foreign = _item(db, spring, host, "Annen samling")
    given = services.submit_input(g, municipality=places.unit("4601"), topics="Tema")
    db.session.commit()
    login(client, host.email)
    assert _review(client, g, given, "adopted", "", [foreign.id]).status_code == 422
    assert _review(client, g, given, "approved").status_code == 422
    assert _review(client, g, given, "adopted", "x" * 2001).status_code == 422
    db.session.refresh(given)
    assert given.status == "new" and given.items == [] and given.committee_note is None


def test_committee_member_who_is_a_municipal_contact_reviews_all_inputs(client, world, places, db):
    g, host = world["g46"], world["host46"]
    services.add_committee_member(g, host, email=world["contact4601"].email)
    kinn = services.submit_input(g, municipality=places.unit("4602"), topics="Kinn-tema")
    db.session.commit()
    login(client, world["contact4601"].email)
    page = client.get(f"/gatherings/{g.id}/inputs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kinn-tema" in html
    # Only the host gets the ready mail with the county's contacts' addresses.
    assert "mailto:?" not in html and world["contact4602"].email not in html
    assert _review(client, g, kinn, "adopted", "Ja").status_code == 302
    db.session.refresh(kinn)
    assert kinn.status == "adopted"


def test_municipal_contact_outside_the_committee_gets_403(client, world, places, db):
    g = world["g46"]
    kinn = services.submit_input(g, municipality=places.unit("4602"), topics="Kinn-tema")
    db.session.commit()
    for who in ("contact4601", "counsellor46"):
        login(client, world[who].email)
        page = client.get(f"/gatherings/{g.id}/inputs")
        assert page.status_code == 403, who
        assert "Kinn-tema" not in page.get_data(as_text=True)
        token = get_csrf(client, "/")
        response = client.post(f"/gatherings/{g.id}/inputs/{kinn.id}", data={
            "csrf_token": token, f"input{kinn.id}-status": "declined"})
        assert response.status_code == 403, who
        _logout(client)
    db.session.refresh(kinn)
    assert kinn.status == "new"


def test_host_of_another_county_gets_404(client, world, places, db):
    g = world["g46"]
    kinn = services.submit_input(g, municipality=places.unit("4602"), topics="Kinn-tema")
    db.session.commit()
    login(client, world["host11"].email)
    page = client.get(f"/gatherings/{g.id}/inputs")
    assert page.status_code == 404
    assert "Kinn-tema" not in page.get_data(as_text=True)
    token = get_csrf(client, "/")
    response = client.post(f"/gatherings/{g.id}/inputs/{kinn.id}", data={
        "csrf_token": token, f"input{kinn.id}-status": "declined"})
    assert response.status_code == 404
    # Nor through their own gathering's address.
    response = client.post(f"/gatherings/{world['g11'].id}/inputs/{kinn.id}", data={
        "csrf_token": token, f"input{kinn.id}-status": "declined"})
    assert response.status_code == 404
    db.session.refresh(kinn)
    assert kinn.status == "new"


def test_oslo_counts_its_city_districts(make_gathering, places, db):
    oslo = make_gathering(county="03", title="Oslosamlinga")
    units = services.answering_units(oslo)
    assert units and all(u.is_district for u in units)
    assert len(units) == 15
    # The city itself may still answer, and its districts are offered on the form.
    offered = {u.number for u in services.input_places(oslo)}
    assert "0301" in offered and "030101" in offered
    services.submit_input(oslo, municipality=places.unit("030102"), topics="Bydelstema")
    db.session.commit()
    assert services.input_coverage(oslo) == (1, 15)
