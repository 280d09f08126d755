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

from eventapp.core.access import may_manage_county
from eventapp.core.db import lock_row
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.invitations.models import GatheringMunicipality, Invitation
from eventapp.places.models import County, Municipality
from eventapp.registration.models import CHANNELS, ROLES, Registration

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


def _lock_gathering(gathering: Gathering) -> None:
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


def _confirmed(gathering: Gathering, *where) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.gathering_id == gathering.id, Registration.status == "confirmed", *where)
    ) or 0


def require_unreported(gathering: Gathering) -> None:
    """Once the final report is approved the registrations are the record it was counted from
    (and may have been purged): nobody registers, cancels, swaps or checks in any more."""
    from eventapp.core.errors import Conflict

    if gathering.status == "reported":
        raise Conflict(_("The gathering's final report is approved, so its registrations can no "
                         "longer change."))


def register(gathering: Gathering, data: RegistrationData, *, channel: str, actor=None,
             invitation: Invitation | None = None) -> Registration:
    """Take a place if one is free, else join the waitlist of the municipality (or the pool).

    The host may register after the deadline; nobody may exceed a cap.
    """
    if channel not in CHANNELS:
        raise ValueError(channel)
    require_unreported(gathering)
    host = actor is not None and may_manage_county(actor, gathering.county_id)
    resolved = _validate(gathering, data, host)
    municipality = resolved.get("municipality")
    pool = municipality is None

    # Lock order: gathering, then municipality.
    if pool or gathering.capacity is not None:
        _lock_gathering(gathering)
    row = cap_row(gathering, municipality, lock=True) if municipality is not None else None

    if pool:
        free = _confirmed(gathering, Registration.organisation_kind.in_(("county", "partner"))) \
            < gathering.pool_cap
    else:
        free = _confirmed(gathering, Registration.municipality_id == municipality.id) \
            < row.effective_cap(gathering.municipal_cap)
    if free and gathering.capacity is not None:
        free = _confirmed(gathering) < gathering.capacity

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
        channel=channel, invitation_id=invitation.id if invitation is not None else None,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(registration)
    db.session.flush()
    _queue_confirmation(gathering, registration, actor)
    return registration


def _queue_confirmation(gathering: Gathering, registration: Registration, actor) -> None:
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


def invitation_by_token(token: str) -> Invitation | None:
    return db.session.scalars(select(Invitation).where(Invitation.token == token)).first()


def registration_by_token(token: str) -> Registration | None:
    return db.session.scalars(
        select(Registration).where(Registration.manage_token == token)).first()


def _has_place(gathering: Gathering, registration: Registration) -> bool:
    if registration.in_pool:
        free = _confirmed(gathering, Registration.organisation_kind.in_(("county", "partner"))) \
            < gathering.pool_cap
    else:
        row = cap_row(gathering, registration.municipality)
        free = _confirmed(gathering, Registration.municipality_id == registration.municipality_id) \
            < row.effective_cap(gathering.municipal_cap)
    return free and (gathering.capacity is None or _confirmed(gathering) < gathering.capacity)


def promote_waitlist(gathering: Gathering, like: Registration, actor=None) -> list[Registration]:
    """Confirm the first on the waitlist of ``like``'s municipality (or the pool) while places
    are free, and mail them. The caller holds the locks."""
    promoted = []
    same_queue = (Registration.organisation_kind.in_(("county", "partner")) if like.in_pool
                  else Registration.municipality_id == like.municipality_id)
    while True:
        first = db.session.scalars(
            select(Registration).where(Registration.gathering_id == gathering.id,
                                       Registration.status == "waitlisted", same_queue)
            .order_by(Registration.created_at, Registration.id).limit(1)
        ).first()
        if first is None or not _has_place(gathering, first):
            return promoted
        first.status = "confirmed"
        db.session.flush()
        _queue_confirmation(gathering, first, actor)
        promoted.append(first)


def cancel(registration: Registration, actor=None) -> list[Registration]:
    """Free the place and promote the first on that waitlist. Returns who was promoted."""
    if registration.status == "cancelled":
        return []
    gathering = db.session.get(Gathering, registration.gathering_id)
    require_unreported(gathering)
    if registration.in_pool or gathering.capacity is not None:
        _lock_gathering(gathering)
    if registration.municipality is not None:
        cap_row(gathering, registration.municipality, lock=True)
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    db.session.flush()
    return promote_waitlist(gathering, registration, actor) if was_confirmed else []


# --- lists and the day ---------------------------------------------------------------------
# Lists, the venue summary, exports, badges and check-in. Dietary and accessibility needs can
# reveal health (special-category data): only the county host of the gathering sees them.
import csv as _csv  # noqa: E402
import io as _io  # noqa: E402
import re as _re  # noqa: E402
from dataclasses import field as _field  # noqa: E402


def may_see_special(user, gathering: Gathering) -> bool:
    """Dietary and accessibility needs: the county host of this gathering, nobody else."""
    return may_manage_county(user, gathering.county_id)


def may_run_the_day(user, gathering: Gathering) -> bool:
    """Check-in and badges: the county's host and its career counsellors."""
    from eventapp.core.access import COUNTY_ROLES

    return (user is not None and user.is_authenticated and user.role in COUNTY_ROLES
            and user.county_id == gathering.county_id)


def _registrations(gathering: Gathering, statuses=LIVE) -> list[Registration]:
    rows = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status.in_(statuses))
    ).all()
    order = {s: i for i, s in enumerate(statuses)}
    return sorted(rows, key=lambda r: (order[r.status], r.name.casefold(), r.id))


def confirmed_registrations(gathering: Gathering, q: str | None = None) -> list[Registration]:
    """Confirmed people, by name; ``q`` matches name or organisation, ignoring case (in Python,
    so æ, ø and å fold the same on every database)."""
    rows = _registrations(gathering, ("confirmed",))
    needle = " ".join((q or "").split()).casefold()
    if needle:
        rows = [r for r in rows if needle in r.name.casefold()
                or needle in r.organisation_name.casefold()]
    return rows


def public_participants(gathering: Gathering) -> list[Registration]:
    """Those confirmed who agreed to be on the public list."""
    rows = [r for r in _registrations(gathering, ("confirmed",)) if r.list_consent]
    return sorted(rows, key=lambda r: (r.organisation_name.casefold(), r.name.casefold()))


def normalise_need(text: str | None) -> str:
    """The key a need is grouped by: case, spacing and end punctuation do not split a group."""
    return " ".join((text or "").split()).strip(" .,;!").casefold()


@dataclass
class NeedGroup:
    label: str
    count: int = 0
    names: list[str] = _field(default_factory=list)


@dataclass
class VenueSummary:
    confirmed: int
    waitlisted: int
    per_day: dict[int, int]
    both_days: int
    dinner: int
    accommodation: int
    travel_support: int
    accessibility: int
    dietary_groups: list[NeedGroup]
    accessibility_groups: list[NeedGroup]
    attended: int


def _group(rows: list[Registration], text_of) -> list[NeedGroup]:
    groups: dict[str, NeedGroup] = {}
    for r in rows:
        key = normalise_need(text_of(r))
        if not key:
            continue
        group = groups.setdefault(key, NeedGroup(label=key[:1].upper() + key[1:]))
        group.count += 1
        group.names.append(r.name)
    return sorted(groups.values(), key=lambda g: (-g.count, g.label))


def venue_summary(gathering: Gathering) -> VenueSummary:
    """What the venue and the kitchen need, counted over the confirmed registrations."""
    live = _registrations(gathering)
    rows = [r for r in live if r.status == "confirmed"]
    return VenueSummary(
        confirmed=len(rows),
        waitlisted=sum(1 for r in live if r.status == "waitlisted"),
        per_day={day: sum(1 for r in rows if (r.day1 if day == 1 else r.day2))
                 for day in range(1, min(gathering.days, 2) + 1)},
        both_days=sum(1 for r in rows if r.day1 and r.day2),
        dinner=sum(1 for r in rows if r.attends_dinner),
        accommodation=sum(1 for r in rows if r.accommodation),
        travel_support=sum(1 for r in rows if r.travel_support_requested),
        accessibility=sum(1 for r in rows if normalise_need(r.accessibility_needs)),
        dietary_groups=_group(rows, lambda r: r.dietary_needs if r.dietary_consent else None),
        accessibility_groups=_group(rows, lambda r: r.accessibility_needs),
        attended=sum(1 for r in rows if r.attended),
    )


# Cells a spreadsheet would read as a formula (OWASP "CSV injection"), and characters XLSX
# cannot hold.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = _re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """A value as a spreadsheet cell that is never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return value
    text = _ILLEGAL_XML.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_table(gathering: Gathering) -> tuple[list[str], list[list]]:
    """One row per live registration, for the host's spreadsheet."""
    from eventapp.registration.forms import role_label

    yes, no = _("Yes"), _("No")
    status_label = {"confirmed": _("Confirmed"), "waitlisted": _("Waitlisted")}
    channel_label = {"personal_link": _("Personal link"), "public_link": _("Public link"),
                     "host": _("Host"), "municipal_contact": _("Municipal contact"),
                     "api": _("API")}
    header = [_("Name"), _("Email"), _("Phone"), _("Organisation"), _("Role"), _("Days"),
              _("Social dinner"), _("Dietary needs"), _("Accessibility needs"),
              _("Hotel room"), _("Travel support"), _("Status"), _("Channel"), _("Attended")]
    rows = []
    for r in _registrations(gathering):
        days = ", ".join(str(d) for d, on in ((1, r.day1), (2, r.day2)) if on)
        rows.append([safe_cell(v) for v in (
            r.name, r.email, r.phone, r.organisation_name, role_label(r.role), days,
            yes if r.attends_dinner else no,
            r.dietary_needs if r.dietary_consent else "",
            r.accessibility_needs, yes if r.accommodation else no,
            yes if r.travel_support_requested else no, status_label[r.status],
            channel_label.get(r.channel, r.channel),
            "" if r.attended is None else (yes if r.attended else no),
        )])
    return [safe_cell(h) for h in header], rows


def export_csv(gathering: Gathering) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Excel in Norway opens it."""
    header, rows = export_table(gathering)
    out = _io.StringIO()
    writer = _csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(gathering: Gathering) -> bytes:
    from openpyxl import Workbook

    header, rows = export_table(gathering)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Registrations")[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = _io.BytesIO()
    book.save(out)
    return out.getvalue()


def attendance_days(gathering: Gathering) -> tuple[int, ...]:
    """The days one can be checked in on: (1,) or (1, 2)."""
    return (1, 2) if gathering.days > 1 else (1,)


def _check_day(gathering: Gathering, day) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or day not in (1, 2):
        raise ValidationFailed(_("Choose day 1 or day 2."), field="day")
    if day not in attendance_days(gathering):
        raise ValidationFailed(_("This gathering has only one day."), field="day")
    return day


def record_attendance(registration: Registration, attended: bool, actor=None,
                      day: int | None = None) -> Registration:
    """Tick (or untick) that a confirmed person came, on ``day`` (1 or 2) or, without a day, on
    every day they registered for ("came" / "did not come").

    A day they did not register for may be ticked: people walk in. ``attended`` stays "came on
    at least one day" (None while nothing is recorded), since that is what lists and exports
    show; the grant counts from the days. ``checked_in_at`` is the first check-in."""
    from eventapp.core.errors import Conflict

    gathering = db.session.get(Gathering, registration.gathering_id)
    require_unreported(gathering)
    if day is not None:
        day = _check_day(gathering, day)
    if registration.status != "confirmed":
        raise Conflict(_("Only people with a confirmed place can be checked in."))
    came = bool(attended)
    days = attendance_days(gathering)
    if day is not None:
        setattr(registration, f"attended_day{day}", came)
    else:
        registered = {1: registration.day1, 2: registration.day2}
        for d in days:
            # "Came" ticks the days they registered for; "did not come" clears every day.
            if registered[d] or not came:
                setattr(registration, f"attended_day{d}", came)
    flags = [getattr(registration, f"attended_day{d}") for d in days]
    if any(flags):
        registration.attended = True
        registration.checked_in_at = registration.checked_in_at or utcnow()
    else:
        registration.attended = False if any(f is False for f in flags) else None
        registration.checked_in_at = None
    db.session.flush()
    return registration


@dataclass
class DayCount:
    day: int
    date: date
    expected: int  # confirmed and registered for the day
    attended: int  # checked in on the day, walk-ins included


def checkin_counts(gathering: Gathering) -> list[DayCount]:
    """Per day of the gathering: how many are expected and how many are checked in."""
    rows = _registrations(gathering, ("confirmed",))
    return [DayCount(d, gathering.date_of_day(d),
                     sum(1 for r in rows if getattr(r, f"day{d}")),
                     sum(1 for r in rows if getattr(r, f"attended_day{d}")))
            for d in attendance_days(gathering)]


def default_checkin_day(gathering: Gathering, now=None) -> int:
    """Today's day of the gathering; day 1 before and after it."""
    return gathering.day_of(now or utcnow()) or 1


def registration_for_the_day(user, registration_id: int) -> Registration | None:
    """A registration if ``user`` runs the day of its gathering (host or counsellor of the
    county), else None, so callers answer 404 without telling whether it exists."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return None
    gathering = db.session.get(Gathering, registration.gathering_id)
    return registration if may_run_the_day(user, gathering) else None


# --- host and municipal registration ---
# The county host registers anyone (also after the deadline) and sees caps, the preferred mix
# and the county delegation; a municipal contact registers and swaps their own municipality's
# people; a registrant changes their own registration. Caps are read here and taken in
# ``register``; a swap keeps the place, so it never changes a count.

from eventapp.core.access import Role  # noqa: E402
from eventapp.core.errors import Forbidden, NotFound  # noqa: E402
from eventapp.registration.models import new_manage_token  # noqa: E402

COUNTY_STAFF_ROLES = ("county_staff", "career_counsellor")


def may_register_for_municipality(user, gathering: Gathering) -> bool:
    """A municipal contact of the gathering's county, acting for their own municipality."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role == Role.MUNICIPAL_CONTACT and user.county_id == gathering.county_id
            and user.municipality_id is not None)


def own_unit(gathering: Gathering, user) -> Municipality | None:
    """The registration unit (municipality or Oslo district) a municipal contact acts for."""
    if not may_register_for_municipality(user, gathering):
        return None
    return next((u for u in registration_units(gathering) if u.id == user.municipality_id), None)


def municipal_register(gathering: Gathering, actor, data: RegistrationData) -> Registration:
    """A municipal contact registers a colleague for their own municipality only."""
    unit = own_unit(gathering, actor)
    if unit is None:
        raise Forbidden(_("Only a municipal contact in %(county)s may register people here.",
                          county=gathering.county.name))
    if data.organisation_kind not in ("municipality", "district") or (
            data.municipality_number and data.municipality_number != unit.number):
        raise Forbidden(_("You may register people only for %(unit)s.", unit=unit.name),
                        field="municipality")
    data.organisation_kind = unit.kind
    data.municipality_number = unit.number
    return register(gathering, data, channel="municipal_contact", actor=actor)


def host_register(gathering: Gathering, actor, data: RegistrationData) -> Registration:
    """The county host registers anyone, also after the deadline."""
    from eventapp.gatherings.services import require_host

    require_host(actor, gathering)
    return register(gathering, data, channel="host", actor=actor)


def unit_registrations(gathering: Gathering, unit: Municipality) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.municipality_id == unit.id)
        .order_by(Registration.created_at, Registration.id)))


@dataclass
class CapLine:
    municipality: Municipality | None
    cap: int
    confirmed: int
    waitlisted: int
    overridden: bool = False

    @property
    def free(self) -> int:
        return max(self.cap - self.confirmed, 0)

    @property
    def over(self) -> bool:
        """More confirmed than the cap: the host lowered it after they registered."""
        return self.confirmed > self.cap


def _counts(gathering: Gathering) -> dict:
    rows = db.session.execute(
        select(Registration.municipality_id, Registration.organisation_kind, Registration.status,
               func.count()).where(Registration.gathering_id == gathering.id,
                                   Registration.status.in_(LIVE))
        .group_by(Registration.municipality_id, Registration.organisation_kind,
                  Registration.status)).all()
    counts: dict = {}
    for municipality_id, kind, status, n in rows:
        key = "pool" if kind in ("county", "partner") else municipality_id
        counts.setdefault(key, {"confirmed": 0, "waitlisted": 0})[status] += n
    return counts


def cap_lines(gathering: Gathering, unit: Municipality | None = None) -> list[CapLine]:
    """Each municipality's (or district's) places: cap, confirmed, waitlisted."""
    counts = _counts(gathering)
    overrides = {r.municipality_id: r.cap for r in db.session.scalars(
        select(GatheringMunicipality).where(GatheringMunicipality.gathering_id == gathering.id,
                                            GatheringMunicipality.cap.is_not(None)))}
    units = [unit] if unit is not None else registration_units(gathering)
    return [CapLine(u, overrides.get(u.id, gathering.municipal_cap),
                    counts.get(u.id, {}).get("confirmed", 0),
                    counts.get(u.id, {}).get("waitlisted", 0), u.id in overrides)
            for u in units]


def pool_line(gathering: Gathering) -> CapLine:
    pool = _counts(gathering).get("pool", {})
    return CapLine(None, gathering.pool_cap, pool.get("confirmed", 0), pool.get("waitlisted", 0))


def cap_status(gathering: Gathering) -> dict:
    """getCapStatus: every municipality's places, and the pool."""
    pool = pool_line(gathering)
    return {
        "organisations": [
            {"organisation_number": c.municipality.number, "name": c.municipality.name,
             "kind": c.municipality.kind, "cap": c.cap, "confirmed": c.confirmed,
             "waitlisted": c.waitlisted}
            for c in cap_lines(gathering)],
        "pool": {"cap": pool.cap, "confirmed": pool.confirmed, "waitlisted": pool.waitlisted},
    }


def unit_by_number(gathering: Gathering, number: str) -> Municipality | None:
    return next((u for u in registration_units(gathering) if u.number == number), None)


@dataclass
class Delegation:
    leaders: int
    staff: int

    @property
    def ok(self) -> bool:
        return self.leaders >= 1 and self.staff >= 2


def delegation_check(gathering: Gathering) -> Delegation:
    """The county attends with its leader and at least two staff (confirmed registrations)."""
    rows = db.session.execute(
        select(Registration.role, func.count()).where(
            Registration.gathering_id == gathering.id, Registration.status == "confirmed",
            Registration.organisation_kind == "county",
            Registration.county_id == gathering.county_id)
        .group_by(Registration.role)).all()
    by_role = dict(rows)
    return Delegation(by_role.get("leader", 0),
                      sum(by_role.get(r, 0) for r in COUNTY_STAFF_ROLES))


def mix_hints(gathering: Gathering) -> dict[int, list[str]]:
    """Guidance, never enforced: each municipality with someone registered should preferably
    send a leader and a programme adviser. Municipality id → hints."""
    rows = db.session.execute(
        select(Registration.municipality_id, Registration.role).where(
            Registration.gathering_id == gathering.id, Registration.status.in_(LIVE),
            Registration.municipality_id.is_not(None))).all()
    roles: dict[int, set] = {}
    for municipality_id, role in rows:
        roles.setdefault(municipality_id, set()).add(role)
    hints = {}
    for municipality_id, present in roles.items():
        found = []
        if "leader" not in present:
            found.append(_("No leader yet"))
        if "programme_adviser" not in present:
            found.append(_("No programme adviser yet"))
        if found:
            hints[municipality_id] = found
    return hints


def host_registrations(gathering: Gathering, *, status: str | None = None,
                       municipality_id: int | None = None) -> list[Registration]:
    from sqlalchemy.orm import joinedload

    stmt = (select(Registration).where(Registration.gathering_id == gathering.id)
            .options(joinedload(Registration.municipality), joinedload(Registration.county))
            .order_by(Registration.created_at, Registration.id))
    if status:
        stmt = stmt.where(Registration.status == status)
    if municipality_id:
        stmt = stmt.where(Registration.municipality_id == municipality_id)
    return list(db.session.scalars(stmt))


def registration_for_host(gathering: Gathering, registration_id: int, actor) -> Registration:
    """A registration of this gathering, for its county host; 404 for anyone else."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.gathering_id != gathering.id \
            or not may_manage_county(actor, gathering.county_id):
        raise NotFound(_("No such registration."))
    return registration


def host_cancel(registration: Registration, actor) -> list[Registration]:
    """The host cancels a registration; the first on that waitlist is promoted and mailed."""
    gathering = db.session.get(Gathering, registration.gathering_id)
    if not may_manage_county(actor, gathering.county_id):
        raise NotFound(_("No such registration."))
    if registration.status == "cancelled":
        raise ValidationFailed(_("This registration is already cancelled."))
    return cancel(registration, actor)


@dataclass
class PersonData:
    """The new person in a swap."""

    name: str
    email: str
    role: str
    phone: str = ""


def swap(registration: Registration, actor, new: PersonData) -> Registration:
    """Give a registered person's place (or waitlist position) to a colleague.

    The registration keeps its id, status, municipality and position; the person changes and a
    new private link is made. Their own needs (dietary, accessibility, list consent) belonged to
    the old person and are cleared; the new person adds theirs by their own link. The new
    person gets the confirmation with the calendar file, the old one a short notice.
    """
    gathering = db.session.get(Gathering, registration.gathering_id)
    unit = registration.municipality
    host = may_manage_county(actor, gathering.county_id)
    if unit is None or not (host or own_unit(gathering, actor) == unit):
        raise NotFound(_("No such registration."))
    require_unreported(gathering)
    # The same locks as registering and cancelling: the place stays put while it changes hands.
    if gathering.capacity is not None:
        _lock_gathering(gathering)
    cap_row(gathering, unit, lock=True)
    db.session.refresh(registration)
    problems = {}
    if registration.status not in LIVE:
        raise ValidationFailed(_("A cancelled registration cannot be swapped."))
    if registration.attended:
        raise ValidationFailed(_("This person has already checked in."))
    if not (new.name or "").strip():
        problems["name"] = _("Enter the name of the colleague.")
    elif len(new.name.strip()) > 200:
        problems["name"] = _("The name can be at most 200 characters.")
    email = None
    try:
        email = validate_email((new.email or "").strip(),
                               check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems["email"] = _("Enter a valid work email address.")
    if new.role not in ROLES:
        problems["role"] = _("Choose the role.")
    if len((new.phone or "").strip()) > 40:
        problems["phone"] = _("The phone number can be at most 40 characters.")
    if email is not None and db.session.scalars(
        select(Registration.id).where(Registration.gathering_id == gathering.id,
                                      Registration.email == email,
                                      Registration.status.in_(LIVE))
    ).first():
        problems["email"] = _("This email address is already registered for the gathering.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)

    old_name, old_email = registration.name, registration.email
    registration.name = new.name.strip()
    registration.email = email
    registration.phone = (new.phone or "").strip() or None
    registration.role = new.role
    registration.dietary_needs = None
    registration.dietary_consent = False
    registration.accessibility_needs = None
    registration.list_consent = False
    registration.manage_token = new_manage_token()
    db.session.flush()
    _queue_confirmation(gathering, registration, actor)
    _queue_swap_notice(gathering, registration, actor, old_name, old_email)
    return registration


def _queue_swap_notice(gathering: Gathering, registration: Registration, actor, old_name: str,
                       old_email: str) -> None:
    from flask import current_app
    from flask_babel import force_locale

    from eventapp.mail.services import queue_mail

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Your place has gone to a colleague: %(title)s", title=gathering.title)
        body = "\n\n".join([
            _("Hello %(name)s,", name=old_name),
            _("%(organisation)s has given your place at %(title)s to %(new)s. You no longer have "
              "a registration, and your private link no longer works.",
              organisation=registration.organisation_name, title=gathering.title,
              new=registration.name),
            _("If this is a mistake, contact the person in your municipality who registers "
              "for the gathering."),
        ]) + "\n"
    queue_mail(kind="registration.swapped", to=old_email, to_name=old_name, subject=subject,
               body_text=body, created_by=actor, county_id=gathering.county_id,
               gathering_id=gathering.id)


@dataclass
class OwnChanges:
    """What a registrant may change themselves (not name, email or organisation: a swap)."""

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


def may_edit_own(registration: Registration) -> bool:
    gathering = registration.gathering
    return registration.status in LIVE and gathering.status in ("open", "closed")


def update_own(registration: Registration, changes: OwnChanges) -> Registration:
    gathering = registration.gathering
    require_unreported(gathering)
    if not may_edit_own(registration):
        raise ValidationFailed(_("This registration can no longer be changed."))
    problems = {}
    day2 = bool(changes.day2) and gathering.days > 1
    if not (changes.day1 or day2):
        problems["day1"] = _("Choose at least one of the days.")
    dietary = (changes.dietary_needs or "").strip()
    if dietary and not changes.dietary_consent:
        problems["dietary_consent"] = _(
            "Tick the box to let the host keep your dietary needs, or leave them out.")
    if len(dietary) > 500:
        problems["dietary_needs"] = _("Keep it within 500 characters.")
    if len((changes.accessibility_needs or "").strip()) > 500:
        problems["accessibility_needs"] = _("Keep it within 500 characters.")
    if len((changes.phone or "").strip()) > 40:
        problems["phone"] = _("The phone number can be at most 40 characters.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    registration.phone = (changes.phone or "").strip() or None
    registration.day1 = bool(changes.day1)
    registration.day2 = day2
    registration.attends_dinner = bool(changes.attends_dinner)
    registration.dietary_needs = dietary or None
    registration.dietary_consent = bool(dietary and changes.dietary_consent)
    registration.accessibility_needs = (changes.accessibility_needs or "").strip() or None
    registration.accommodation = bool(changes.accommodation)
    registration.travel_support_requested = bool(changes.travel_support_requested)
    registration.list_consent = bool(changes.list_consent)
    db.session.flush()
    return registration


# --- personal data -----------------------------------------------------------------------------

def purge_personal_data(gathering: Gathering) -> dict:
    """Delete or anonymise the personal data a gathering collected, keeping every count.

    Registrations keep their organisation, role, days, status, channel and attendance, so every
    report reads the same; names, addresses, phones, dietary and accessibility needs go. The
    personal mail sent about the gathering (confirmations, invitations) is deleted from the
    outbox, and the invitations and municipal inputs lose their names and addresses. The grant
    report workflow decides when this may run.
    """
    from sqlalchemy import or_

    from eventapp.gatherings.models import MunicipalInput
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import new_manage_token

    registrations = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id)).all()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id)).all()
    # By the gathering, never by address: the same person's mail about another gathering stays.
    invited = [i.outbox_message_id for i in invitations if i.outbox_message_id]
    messages = db.session.scalars(select(OutboxMessage).where(or_(
        OutboxMessage.gathering_id == gathering.id, OutboxMessage.id.in_(invited)))).all()
    for registration in registrations:
        registration.name = f"Slettet deltaker {registration.id}"
        registration.email = f"slettet-{registration.id}@purged.invalid"
        registration.phone = None
        registration.dietary_needs = None
        registration.dietary_consent = False
        registration.accessibility_needs = None
        registration.list_consent = False
        registration.manage_token = new_manage_token()
    for invitation in invitations:
        invitation.name = ""
        invitation.email = f"slettet-{invitation.id}@purged.invalid"
        invitation.outbox_message_id = None
    for given in db.session.scalars(
            select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id)):
        given.name = None
        given.email = None
    db.session.flush()
    for message in messages:
        db.session.delete(message)
    db.session.flush()
    return {"registrations": len(registrations), "invitations": len(invitations),
            "messages": len(messages)}
