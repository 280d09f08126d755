"""A fixed number of statements per page (issue 20): the start page (for visitors, a county host
and the directorate) and a gathering's overview run as many statements with two counties'
gatherings, grant applications and final reports as with every county's, over two years; and
the overview as many for a few registrations as for many."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eventapp.grants.models import FinalReport, GrantApplication
from eventapp.places.models import County
from tests.conftest import login
from tests.querycount import statements
from tests.registration.test_query_counts import crowd

FIGURES = {"participants": 40, "spent_nok": 90_000, "granted_nok": 100_000}


@pytest.fixture
def users(db, make_user):
    return {"visitor": None, "host": make_user("county_host", county="46"),
            "directorate": make_user("directorate", county=None)}


def gatherings(db, make_gathering, counties: list[str], year: int) -> None:
    """In each county a gathering of ``year`` waiting for the directorate (an application and a
    final report submitted), one whose report was sent back, and one approved long ago whose
    personal data is due to go; published ones among them."""
    long_ago = datetime(year + 1, 1, 15, tzinfo=UTC)
    for number in counties:
        waiting, returned, approved = (
            make_gathering(county=number, title=f"{what} {number} {year}",
                           start=date(year, 3, 10), end=date(year, 3, 11))
            for what in ("Venter", "Retur", "Godkjent"))
        waiting.status, returned.status, approved.status = "closed", "held", "reported"
        db.session.add(GrantApplication(gathering_id=waiting.id, planned_participants=40,
                                        rate_nok=3000, applied_nok=100_000))
        db.session.add(FinalReport(gathering_id=waiting.id, status="submitted",
                                   submitted_at=long_ago, **FIGURES))
        db.session.add(FinalReport(gathering_id=returned.id, status="returned",
                                   submitted_at=long_ago))
        db.session.add(FinalReport(gathering_id=approved.id, status="approved",
                                   submitted_at=long_ago, decided_at=long_ago, **FIGURES))
    db.session.commit()


def _get(client, url: str):
    with statements() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted, response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["visitor", "host", "directorate"])
def test_the_start_page(client, db, make_gathering, users, who):
    if users[who] is not None:
        login(client, users[who].email)
    gatherings(db, make_gathering, ["46", "11"], 2024)
    small, _page = _get(client, "/")
    others = [n for n in db.session.scalars(select(County.number)) if n not in ("46", "11")]
    gatherings(db, make_gathering, others, 2024)
    gatherings(db, make_gathering, ["46", "11", *others], 2025)
    large, page = _get(client, "/")
    if who == "directorate":
        assert page.count("/grant\"") >= 10  # the applications waiting, every county's
    assert large.n == small.n, f"small: {small}\nlarge: {large}"


def test_the_gathering_overview(client, db, make_gathering, users):
    g = make_gathering(county="46", municipal_cap=2, pool_cap=20)
    g.status = "open"
    db.session.commit()
    login(client, users["host"].email)
    crowd(db, g, users["host"], 0, 2)
    small, _page = _get(client, f"/gatherings/{g.id}")
    crowd(db, g, users["host"], 2, 12)
    large, _page = _get(client, f"/gatherings/{g.id}")
    assert large.n == small.n, f"small: {small}\nlarge: {large}"
