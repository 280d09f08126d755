"""The municipality board searched and sorted from the address; unknown values ignored."""

import re

from tests.conftest import login
from tests.invitations import test_board

world = test_board.world


def _rows(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr id="m-(\d{4})"', response.get_data(as_text=True))


def _get(client, g, **args):
    return client.get(f"/gatherings/{g.id}/board", query_string=args)


def test_board_search_and_sort(client, world):
    g = world["gathering"]
    login(client, world["host"].email)
    assert _rows(_get(client, g, q="bergen")) == ["4601"]
    assert _rows(_get(client, g, q="4614")) == ["4614"]
    assert _rows(_get(client, g, q="berit")) == ["4601"]  # a contact's name
    assert sorted(_rows(_get(client, g, q="kari veileder"))) == ["4601", "4636"]  # counsellor
    assert _rows(_get(client, g, q="reisestøtte")) == ["4636"]  # the next step
    by_registered = _get(client, g, sort="-registered")
    assert _rows(by_registered)[0] == "4601"
    assert 'aria-sort="descending"' in by_registered.get_data(as_text=True)
    by_name = _rows(_get(client, g, sort="municipality"))
    assert by_name == sorted(by_name, key=lambda n: by_name.index(n))  # stable, and all there
    assert len(by_name) == len(_rows(_get(client, g)))
    # The state filter and the search combine.
    assert _rows(_get(client, g, state="registered", q="voss")) == ["4621"]
    assert _rows(_get(client, g, state="not_reached", q="bergen")) == []
    assert "Ingen kommuner passer søket." in _get(client, g, q="zzz").get_data(as_text=True)


def test_board_hostile_values(client, world):
    g = world["gathering"]
    login(client, world["counsellor"].email)
    everything = _rows(_get(client, g))
    for args in ({"sort": "__dict__"}, {"sort": "-" * 300}, {"q": "q" * 5000},
                 {"state": "<b>"}, {"q": "%"}):
        response = _get(client, g, **args)
        assert response.status_code == 200
        if "q" not in args:
            assert _rows(response) == everything
