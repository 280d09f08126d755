"""Fixtures for the grant: a held gathering in Vestland with its people, and builders for
registrations with per-day check-in, applications, decisions and budget lines."""

import itertools
import re
from datetime import date

import pytest
from sqlalchemy import select

from eventapp.api.services import create_token
from eventapp.grants import services
from eventapp.places.models import County, Municipality
from eventapp.registration.models import Registration

_seq = itertools.count(1)


@pytest.fixture
def world(db, places, make_user, make_gathering):
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 11))
    gathering.status = "held"
    db.session.commit()
    return {
        "gathering": gathering,
        "host": make_user("county_host", county="46", email="vert@vestland.example"),
        "counsellor": make_user("counsellor", county="46", email="veileder@vestland.example"),
        "contact": make_user("municipal_contact", county="46", municipality="4601",
                             email="kontakt@bergen.example"),
        "outsider": make_user("county_host", county="11", email="vert@rogaland.example"),
        "directorate": make_user("directorate", county=None, email="hkdir@example.no"),
    }


def vestland_units(db, count: int | None = None) -> list[Municipality]:
    county = db.session.scalars(select(County).where(County.number == "46")).one()
    units = db.session.scalars(select(Municipality).where(
        Municipality.county_id == county.id, Municipality.kind == "municipality")
        .order_by(Municipality.number)).all()
    return list(units[:count] if count else units)


def add_person(db, gathering, *, kind="municipality", unit=None, role="programme_adviser",
               day1=True, day2=True, name=None, commit=True, **fields) -> Registration:
    """A confirmed registration; ``day1``/``day2`` say on which days the person checked in
    (``None`` for not checked in), as the per-day check-in records it."""
    n = next(_seq)
    if kind in ("municipality", "district") and unit is None:
        unit = vestland_units(db, 1)[0]
    registration = Registration(
        gathering_id=gathering.id, organisation_kind=kind,
        municipality_id=unit.id if unit is not None else None,
        county_id=gathering.county_id if kind == "county" else None,
        partner_name="NAV Vestland" if kind == "partner" else None,
        name=name or f"Deltaker {n}", email=fields.pop("email", f"deltaker{n}@example.no"),
        role=role, status=fields.pop("status", "confirmed"), channel="host",
        attended_day1=day1, attended_day2=day2,
        attended=bool(day1 or day2) if (day1 is not None or day2 is not None) else None,
        **fields)
    db.session.add(registration)
    if commit:
        db.session.commit()
    return registration


def add_attended(db, gathering, count: int, **kwargs) -> list[Registration]:
    """``count`` municipal staff checked in on both days, spread over the county's
    municipalities."""
    units = vestland_units(db)
    made = [add_person(db, gathering, unit=units[i % len(units)], commit=False, **kwargs)
            for i in range(count)]
    db.session.commit()
    return made


def decide_grant(db, gathering, host, directorate, *, planned=65, applied=250_000,
                 granted=250_000, comment=None):
    application = services.apply(gathering, host, planned_participants=planned,
                                 applied_nok=applied)
    services.decide(application, directorate, granted_nok=granted, comment=comment)
    db.session.commit()
    return application


def spend(db, gathering, host, actual: int, *, planned: int | None = None,
          category="venue", description="Hotellet"):
    line = services.add_line(gathering, host, services.LineData(
        category=category, description=description,
        planned_nok=actual if planned is None else planned, actual_nok=actual))
    db.session.commit()
    return line


@pytest.fixture
def example(db, world):
    """The issue's worked example: 58 checked in, 250 000 granted, 210 000 spent."""
    g, host = world["gathering"], world["host"]
    add_attended(db, g, 58)
    decide_grant(db, g, host, world["directorate"])
    spend(db, g, host, 150_000, planned=160_000, category="venue", description="Hotell og saler")
    spend(db, g, host, 60_000, planned=70_000, category="meals", description="Lunsj og middag")
    return world


@pytest.fixture
def api_headers(db):
    def headers(user) -> dict:
        _token, raw = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def as_user(app):
    """A fresh client logged in as ``user`` (one client per person, like separate browsers)."""
    from tests.conftest import login

    def make(user):
        client = app.test_client()
        # English, so the assertions read the same before and after the Bokmål catalogue.
        client.set_cookie("lang", "en")
        response = login(client, user.email)
        assert response.status_code == 302, "login failed"
        return client

    return make


def figure(html: str, name: str) -> str:
    """The text of the element marked ``data-figure="name"`` (its first text, trimmed)."""
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name!r} on the page"
    return " ".join(match.group(1).replace("\u00a0", " ").split())


def page_figures(html: str) -> dict:
    return {m.group(1): " ".join(m.group(2).replace("\u00a0", " ").split())
            for m in re.finditer(r'data-figure="([^"]+)"[^>]*>([^<]*)<', html)}
