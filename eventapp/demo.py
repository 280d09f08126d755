"""The demo's data: a user per role, a county with a gathering. Safe to run again."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from eventapp.core.access import Role
from eventapp.extensions import db

DEMO_PASSWORD = "Samling-demo-2026!"  # noqa: S105 - printed for the local demo on purpose
DEMO_USERS = [
    ("direktorat@demo.eventapp.no", "Hanne Direktorat", Role.DIRECTORATE, None, None),
    ("vert@demo.eventapp.no", "Vilde Vertskap", Role.COUNTY_HOST, "46", None),
    ("veileder@demo.eventapp.no", "Kari Karriereveileder", Role.COUNSELLOR, "46", None),
    ("kommune@demo.eventapp.no", "Omar Flyktningetjenesten", Role.MUNICIPAL_CONTACT, "46", "4601"),
]
DEMO_COUNSELLOR_MUNICIPALITIES = ["4601", "4624", "4626", "4627", "4631"]


def demo_setup() -> list[tuple[str, str, str]]:
    """Everything the demo needs; running it again changes nothing that exists."""
    from flask_migrate import upgrade

    from eventapp.accounts.models import User
    from eventapp.accounts.services import assign_municipalities, create_user
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import create_gathering
    from eventapp.places.models import County, Municipality
    from eventapp.places.services import load_shipped

    upgrade(directory=current_app.extensions["migrate"].directory)
    load_shipped()
    db.session.commit()

    def county(number):
        return db.session.scalars(select(County).where(County.number == number)).one()

    def unit(number):
        return db.session.scalars(select(Municipality).where(Municipality.number == number)).one()

    logins = []
    for email, name, role, county_number, municipality_number in DEMO_USERS:
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = create_user(
                email=email, name=name, role=role, password=DEMO_PASSWORD,
                county=county(county_number) if county_number else None,
                municipality=unit(municipality_number) if municipality_number else None,
            )
        logins.append((role.value, email, DEMO_PASSWORD))
    host = db.session.scalars(select(User).where(User.email == DEMO_USERS[1][0])).one()
    counsellor = db.session.scalars(select(User).where(User.email == DEMO_USERS[2][0])).one()
    if not counsellor.assigned_municipalities:
        assign_municipalities(host, counsellor, [unit(n) for n in DEMO_COUNSELLOR_MUNICIPALITIES])
    vestland = county("46")
    exists = db.session.scalars(select(Gathering).where(Gathering.county_id == vestland.id)).first()
    if exists is None:
        create_gathering(
            county=vestland, actor=host,
            title="Fylkessamling om karriereveiledning for flyktninger 2027",
            start_date=date(2027, 3, 10), end_date=date(2027, 3, 11),
            venue="Scandic Ørnen", address="Lars Hilles gate 18, 5008 Bergen",
            registration_opens=date(2027, 1, 11), registration_closes=date(2027, 2, 24),
            capacity=90,
        )
    db.session.commit()
    return logins
