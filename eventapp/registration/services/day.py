"""Lists and the day: the venue summary, exports, badges and check-in. Dietary and
accessibility needs can reveal health (special-category data): only the county host of the
gathering sees them (``registration.needs`` in the policy)."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import LIVE, ensure_unreported


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
    names: list[str] = field(default_factory=list)


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
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
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
    out = io.BytesIO()
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


def today() -> date:
    return datetime.now(OSLO).date()


class CheckinBeforeGathering(Conflict):
    """A tick before the gathering's first day: the caller asks first, then passes
    ``early=True``."""

    code = "checkin_before_gathering"


def record_attendance(registration: Registration, attended: bool, actor=None,
                      day: int | None = None, *, early: bool = False,
                      on: date | None = None) -> Registration:
    """Tick (or untick) that a confirmed person came, on ``day`` (1 or 2) or, without a day, on
    every day they registered for ("came" / "did not come").

    A day they did not register for may be ticked: people walk in. ``attended`` stays "came on
    at least one day" (None while nothing is recorded), since that is what lists and exports
    show; the grant counts from the days. ``checked_in_at`` is the first check-in.

    Attendance is counted only on the gathering's days. A tick before the first day is refused
    (``CheckinBeforeGathering``) unless confirmed with ``early``; even then it only notes that
    the person was seen (``checked_in_at``) and ticks no day, so nothing counts toward the
    grant until they are ticked on the day."""
    gathering = db.session.get(Gathering, registration.gathering_id)
    ensure_unreported(gathering)
    if day is not None:
        day = _check_day(gathering, day)
    if registration.status != "confirmed":
        raise Conflict(_("Only people with a confirmed place can be checked in."))
    came = bool(attended)
    if came and (on or today()) < gathering.start_date:
        if not early:
            raise CheckinBeforeGathering(_(
                "The gathering has not started: it begins %(date)s. A check-in before then is "
                "not counted toward the grant. Confirm to note the arrival anyway, and check "
                "the person in again on the day.",
                date=format_date(gathering.start_date, "long")))
        registration.checked_in_at = registration.checked_in_at or utcnow()
        db.session.flush()
        return registration
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
    return registration if policy.can(user, "checkin.record", gathering) else None
