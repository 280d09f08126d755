"""Hostile lists in the places import: a message, nothing changed, never a 500.

The places import reads CSV only (no XLSX): a field beyond the csv module's limit (128 KB), a
quote never closed and a NUL character are refused with a message on the page and from the
command line.
"""

import io

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.places import services
from eventapp.places.models import Municipality
from tests.conftest import get_csrf, login

HEADER = "number,name,county_number,county_name\n"
HOSTILE = {
    "long field": HEADER + "4601,Bergen,46,Vestland\n4699," + "x" * 200_000 + ",46,Vestland\n",
    "unclosed quote": HEADER + '4601,Bergen,46,Vestland\n4699,"Ny,46,Vestland\n' + "y" * 200_000,
    "NUL": HEADER + "4601,Ber\x00gen,46,Vestland\n",
}


def _municipalities(db) -> list[tuple[str, str, bool]]:
    return list(db.session.execute(select(Municipality.number, Municipality.name,
                                          Municipality.active).order_by(Municipality.number)))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_list_is_refused_by_the_service(places, db, name):
    with pytest.raises(ValidationFailed) as refused:
        services.read_csv(HOSTILE[name])
    assert refused.value.message


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_list_through_the_page_is_refused_with_a_message(client, make_user, db, name):
    user = make_user("directorate", county=None)
    before = _municipalities(db)
    client.set_cookie("lang", "en")
    login(client, user.email)
    token = get_csrf(client, "/places/import")
    response = client.post("/places/import", data={
        "file": (io.BytesIO(HOSTILE[name].encode()), "kommuner.csv"), "csrf_token": token,
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ("131072" in page.replace("\u00a0", "").replace(" ", "") if name != "NUL"
            else "NUL" in page)
    assert _municipalities(db) == before


def test_hostile_list_from_the_command_line_is_refused(app, places, db, tmp_path):
    path = tmp_path / "kommuner.csv"
    path.write_text(HOSTILE["long field"])
    count = db.session.scalar(select(func.count()).select_from(Municipality))
    result = app.test_cli_runner().invoke(args=["places", "import", str(path)])
    assert result.exit_code != 0
    assert "131" in result.output
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == count
