"""Loading the shipped lists and importing updated ones."""

import io

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.places import services
from eventapp.places.models import County, Municipality
from tests.conftest import get_csrf, login


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def test_load_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["places", "load"])
    assert first.exit_code == 0, first.output
    assert "municipalities: 357 added" in first.output
    second = runner.invoke(args=["places", "load"])
    assert "municipalities: 0 added, 0 changed, 0 retired, 357 unchanged" in second.output
    assert _count(db, County) == 15
    assert _count(db, Municipality, kind="municipality") == 357
    assert _count(db, Municipality, kind="district") == 15
    oslo = db.session.scalars(select(Municipality).where(Municipality.number == "0301")).one()
    sagene = db.session.scalars(select(Municipality).where(Municipality.number == "030103")).one()
    assert sagene.parent_id == oslo.id and sagene.county_id == oslo.county_id


def _vestland_csv(rows):
    return "number,name,county_number,county_name\n" + "".join(
        f"{n},{name},46,Vestland\n" for n, name in rows
    )


def test_import_upserts_and_retires_without_deleting(places, db, make_user):
    contact = make_user("municipal_contact", county="46", municipality="4602")
    current = [(m.number, m.name) for m in db.session.scalars(
        select(Municipality).where(Municipality.kind == "municipality").order_by(Municipality.number))]
    # A reform: 4602 Kinn merges away (retired), 4611 is renamed, 4699 is new.
    rows = [(n, "Nyby" if n == "4611" else name) for n, name in current if n != "4602"]
    rows.append(("4699", "Fjordkommune"))
    header = "number,name,county_number,county_name\n"
    county_names = {c.number: c.name for c in db.session.scalars(select(County))}
    text = header + "".join(f"{n},{name},{n[:2]},{county_names[n[:2]]}\n" for n, name in rows)
    plan = services.plan_import(*services.read_csv(text))
    assert plan.count("added") == 1 and plan.count("changed") == 1 and plan.count("retired") == 1
    assert db.session.get(Municipality, contact.municipality_id).active  # a plan changes nothing
    services.apply_import(plan)
    db.session.commit()
    kinn = db.session.get(Municipality, contact.municipality_id)
    assert kinn.number == "4602" and kinn.active is False  # referenced: kept, marked inactive
    assert db.session.scalars(select(Municipality).where(Municipality.number == "4611")).one().name \
        == "Nyby"
    assert db.session.scalars(select(Municipality).where(Municipality.number == "4699")).one().active
    # The reissued number comes back active when a later list has it again.
    again = services.plan_import(*services.read_csv(text + "4602,Kinn,46,Vestland\n"))
    assert again.count("reactivated") == 1


@pytest.mark.parametrize("text,problem", [
    ("id,navn\n1,x\n", "første linjen"),
    ("number,name,county_number,county_name\n46X1,Bad,46,Vestland\n", "Linje 2"),
    ("number,name,county_number,county_name\n4601,,46,Vestland\n", "Linje 2"),
    ("number,name,county_number,county_name\n4601,Bergen,46,Vestland\n4601,Bergen,46,Vestland\n",
     "Linje 3"),
    ("number,name,county_number,county_name\n1101,Eigersund,46,Vestland\n", "Linje 2"),
    ("number,name,municipality_number\n039901,Ny bydel,0399\n", "0399"),
    ("number,name,county_number,county_name\n", "ingen rader"),
])
def test_bad_lists_are_refused_and_change_nothing(places, db, text, problem):
    before = _count(db, Municipality, active=True)
    with pytest.raises(ValidationFailed) as refused:
        services.import_csv(text)
    assert problem in refused.value.message + " ".join(refused.value.fields.values())
    db.session.rollback()
    assert _count(db, Municipality, active=True) == before


def test_cli_import_dry_run_changes_nothing(app, places, db, tmp_path):
    path = tmp_path / "vestland.csv"
    path.write_text(_vestland_csv([("4601", "Bergen")]), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["places", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "356 retired" in result.output and "dry run" in result.output
    assert _count(db, Municipality, kind="municipality", active=True) == 357


def test_cli_import_refuses_a_bad_file(app, places, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("number,name,county_number,county_name\n12,Feil,46,Vestland\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["places", "import", str(path)])
    assert result.exit_code != 0
    assert "Linje 2" in result.output


def test_directorate_imports_through_the_page_with_a_preview(client, make_user, db):
    user = make_user("directorate", county=None)
    login(client, user.email)
    token = get_csrf(client, "/places/import")
    text = "number,name,municipality_number\n" + "".join(
        f"0301{i:02d},{'Ny bydel' if i == 16 else name},0301\n"
        for i, name in enumerate(["x"] * 17) if i > 0
    )
    response = client.post("/places/import", data={
        "file": (io.BytesIO(text.encode()), "bydeler.csv"), "csrf_token": token,
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "030116" in page and "Ny bydel" in page
    assert _count(db, Municipality, kind="district") == 15  # nothing saved yet
    confirm_token = get_csrf(client, "/places/import")
    response = client.post("/places/import/confirm", data={"content": text,
                                                          "csrf_token": confirm_token})
    assert response.status_code == 302
    assert _count(db, Municipality, kind="district") == 16


def test_import_page_shows_problems_and_saves_nothing(client, make_user, db):
    user = make_user("directorate", county=None)
    login(client, user.email)
    token = get_csrf(client, "/places/import")
    bad = "number,name,county_number,county_name\n4601,Bergen,46,Vestland\n99,X,46,Vestland\n"
    response = client.post("/places/import", data={
        "file": (io.BytesIO(bad.encode()), "bad.csv"), "csrf_token": token,
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "3" in response.get_data(as_text=True)
    assert _count(db, Municipality, kind="municipality", active=True) == 357
    response = client.post("/places/import", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'class="error-message"' in response.get_data(as_text=True)


def test_only_the_directorate_may_import(client, make_user):
    host = make_user("county_host")
    login(client, host.email)
    assert client.get("/places/import").status_code == 403
    token = get_csrf(client, "/")
    assert client.post("/places/import/confirm", data={"content": "x", "csrf_token": token}) \
        .status_code == 403
