"""Builders for test data. Each returns saved (committed) objects."""

from datetime import date

from sqlalchemy import select

from eventapp.accounts.services import create_user
from eventapp.extensions import db
from eventapp.gatherings.services import create_gathering
from eventapp.places.models import County, Municipality

PASSWORD = "Fjord-kaffe-tavle-9"  # noqa: S105 - passes the password rules
_counter = {"n": 0}


class Places:
    def county(self, number: str) -> County:
        return db.session.scalars(select(County).where(County.number == number)).one()

    def unit(self, number: str) -> Municipality:
        return db.session.scalars(select(Municipality).where(Municipality.number == number)).one()


places = Places()


def make_user(role: str, county: str | None = "46", municipality: str | None = None,
              email: str | None = None, password: str | None = PASSWORD, name: str | None = None,
              municipalities: list[str] = ()):
    _counter["n"] += 1
    email = email or f"{role}.{_counter['n']}@example.no"
    user = create_user(
        email=email,
        name=name or f"{role.replace('_', ' ').title()} {_counter['n']}",
        role=role,
        county=places.county(county) if county and role != "directorate" else None,
        municipality=places.unit(municipality) if municipality else None,
        password=password,
    )
    if municipalities:
        user.assigned_municipalities = [places.unit(n) for n in municipalities]
    db.session.commit()
    return user


def make_gathering(county: str = "46", title: str = "Fylkessamling", start=date(2027, 3, 10),
                   end=date(2027, 3, 11), **fields):
    # Test data may describe a gathering already held; the past-date rule has tests of its own.
    fields.setdefault("record_past", True)
    gathering = create_gathering(county=places.county(county), title=title, start_date=start,
                                 end_date=end, venue=fields.pop("venue", "Rådhuset"), **fields)
    db.session.commit()
    return gathering
