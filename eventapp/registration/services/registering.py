"""Registering for a gathering: a place is checked and taken under a lock on the row that owns
the cap, so no cap is ever exceeded, however many register at once.

A municipality's (or Oslo district's) places are owned by its GatheringMunicipality row; the
pool for county staff and partners, and the venue's capacity, by the Gathering row. The lock
order is always gathering first, then municipality, so two registrations never deadlock.
"""

from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import County, Municipality
from eventapp.registration.models import (
    CHANNELS,
    MANAGE_LINK,
    ROLES,
    GatheringMunicipality,
    Registration,
)

LIVE = ("confirmed", "waitlisted")


@dataclass
class RegistrationData:
    """What a registrant enters. ``municipality_number`` for a municipality or district,
    ``county_number`` for county staff, ``partner_name`` for partners."""

    name: str
    email: str
    organisation_kind: str
    role: str
    municipality_number: str | None = None
    county_number: str | None = None
    partner_name: str | None = None
    phone: str = ""
    day1: bool = True
    day2: bool = True
    attends_dinner: bool = False
    dietary_needs: str = ""
    dietary_consent: bool = False
    accessibility_needs: str = ""
    accommodation: bool = False
    travel_support_requested: bool = False
    list_consent: bool = False


def registration_open(gathering: Gathering, today: date | None = None) -> bool:
    today = today or utcnow().astimezone(OSLO).date()
    if gathering.status != "open":
        return False
    if gathering.registration_opens and today < gathering.registration_opens:
        return False
    return not (gathering.registration_closes and today > gathering.registration_closes)


def registration_units(gathering: Gathering) -> list[Municipality]:
    """Who registers as a municipality: the county's municipalities, and in Oslo the districts."""
    units = db.session.scalars(
        select(Municipality).where(Municipality.county_id == gathering.county_id,
                                   Municipality.active.is_(True)).order_by(Municipality.name)
    ).all()
    districts = {u.parent_id for u in units if u.kind == "district"}
    return [u for u in units if u.id not in districts]


def _validate(gathering: Gathering, data: RegistrationData, host: bool) -> dict:
    """Check the input and resolve the organisation; raise with every problem named."""
    problems: dict = {}
    resolved: dict = {}
    if not (data.name or "").strip():
        problems["name"] = _("Enter your name.")
    elif len(data.name.strip()) > 200:
        problems["name"] = _("The name can be at most 200 characters.")
    try:
        resolved["email"] = validate_email((data.email or "").strip(),
                                           check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems["email"] = _("Enter a valid work email address.")
    if data.role not in ROLES:
        problems["role"] = _("Choose your role.")
    kind = data.organisation_kind
    if kind in ("municipality", "district"):
        unit = db.session.scalars(
            select(Municipality).where(Municipality.number == (data.municipality_number or ""))
        ).first()
        if unit is None or not unit.active or unit not in registration_units(gathering):
            problems["municipality"] = _("Choose a municipality in %(county)s.",
                                         county=gathering.county.name)
        else:
            resolved["municipality"] = unit
            kind = unit.kind
    elif kind == "county":
        county = db.session.scalars(
            select(County).where(County.number == (data.county_number or gathering.county.number))
        ).first()
        if county is None:
            problems["county"] = _("Unknown county.")
        resolved["county"] = county
    elif kind == "partner":
        if not (data.partner_name or "").strip():
            problems["partner_name"] = _("Enter the name of your organisation.")
    else:
        problems["organisation_kind"] = _("Choose where you work.")
    resolved["kind"] = kind
    if not (data.day1 or data.day2) or (gathering.days == 1 and not data.day1):
        problems["days"] = _("Choose at least one of the days.")
    if (data.dietary_needs or "").strip() and not data.dietary_consent:
        problems["dietary_consent"] = _(
            "Tick the box to let the host keep your dietary needs, or leave them out.")
    if not host and not registration_open(gathering):
        problems["form"] = _("Registration for this gathering is closed.")
    if "email" in resolved and db.session.scalars(
        select(Registration.id).where(Registration.gathering_id == gathering.id,
                                      Registration.email == resolved["email"],
                                      Registration.status.in_(LIVE))
    ).first():
        problems["email"] = _("This email address is already registered for the gathering. "
                              "Use the link in your confirmation to change it.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return resolved


def lock_gathering(gathering: Gathering) -> None:
    """Hold the gathering's row: the pool's places and the venue's capacity (lock it first)."""
    lock_row(Gathering, gathering.id)


def cap_row(gathering: Gathering, municipality: Municipality, lock: bool = False):
    """The row that owns a municipality's places in a gathering, created when first needed.

    Created with INSERT ... ON CONFLICT DO NOTHING, so two first registrations at once both
    end up with the same row instead of one failing."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(GatheringMunicipality)
        .values(gathering_id=gathering.id, municipality_id=municipality.id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["gathering_id", "municipality_id"])
    )
    row = db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.gathering_id == gathering.id,
        GatheringMunicipality.municipality_id == municipality.id,
    ).execution_options(populate_existing=True)).one()
    if lock:
        lock_row(GatheringMunicipality, row.id)
    return row


def count_confirmed(gathering: Gathering, *where) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.gathering_id == gathering.id, Registration.status == "confirmed", *where)
    ) or 0


def ensure_unreported(gathering: Gathering) -> None:
    """Once the final report is approved the registrations are the record it was counted from
    (and may have been purged): nobody registers, cancels, swaps or checks in any more."""
    if gathering.status == "reported":
        raise Conflict(_("The gathering's final report is approved, so its registrations can no "
                         "longer change."))


def register(gathering: Gathering, data: RegistrationData, *, channel: str, actor=None,
             invitation_id: int | None = None) -> Registration:
    """Take a place if one is free, else join the waitlist of the municipality (or the pool).

    The host may register after the deadline; nobody may exceed a cap. ``invitation_id``: the
    invitation whose personal link was used.
    """
    if channel not in CHANNELS:
        raise ValueError(channel)
    ensure_unreported(gathering)
    host = policy.can(actor, "registration.manage", gathering)
    resolved = _validate(gathering, data, host)
    municipality = resolved.get("municipality")
    pool = municipality is None

    # Lock order: gathering, then municipality.
    if pool or gathering.capacity is not None:
        lock_gathering(gathering)
    row = cap_row(gathering, municipality, lock=True) if municipality is not None else None

    if pool:
        free = count_confirmed(gathering, Registration.organisation_kind.in_(("county", "partner"))) \
            < gathering.pool_cap
    else:
        free = count_confirmed(gathering, Registration.municipality_id == municipality.id) \
            < row.effective_cap(gathering.municipal_cap)
    if free and gathering.capacity is not None:
        free = count_confirmed(gathering) < gathering.capacity

    registration = Registration(
        gathering_id=gathering.id, organisation_kind=resolved["kind"],
        municipality_id=municipality.id if municipality is not None else None,
        county_id=resolved["county"].id if resolved.get("county") is not None else None,
        partner_name=(data.partner_name or "").strip() or None if resolved["kind"] == "partner"
        else None,
        name=data.name.strip(), email=resolved["email"], phone=(data.phone or "").strip() or None,
        role=data.role, day1=bool(data.day1), day2=bool(data.day2) and gathering.days > 1,
        attends_dinner=bool(data.attends_dinner),
        dietary_needs=(data.dietary_needs or "").strip() or None,
        dietary_consent=bool(data.dietary_consent and (data.dietary_needs or "").strip()),
        accessibility_needs=(data.accessibility_needs or "").strip() or None,
        accommodation=bool(data.accommodation),
        travel_support_requested=bool(data.travel_support_requested),
        list_consent=bool(data.list_consent), status="confirmed" if free else "waitlisted",
        channel=channel, invitation_id=invitation_id,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(registration)
    db.session.flush()
    queue_confirmation(gathering, registration, actor)
    return registration


def queue_confirmation(gathering: Gathering, registration: Registration, actor) -> None:
    """Mail the registrant their status, the calendar file and their private link."""
    from eventapp.core.web import external_url
    from eventapp.gatherings.services import gathering_ics
    from eventapp.mail.services import queue_template

    queue_template(
        f"registration.{registration.status}", "mail/registration_confirmed",
        to=registration.email, to_name=registration.name, created_by=actor,
        county_id=gathering.county_id, gathering_id=gathering.id,
        attachments=(("samling.ics", "text/calendar", gathering_ics(gathering)),),
        registration=registration, gathering=gathering,
        manage_link=external_url("registration.manage", token=registration.manage_token),
    )


def registration_by_token(token: str) -> Registration | None:
    return MANAGE_LINK.find(Registration, token)
