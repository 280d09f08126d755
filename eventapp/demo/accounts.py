"""The demo's users: one per role, with a password printed for the local demo; the counsellor
is assigned five of Vestland's municipalities."""

from sqlalchemy import select

from eventapp.core.access import Role
from eventapp.demo.places import county, unit
from eventapp.extensions import db

DEMO_PASSWORD = "Samling-demo-2026!"  # noqa: S105 - printed for the local demo on purpose
DEMO_USERS = [
    ("direktorat@demo.eventapp.no", "Hanne Direktorat", Role.DIRECTORATE, None, None),
    ("vert@demo.eventapp.no", "Vilde Vertskap", Role.COUNTY_HOST, "46", None),
    ("veileder@demo.eventapp.no", "Kari Karriereveileder", Role.COUNSELLOR, "46", None),
    ("kommune@demo.eventapp.no", "Omar Flyktningetjenesten", Role.MUNICIPAL_CONTACT, "46", "4601"),
]
DEMO_COUNSELLOR_MUNICIPALITIES = ["4601", "4624", "4626", "4627", "4631"]


def demo_user(index: int):
    """The demo user in ``DEMO_USERS[index]`` (0 directorate, 1 host, 2 counsellor, 3 municipal
    contact)."""
    from eventapp.accounts.models import User

    return db.session.scalars(select(User).where(User.email == DEMO_USERS[index][0])).one()


def demo_users() -> list[tuple[str, str, str]]:
    """A user per role, once; returns the logins (role, email, password) to print."""
    from eventapp.accounts.models import User
    from eventapp.accounts.services import assign_municipalities, create_user

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
    host, counsellor = demo_user(1), demo_user(2)
    if not counsellor.assigned_municipalities:
        assign_municipalities(host, counsellor, [unit(n) for n in DEMO_COUNSELLOR_MUNICIPALITIES])
    return logins
