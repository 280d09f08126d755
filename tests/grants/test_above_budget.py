"""A grant application above the planned budget warns beside the amount and is still sent
(issue 16, guard rails): a warning, never a refusal."""

from html import unescape

from sqlalchemy import select

from eventapp.grants.models import GrantApplication
from tests.conftest import get_csrf
from tests.grants.conftest import spend


def _text(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).replace("\u00a0", " ").split())


def _apply(client, gathering, amount: str):
    url = f"/gatherings/{gathering.id}/grant"
    return client.post(f"{url}/application", data={
        "planned_participants": "50", "applied_nok": amount, "note": "",
        "csrf_token": get_csrf(client, url)}, follow_redirects=True)


def test_above_the_budget_is_sent_with_a_warning_beside_the_amount(db, as_user, world):
    g = world["gathering"]
    spend(db, g, world["host"], 0, planned=150_000)
    host = as_user(world["host"])
    host.set_cookie("lang", "nb")
    shown = _text(_apply(host, g, "180 000"))
    assert "Beløpet du søker om, er 30 000 kroner over det planlagte budsjettet på 150 000 " \
           "kroner." in shown
    application = db.session.scalars(select(GrantApplication)).one()
    assert application.applied_nok == 180_000 and application.status == "submitted"
    page = host.get(f"/gatherings/{g.id}/grant")
    html = page.get_data(as_text=True)
    assert 'data-warning="applied-above-budget"' in html
    assert 'data-warning="above-budget"' in html  # beside the amount in the form
    assert "Over planlagt budsjett" in _text(page)
    assert "Du kan likevel sende den" in _text(page)


def test_within_the_budget_no_warning(db, as_user, world):
    g = world["gathering"]
    spend(db, g, world["host"], 0, planned=200_000)
    host = as_user(world["host"])
    host.set_cookie("lang", "nb")
    shown = _text(_apply(host, g, "180 000"))
    assert "over det planlagte budsjettet" not in shown
    html = host.get(f"/gatherings/{g.id}/grant").get_data(as_text=True)
    assert "data-warning=\"above-budget\"" not in html
    assert "data-warning=\"applied-above-budget\"" not in html


def test_others_see_the_mark_but_no_form(db, as_user, world):
    g = world["gathering"]
    spend(db, g, world["host"], 0, planned=100_000)
    host = as_user(world["host"])
    _apply(host, g, "180 000")
    html = as_user(world["counsellor"]).get(f"/gatherings/{g.id}/grant").get_data(as_text=True)
    assert 'data-warning="applied-above-budget"' in html
    assert 'data-warning="above-budget"' not in html
