"""The gathering itself: creating it, its details and settings, and its status.

Services validate, change and flush; the caller commits once.
"""

from datetime import date

from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import ValidationFailed
from eventapp.core.hostile import DB_INT_MAX
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import DEFAULT_POOL_CAP, Gathering
from eventapp.places.models import County

MAX_MUNICIPAL_CAP = 20


def _check_dates(start_date: date | None, end_date: date | None, problems: dict) -> None:
    if start_date is None:
        problems["start_date"] = _("Enter the first day.")
    if end_date is None:
        problems["end_date"] = _("Enter the last day.")
    if start_date and end_date:
        if end_date < start_date:
            problems["end_date"] = _("The gathering cannot end before it starts.")
        elif (end_date - start_date).days > 1:
            problems["end_date"] = _("A gathering lasts one or two days.")


def _check_settings(values: dict, problems: dict) -> None:
    opens, closes = values.get("registration_opens"), values.get("registration_closes")
    if opens and closes and closes < opens:
        problems["registration_closes"] = _("Registration cannot close before it opens.")
    start = values.get("start_date")
    if closes and start and closes > start:
        problems["registration_closes"] = _("Registration must close by the first day.")
    cap = values.get("municipal_cap")
    if cap is not None and not 0 <= cap <= MAX_MUNICIPAL_CAP:
        problems["municipal_cap"] = _("Places per municipality must be from 0 to %(n)d.",
                                      n=MAX_MUNICIPAL_CAP)
    pool = values.get("pool_cap")
    if pool is not None and not 0 <= pool <= DEFAULT_POOL_CAP:
        problems["pool_cap"] = _("The pool for county staff and partners is at most %(n)d.",
                                 n=DEFAULT_POOL_CAP)
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        problems["capacity"] = _("Capacity must be at least 1, or left empty.")
    elif capacity is not None and capacity > DB_INT_MAX:
        problems["capacity"] = _("Capacity can be at most %(n)d.", n=DB_INT_MAX)
    for name in ("title", "venue"):
        if name in values and not (values[name] or "").strip():
            problems[name] = _("Enter a title.") if name == "title" else _("Enter the venue.")


def create_gathering(*, county: County, title: str, start_date: date, end_date: date, venue: str,
                     actor=None, **fields) -> Gathering:
    """A draft gathering for ``county``; a county host creates one only for their own county."""
    if actor is not None:
        policy.authorize(actor, "gathering.create", county.id)
    problems: dict = {}
    _check_dates(start_date, end_date, problems)
    _check_settings({"title": title, "venue": venue, "start_date": start_date, **fields}, problems)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    gathering = Gathering(county=county, title=title.strip(), start_date=start_date,
                          end_date=end_date, venue=venue.strip(),
                          created_by_id=getattr(actor, "id", None), **fields)
    db.session.add(gathering)
    db.session.flush()
    return gathering


EDITABLE = ("title", "start_date", "end_date", "venue", "address", "description",
            "registration_opens", "registration_closes", "capacity", "municipal_cap", "pool_cap")


def update_gathering(gathering: Gathering, actor, **changes) -> Gathering:
    """Change the gathering's details and settings (not its status: see ``change_status``).

    Held exclusively first (the lock order in ``eventapp.core.db``): a lowered cap, pool or
    capacity waits for the places being taken, and applies to every place taken after it."""
    policy.authorize(actor, "gathering.manage", gathering)
    lock_gathering(gathering)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(names)s",
                                 names=", ".join(sorted(unknown))))
    merged = {name: getattr(gathering, name) for name in EDITABLE} | changes
    problems: dict = {}
    _check_dates(merged["start_date"], merged["end_date"], problems)
    _check_settings(merged, problems)
    if ("start_date" in changes or "end_date" in changes) and not problems:
        outside = [i for i in gathering.active_items
                   if not merged["start_date"] <= i.starts_at.astimezone(OSLO).date()
                   <= merged["end_date"]]
        if outside:
            problems["start_date"] = _(
                "%(n)d programme items would fall outside the new dates. Move them first.",
                n=len(outside))
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    for name, value in changes.items():
        setattr(gathering, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return gathering


def change_status(gathering: Gathering, actor, status: str) -> Gathering:
    """Move the gathering on (open, closed, held ...), held exclusively like any change to
    its limits: a registration waiting meanwhile finds it closed."""
    policy.authorize(actor, "gathering.manage", gathering)
    lock_gathering(gathering)
    if status == gathering.status:
        return gathering
    if not gathering.can_move_to(status):
        raise ValidationFailed(
            _("A gathering cannot go from “%(from)s” to “%(to)s”.",
              **{"from": status_name(gathering.status), "to": status_name(status)}),
            field="status",
        )
    if status == "held" and date.today() < gathering.start_date:
        raise ValidationFailed(_("The gathering cannot be marked as held before it starts."),
                               field="status")
    gathering.status = status
    db.session.flush()
    return gathering


def status_name(status: str) -> str:
    from eventapp.gatherings.models import status_label

    return status_label(status)



def lock_gathering(gathering: Gathering) -> None:
    """Hold the gathering's row exclusively, and read it again: its settings and status, and
    the programme (two editors cannot both put an item into the same free slot)."""
    lock_row(Gathering, gathering.id)
