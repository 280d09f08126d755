"""The programme committee page: who is on it, municipal representation, adding and removing
members (only the county's host), and the boundary between counties."""

import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from eventapp.accounts.models import User
from eventapp.gatherings.models import CommitteeMember
from eventapp.mail.models import OutboxMessage
from tests.conftest import get_csrf, login, post_form


@pytest.fixture
def world(make_user, make_gathering, places):
    return {
        "host46": make_user("county_host", county="46", name="Vestland-vert"),
        "counsellor46": make_user("counsellor", county="46", name="Kari Karriere"),
        "contact4601": make_user("municipal_contact", county="46", municipality="4601",
                                 name="Bergen-kontakt"),
        "host11": make_user("county_host", county="11", name="Rogaland-vert"),
        "contact1103": make_user("municipal_contact", county="11", municipality="1103",
                                 name="Stavanger-kontakt"),
        "g46": make_gathering(county="46", title="Vestlandssamlinga"),
        "g11": make_gathering(county="11", title="Rogalandssamlinga"),
    }


def _url(g) -> str:
    return f"/gatherings/{g.id}/committee"


def _members(db, g) -> list[CommitteeMember]:
    return db.session.scalars(select(CommitteeMember).where(CommitteeMember.gathering_id == g.id)
                              ).all()


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _add(client, g, email, name="", municipality=""):
    return post_form(client, _url(g), {"email": email, "name": name, "municipality": municipality})


def _error_beside(html: str, field: str) -> str:
    """The error message shown in the field block of ``field``, or ''."""
    match = re.search(rf'<p class="error-message" id="{field}-error">([^<]*)</p>', html)
    return htmllib.unescape(match.group(1)) if match else ""


def test_host_adds_an_existing_county_user(client, world, db):
    g, counsellor = world["g46"], world["counsellor46"]
    users_before = _count(db, User)
    login(client, world["host46"].email)
    response = _add(client, g, counsellor.email.upper())
    assert response.status_code == 302
    assert [m.user_id for m in _members(db, g)] == [counsellor.id]
    assert _count(db, User) == users_before
    # An existing account gets no activation mail.
    assert _count(db, OutboxMessage) == 0
    page = client.get(_url(g)).get_data(as_text=True)
    assert "Kari Karriere" in page and counsellor.email in page


def test_host_adds_new_municipal_person_who_gets_an_account_and_activation_mail(client, world,
                                                                                  places, db):
    g = world["g46"]
    kinn = places.unit("4602")
    login(client, world["host46"].email)
    response = _add(client, g, "ny.radgiver@kinn.kommune.no", "Nina Ny", str(kinn.id))
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "ny.radgiver@kinn.kommune.no")).one()
    assert user.role == "municipal_contact"
    assert user.municipality_id == kinn.id and user.county_id == g.county_id
    assert not user.active
    assert [m.user_id for m in _members(db, g)] == [user.id]
    mail = db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.to_address == user.email)).one()
    assert mail.kind == "accounts.activate"
    assert "/account/activate/" in mail.body_text


def test_host_adds_new_county_staff_as_counsellor(client, world, db):
    g = world["g46"]
    login(client, world["host46"].email)
    assert _add(client, g, "ola@vlfk.no", "Ola Fylke").status_code == 302
    user = db.session.scalars(select(User).where(User.email == "ola@vlfk.no")).one()
    assert user.role == "counsellor" and user.municipality_id is None
    assert user.county_id == g.county_id
    assert db.session.scalars(select(OutboxMessage.kind)
                              .where(OutboxMessage.to_address == "ola@vlfk.no")).all() == [
        "accounts.activate"]


def test_page_warns_until_a_municipality_is_represented(client, world):
    g = world["g46"]
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    _add(client, g, world["counsellor46"].email)
    page = client.get(_url(g)).get_data(as_text=True)
    assert "No municipality is represented on the committee." in page
    assert "Municipalities are represented." not in page

    _add(client, g, world["contact4601"].email)
    page = client.get(_url(g)).get_data(as_text=True)
    assert "Municipalities are represented." in page
    assert "No municipality is represented" not in page
    assert "1 member comes from a municipality: Bergen." in page


@pytest.mark.parametrize(
    ("case", "email", "name", "expected"),
    [
        ("empty email", "", "Nina", "Enter an email address."),
        ("bad email", "ikke-en-adresse", "Nina", "Enter a valid email address."),
        ("another county's user", "CONTACT1103", "", "belongs to another county"),
        ("new person without a name", "navnlos@kinn.kommune.no", "", "Enter the person's name."),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_saves_nothing(client, world, db, case, email,
                                                                 name, expected):
    g = world["g46"]
    if email == "CONTACT1103":
        email = world["contact1103"].email
    users_before = _count(db, User)
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    response = _add(client, g, email, name)
    assert response.status_code == 422, case
    html = response.get_data(as_text=True)
    field = "name" if "name" in expected else "email"
    assert expected in _error_beside(html, field), case
    assert _members(db, g) == []
    assert _count(db, User) == users_before
    assert _count(db, OutboxMessage) == 0


def test_a_municipality_of_another_county_is_not_offered_and_refused(client, world, places, db):
    g = world["g46"]
    stavanger = places.unit("1103")
    login(client, world["host46"].email)
    page = client.get(_url(g)).get_data(as_text=True)
    assert f'value="{stavanger.id}"' not in page
    assert f'value="{places.unit("4601").id}"' in page
    response = _add(client, g, "lure@stavanger.kommune.no", "Lure", str(stavanger.id))
    assert response.status_code == 422
    assert _members(db, g) == []
    assert db.session.scalars(select(User).where(User.email == "lure@stavanger.kommune.no")
                              ).first() is None


def test_someone_already_on_the_committee_is_refused(client, world, db):
    g = world["g46"]
    client.set_cookie("lang", "en")
    login(client, world["host46"].email)
    assert _add(client, g, world["contact4601"].email).status_code == 302
    response = _add(client, g, world["contact4601"].email)
    assert response.status_code == 422
    assert "already on the committee" in _error_beside(response.get_data(as_text=True), "email")
    assert len(_members(db, g)) == 1


def test_only_the_host_adds_or_removes(client, world, db):
    g = world["g46"]
    login(client, world["host46"].email)
    _add(client, g, world["contact4601"].email)
    member = _members(db, g)[0]
    client.post("/account/logout", data={"csrf_token": get_csrf(client, _url(g))})

    for who in ("counsellor46", "contact4601"):
        login(client, world[who].email)
        page = client.get(_url(g))
        assert page.status_code == 200, who
        html = page.get_data(as_text=True)
        # Members can be read, but not their email, and there is no form to add.
        assert "Bergen-kontakt" in html
        assert world["contact4601"].email not in html
        assert 'name="email"' not in html
        token = get_csrf(client, _url(g))
        added = client.post(_url(g), data={"email": world["counsellor46"].email,
                                           "csrf_token": token})
        assert added.status_code == 403, who
        removed = client.post(f"{_url(g)}/{member.id}/remove", data={"csrf_token": token})
        assert removed.status_code == 403, who
        client.post("/account/logout", data={"csrf_token": token})
    assert [m.id for m in _members(db, g)] == [member.id]


def test_host_removes_a_member(client, world, db):
    g = world["g46"]
    login(client, world["host46"].email)
    _add(client, g, world["contact4601"].email)
    _add(client, g, world["counsellor46"].email)
    member_id = next(m.id for m in _members(db, g) if m.user_id == world["contact4601"].id)
    response = post_form(client, f"{_url(g)}/{member_id}/remove", {}, page=_url(g))
    assert response.status_code == 302
    assert [m.user_id for m in _members(db, g)] == [world["counsellor46"].id]
    # The account stays; only the membership goes.
    assert db.session.get(User, world["contact4601"].id) is not None
    # Removed once; again is "not found".
    again = post_form(client, f"{_url(g)}/{member_id}/remove", {}, page=_url(g))
    assert again.status_code == 404


def test_a_member_of_another_gathering_is_not_removed_through_this_one(client, world, db,
                                                                         make_gathering):
    g, spring = world["g46"], make_gathering(county="46", title="Vårsamling")
    login(client, world["host46"].email)
    _add(client, spring, world["contact4601"].email)
    member_id = _members(db, spring)[0].id
    response = post_form(client, f"{_url(g)}/{member_id}/remove", {}, page=_url(g))
    assert response.status_code == 404
    assert [m.id for m in _members(db, spring)] == [member_id]


def test_host_of_another_county_gets_404(client, world, db):
    g46 = world["g46"]
    login(client, world["host46"].email)
    _add(client, g46, world["contact4601"].email)
    member = _members(db, g46)[0]
    client.post("/account/logout", data={"csrf_token": get_csrf(client, _url(g46))})

    login(client, world["host11"].email)
    page = client.get(_url(g46))
    assert page.status_code == 404
    assert "Bergen-kontakt" not in page.get_data(as_text=True)
    token = get_csrf(client, _url(world["g11"]))
    assert client.post(_url(g46), data={"email": world["contact1103"].email,
                                        "csrf_token": token}).status_code == 404
    assert client.post(f"{_url(g46)}/{member.id}/remove",
                       data={"csrf_token": token}).status_code == 404
    assert [m.id for m in _members(db, g46)] == [member.id]
    # Nor can the host add their own people to the other county's gathering's committee.
    assert _members(db, world["g11"]) == []


def test_logged_out_visitor_is_sent_to_login(client, world):
    response = client.get(_url(world["g46"]))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
