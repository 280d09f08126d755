"""The directorate's list of gatherings: searched, filtered by county, year and status, and
sorted from the address; unknown values are ignored; dates read one way."""

import html as html_lib
import re
from datetime import date

import pytest

from tests.conftest import login


@pytest.fixture
def gatherings(db, make_gathering, make_user):
    made = [
        make_gathering(county="46", title="Vårsamling Vestland", start=date(2027, 3, 10),
                       end=date(2027, 3, 11)),
        make_gathering(county="11", title="Høstsamling Rogaland", start=date(2026, 10, 1),
                       end=date(2026, 10, 1)),
        make_gathering(county="03", title="Åpen samling Oslo", start=date(2027, 4, 30),
                       end=date(2027, 5, 1)),
    ]
    made[1].status = "open"
    db.session.commit()
    return made


def _titles(response) -> list[str]:
    return re.findall(r'<a href="/gatherings/\d+">([^<]+)</a>', response.get_data(as_text=True))


def _get(client, **args):
    response = client.get("/gatherings/", query_string=args)
    assert response.status_code == 200, args
    return response


def test_search_filter_and_sort(client, make_user, gatherings):
    login(client, make_user("directorate", county=None).email)
    assert _titles(_get(client)) == ["Åpen samling Oslo", "Vårsamling Vestland",
                                     "Høstsamling Rogaland"]
    assert _titles(_get(client, q="rogaland")) == ["Høstsamling Rogaland"]
    assert _titles(_get(client, q="ÅPEN")) == ["Åpen samling Oslo"]
    assert _titles(_get(client, county="46")) == ["Vårsamling Vestland"]
    assert _titles(_get(client, year="2026")) == ["Høstsamling Rogaland"]
    assert _titles(_get(client, status="open")) == ["Høstsamling Rogaland"]
    assert _titles(_get(client, sort="date")) == ["Høstsamling Rogaland", "Vårsamling Vestland",
                                                  "Åpen samling Oslo"]
    assert _titles(_get(client, sort="title")) == ["Høstsamling Rogaland", "Vårsamling Vestland",
                                                   "Åpen samling Oslo"]
    text = " ".join(html_lib.unescape(_get(client).get_data(as_text=True)).split())
    assert "10.–11. mars 2027" in text and "30. april–1. mai 2027" in text
    assert "1. oktober 2026" in text
    assert "Ingen samlinger passer søket." in _get(client, q="finnes ikke").get_data(as_text=True)


def test_hostile_values_are_ignored(client, make_user, gatherings):
    login(client, make_user("directorate", county=None).email)
    everything = _titles(_get(client))
    for args in ({"sort": "__init__"}, {"county": "9" * 400}, {"year": "-1"},
                 {"year": "2027' OR '1"}, {"status": "<script>"}, {"q": "y" * 5000},
                 {"sort": "--date"}):
        response = _get(client, **args)
        if "q" not in args:
            assert _titles(response) == everything, args
        assert "<script>" not in response.get_data(as_text=True).split("</header>")[-1]


def test_a_county_host_sees_only_their_own(client, make_user, gatherings):
    login(client, make_user("county_host", county="46").email)
    assert _titles(_get(client, county="11")) == ["Vårsamling Vestland"]
    assert 'name="county"' not in _get(client).get_data(as_text=True)
