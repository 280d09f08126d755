"""«Lag ny bordplan» asks first when a plan exists: it says how many hand moves are lost; a post
without the confirmation changes nothing; the first plan and «plan again» need no question."""

import html as html_lib

from eventapp.seating import services
from tests.conftest import get_csrf, login
from tests.seating import test_views, world
from tests.seating.test_views import base

w = test_views.w  # the seating tests' world


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def test_a_new_plan_asks_and_names_the_lost_hand_moves(db, client, w):
    g, host = w["gathering"], w["host"]
    world.setup_plan(w)
    services.plan(g, host)
    db.session.commit()
    current = services.current_plan(g)
    rnd = current.rounds[0]
    seat_of = world.seat_map(g)
    person = next(reg for (round_id, reg), _t in seat_of.items() if round_id == rnd.round.id)
    other_table = next(t.id for t in services.tables(g) if t.id != seat_of[(rnd.round.id, person)])
    services.move(g, host, registration_id=person, round_id=rnd.round.id, table_id=other_table)
    db.session.commit()
    before = world.seat_map(g)

    login(client, host.email)
    plan_page = client.get(base(g) + "/plan").get_data(as_text=True)
    assert f'href="{base(g)}/plan/new"' in plan_page
    page = client.get(base(g) + "/plan/new")
    shown = _text(page)
    assert page.status_code == 200 and "Lage ny bordplan?" in shown
    assert "1 flytting gjort for hånd går tapt." in shown
    assert "Ja, lag ny bordplan" in shown

    token = get_csrf(client, base(g) + "/plan")
    stale = client.post(base(g) + "/plan", data={"csrf_token": token, "plan": "1"})
    assert stale.status_code == 200 and "går tapt" in _text(stale)
    assert world.seat_map(g) == before
    assert services.current_plan(g).moved_by_hand

    done = client.post(base(g) + "/plan", data={"csrf_token": token, "plan": "1",
                                               "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert not services.current_plan(g).moved_by_hand


def test_the_first_plan_needs_no_question(db, client, w):
    g = w["gathering"]
    world.setup_plan(w)
    login(client, w["host"].email)
    assert client.get(base(g) + "/plan/new").status_code == 302
    token = get_csrf(client, base(g) + "/plan")
    assert client.post(base(g) + "/plan", data={"csrf_token": token, "plan": "1"}).status_code \
        == 302
    assert services.current_plan(g) is not None


def test_counsellors_get_no_new_plan_page(db, client, w):
    login(client, w["counsellor"].email)
    assert client.get(base(w["gathering"]) + "/plan/new").status_code == 403
