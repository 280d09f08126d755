"""Registering for a gathering: a place is checked and taken under a lock on the row that owns
the cap, so no cap is ever exceeded, however many register at once.

A municipality's (or Oslo district's) places are owned by its GatheringMunicipality row; the
pool for county staff and partners, and the venue's capacity, by the gathering's head count.
The locks are taken in the one order written in ``eventapp.core.db`` (``hold_places``).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from eventapp.core import policy
from eventapp.core.db import HEAD_COUNT, lock_key, lock_row
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.partners.services import pickable_partner
from eventapp.places.models import County, Municipality
from eventapp.registration.models import (
    CHANNELS,
    MANAGE_LINK,
    ROLES,
    SEATING_WISHES,
    GatheringMunicipality,
    Registration,
)

LIVE = ("confirmed", "waitlisted")


@dataclass
class RegistrationData:
    """What a registrant enters. ``municipality_number`` for a municipality or district,
    ``county_number`` for county staff, for partners ``partner_id`` (one of the county's
    partners) or else ``partner_name`` (free text)."""

    name: str
    email: str
    organisation_kind: str
    role: str
    municipality_number: str | None = None
    county_number: str | None = None
    partner_name: str | None = None
    partner_id: int | str | None = None
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
    # At a hybrid gathering only; ignored elsewhere.
    attends_digitally: bool = False
    # A wish for the group-work tables (SEATING_WISHES), or None.
    seating_wish: str | None = None


def seating_wish(value) -> str | None:
    """A wish for the tables as stored: one of SEATING_WISHES, or None for none ("" too)."""
    if value in (None, ""):
        return None
    if value not in SEATING_WISHES:
        raise ValidationFailed(_("Choose a regional table, not with the neighbour municipality, "
                                 "or no wish."), field="seating_wish")
    return value


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
    from email_validator import EmailNotValidError, validate_email

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
        if data.partner_id not in (None, ""):
            partner = pickable_partner(gathering.county_id, data.partner_id)
            if partner is None:
                problems["partner_id"] = _(
                    "Choose one of the partner organisations of %(county)s, or leave the list "
                    "and write the organisation's name.", county=gathering.county.name)
            else:
                resolved["partner"] = partner
        elif not (data.partner_name or "").strip():
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


def hold_places(gathering: Gathering, municipality: Municipality | None, *,
                head_count: bool = True) -> GatheringMunicipality | None:
    """Take the locks for taking, freeing or handing on a place, in the lock order written in
    ``eventapp.core.db``: the gathering shared (read again, so its limits and status are as
    they are now), the municipality's row, then the gathering's head count when the place
    counts across the gathering (the pool's, or any once a venue capacity is set; not for a
    swap, which changes no count). Returns the municipality's row (None for the pool)."""
    lock_row(Gathering, gathering.id, shared=True)
    row = cap_row(gathering, municipality, lock=True) if municipality is not None else None
    if head_count and needs_head_count(gathering, municipality):
        lock_key(HEAD_COUNT, gathering.id)
    return row


def needs_head_count(gathering: Gathering, municipality: Municipality | None) -> bool:
    return municipality is None or gathering.capacity is not None


def cap_row(gathering: Gathering, municipality: Municipality, lock: bool = False):
    """The row that owns a municipality's places in a gathering, created when first needed,
    read again (and held, with ``lock``).

    Created with INSERT ... ON CONFLICT DO NOTHING, so two first registrations at once both
    end up with the same row instead of one failing."""
    where = (GatheringMunicipality.gathering_id == gathering.id,
             GatheringMunicipality.municipality_id == municipality.id)

    def find():
        if lock:
            return lock_row(GatheringMunicipality, where=where)
        return db.session.scalars(select(GatheringMunicipality).where(*where)
                                  .execution_options(populate_existing=True)).one_or_none()

    row = find()
    if row is None:
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(
            insert(GatheringMunicipality)
            .values(gathering_id=gathering.id, municipality_id=municipality.id,
                    updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["gathering_id", "municipality_id"])
        )
        row = find()
    return row


def count_confirmed(gathering: Gathering, *where) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.gathering_id == gathering.id, Registration.status == "confirmed", *where)
    ) or 0


def has_place(gathering: Gathering, registration: Registration,
              row: GatheringMunicipality | None) -> bool:
    """Whether a place is free for ``registration`` (in its municipality, with ``row`` its cap
    row, or in the pool) and within the venue's capacity. Under the locks, it decides."""
    return unit_has_place(gathering, registration, row) and venue_has_place(gathering)


def unit_has_place(gathering: Gathering, registration: Registration,
                   row: GatheringMunicipality | None) -> bool:
    if registration.in_pool:
        return count_confirmed(
            gathering, Registration.organisation_kind.in_(("county", "partner"))) \
            < gathering.pool_cap
    return count_confirmed(gathering, Registration.municipality_id == registration.municipality_id) \
        < row.effective_cap(gathering.municipal_cap)


def venue_has_place(gathering: Gathering) -> bool:
    return gathering.capacity is None or count_confirmed(gathering) < gathering.capacity


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

    The locks are held for the check and the insert only: the registration, its calendar file
    and its mail (for a place; the waitlist's is rendered only when needed) are built before
    them, and only the rows are written under them.
    """
    if channel not in CHANNELS:
        raise ValueError(channel)
    ensure_unreported(gathering)
    host = policy.can(actor, "registration.manage", gathering)
    resolved = _validate(gathering, data, host)
    municipality = resolved.get("municipality")
    partner = resolved.get("partner")
    registration = Registration(
        gathering_id=gathering.id, organisation_kind=resolved["kind"],
        municipality=municipality, county=resolved.get("county"),
        municipality_id=municipality.id if municipality is not None else None,
        partner_name=partner.name if partner is not None
        else (data.partner_name or "").strip() or None if resolved["kind"] == "partner" else None,
        partner_id=partner.id if partner is not None else None,
        name=data.name.strip(), email=resolved["email"], phone=(data.phone or "").strip() or None,
        role=data.role, day1=bool(data.day1), day2=bool(data.day2) and gathering.days > 1,
        attends_dinner=bool(data.attends_dinner),
        dietary_needs=(data.dietary_needs or "").strip() or None,
        dietary_consent=bool(data.dietary_consent and (data.dietary_needs or "").strip()),
        accessibility_needs=(data.accessibility_needs or "").strip() or None,
        accommodation=bool(data.accommodation),
        travel_support_requested=bool(data.travel_support_requested),
        list_consent=bool(data.list_consent),
        attends_digitally=bool(data.attends_digitally) and gathering.mode == "hybrid",
        seating_wish=seating_wish(data.seating_wish), channel=channel, invitation_id=invitation_id,
        created_by_id=getattr(actor, "id", None),
    )
    # Most find a place: the mail for that is ready before the locks, the other made if needed.
    registration.status = "confirmed"
    mail = Confirmation(gathering, registration, actor)

    row = hold_places(gathering, municipality, head_count=False)
    # The gathering as it is now: it may have closed, or its limits changed, during the wait.
    ensure_unreported(gathering)
    if not host and not registration_open(gathering):
        raise ValidationFailed(_("Registration for this gathering is closed."), field="form")
    # The municipality's places first: the head count, which every registration of the
    # gathering may queue for, is taken only by those who still have a chance of a place.
    free = municipality is None or unit_has_place(gathering, registration, row)
    if free and needs_head_count(gathering, municipality):
        lock_key(HEAD_COUNT, gathering.id)
        free = (municipality is not None or unit_has_place(gathering, registration, row)) \
            and venue_has_place(gathering)
    registration.status = "confirmed" if free else "waitlisted"
    db.session.add(registration)
    db.session.flush()
    mail.queue()
    return registration


class Confirmation:
    """The mail telling a registrant their status and their private link: for a place, with the
    calendar file; for the waitlist, with their place in the queue and no calendar file. All
    but the outbox row (and the waitlist's text) can be built before the locks are taken."""

    def __init__(self, gathering: Gathering, registration: Registration, actor):
        from eventapp.gatherings.services import gathering_ics

        self.gathering, self.registration, self.actor = gathering, registration, actor
        # Attached only for a place, so it may carry the meeting link.
        self.calendar = gathering_ics(gathering, links=True)
        self.link = manage_link(registration)
        self.texts = {registration.status: self._render()}

    def _render(self) -> tuple[str, str]:
        from eventapp.mail.services import render_mail
        from eventapp.registration.services.waitlist import waitlist_position

        # A place in the queue is counted where the waitlist's mail is made: under the locks.
        return render_mail("mail/registration_confirmed", registration=self.registration,
                           gathering=self.gathering, manage_link=self.link,
                           position=waitlist_position(self.registration))

    def queue(self) -> None:
        from eventapp.mail.services import queue_mail

        registration = self.registration
        if registration.status not in self.texts:
            self.texts[registration.status] = self._render()
        subject, body = self.texts[registration.status]
        queue_mail(kind=f"registration.{registration.status}", to=registration.email,
                   to_name=registration.name, subject=subject, body_text=body,
                   created_by=self.actor, county_id=self.gathering.county_id,
                   gathering_id=self.gathering.id,
                   # Only a place goes in the calendar; the waitlist's mail says it is not one.
                   attachments=(("samling.ics", "text/calendar", self.calendar),)
                   if registration.status == "confirmed" else ())


def queue_confirmation(gathering: Gathering, registration: Registration, actor) -> None:
    """Mail the registrant their status, the calendar file and their private link."""
    Confirmation(gathering, registration, actor).queue()


def manage_link(registration: Registration) -> str | None:
    """The registrant's private link for mail; None once it is closed (their data purged)."""
    from eventapp.core.web import external_url

    token = registration.manage_token
    return external_url("registration.manage", token=token) if token else None


def registration_by_token(token: str) -> Registration | None:
    return MANAGE_LINK.find(Registration, token)
