"""The demo's places: the shipped counties and municipalities, looked up by number."""

from sqlalchemy import select

from eventapp.extensions import db


def load_places() -> None:
    """The shipped place lists (loading them again changes nothing)."""
    from eventapp.places.services import load_shipped

    load_shipped()
    db.session.commit()


def county(number: str):
    from eventapp.places.models import County

    return db.session.scalars(select(County).where(County.number == number)).one()


def unit(number: str):
    from eventapp.places.models import Municipality

    return db.session.scalars(select(Municipality).where(Municipality.number == number)).one()
