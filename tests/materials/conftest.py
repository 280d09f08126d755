"""Fixtures for materials: the grants' held gathering in Vestland (10–11 March 2027) with its
people, a programme item, the store in this test's own folder, and an upload helper."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventapp.gatherings.models import ProgrammeItem
from eventapp.materials import services
from eventapp.materials.models import Material
from tests.conftest import get_csrf
from tests.grants.conftest import add_person, as_user, example, world  # noqa: F401


@pytest.fixture(autouse=True)
def store_dir(app, tmp_path) -> Path:
    folder = tmp_path / "materials"
    app.config.update(MATERIALS_STORAGE="local", MATERIALS_DIR=str(folder))
    return folder


@pytest.fixture(autouse=True)
def _after_the_gathering(monkeypatch):
    # The world's gathering ends 11 March 2027; participants get slides after it. The rule has
    # a test of its own, which sets the day.
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))


@pytest.fixture
def item(db, world) -> ProgrammeItem:  # noqa: F811 - the fixture imported above
    g = world["gathering"]
    item = ProgrammeItem(gathering_id=g.id, kind="talk", title="Karriereveiledning i praksis",
                         starts_at=datetime(2027, 3, 10, 9, 0, tzinfo=UTC),
                         ends_at=datetime(2027, 3, 10, 10, 0, tzinfo=UTC))
    db.session.add(item)
    db.session.commit()
    return item


def stored_files(folder: Path) -> list[Path]:
    """Every file in the store, temporary ones included."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Material))


def upload(client, gathering, data: bytes, name: str, *, note: bool = False, item=None,
           personal: bool = False, **fields):
    """POST a file like the page's form does (multipart, with the CSRF token)."""
    page = f"/gatherings/{gathering.id}/materials"
    token = get_csrf(client, page)
    from io import BytesIO

    if note:
        form = {"csrf_token": token, "note-kind": fields.pop("kind", "notes"),
                "note-file": (BytesIO(data), name), **{f"note-{k}": v for k, v in fields.items()}}
        if personal:
            form["note-personal_data"] = "y"
        url = f"{page}/notes"
    else:
        form = {"csrf_token": token, "slides-item": str(item.id) if item else "",
                "slides-file": (BytesIO(data), name)}
        if personal:
            form["slides-personal_data"] = "y"
        url = f"{page}/slides"
    return client.post(url, data=form, content_type="multipart/form-data")
