"""The gathering itself: creating it, its details and settings, and its status.

Services validate, change and flush; the caller commits once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import ValidationFailed
from eventapp.core.hostile import DB_INT_MAX
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import (
    DEFAULT_POOL_CAP,
    MEETING_URL_MAX,
    MODES,
    Gathering,
    ProgrammeChange,
    ProgrammeItem,
)
from eventapp.gatherings.signals import note_move
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
    if "title" in values and not (values["title"] or "").strip():
        problems["title"] = _("Enter a title.")
    _check_mode(values, problems)


def clean_meeting_url(value: str | None) -> str | None:
    """A meeting link as stored (its scheme and host in small letters), None for an empty one.
    Raises ValueError with the message to show beside the field: only a whole https:// address
    (a host with a dot in it, no blanks, no user name or password) of at most 500 characters;
    never javascript:, data: or a bare word."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MEETING_URL_MAX:
        raise ValueError(_("The meeting link can be at most %(n)d characters.", n=MEETING_URL_MAX))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(_("The meeting link cannot contain spaces. Paste the whole link, as "
                           "the meeting service gives it."))
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ValueError(_("This is not a web address. Paste the whole link, beginning with "
                           "https://.")) from None
    if parts.scheme.lower() != "https":
        raise ValueError(_("The meeting link must begin with https:// (a secure web address)."))
    labels = host.split(".")
    if (not text[len(parts.scheme):].startswith("://") or "." not in host
            or not all(labels) or parts.username is not None or parts.password is not None
            or not all(c.isalnum() or c in "-." for c in host)):
        raise ValueError(_("This is not a web address. Paste the whole link, beginning with "
                           "https://."))
    # Scheme and host do not care about case; the database's check reads "https://".
    return f"https://{parts.netloc.lower()}{text[len(parts.scheme) + 3 + len(parts.netloc):]}"


def _check_mode(values: dict, problems: dict) -> None:
    """The venue and the meeting link, by the gathering's mode; cleans the values given."""
    mode = values.get("mode") or "in_person"
    if mode not in MODES:
        problems["mode"] = _("Choose in person, digital or hybrid.")
        return
    if "meeting_url" in values:
        try:
            values["meeting_url"] = clean_meeting_url(values["meeting_url"])
        except ValueError as exc:
            problems["meeting_url"] = str(exc)
    link = values.get("meeting_url")
    if mode == "in_person" and link and "meeting_url" not in problems:
        problems["meeting_url"] = _("A gathering in person has no meeting link. Choose digital "
                                    "or hybrid, or leave the link empty.")
    elif mode != "in_person" and not link and "meeting_url" not in problems:
        problems["meeting_url"] = _("Enter the meeting link (https://…) for those who take part "
                                    "digitally.")
    if mode != "digital" and "venue" in values and not (values["venue"] or "").strip():
        problems["venue"] = _("Enter the venue.") if mode == "in_person" else _(
            "Enter the venue. A hybrid gathering meets somewhere too; choose digital if it "
            "has no venue.")


def oslo_today() -> date:
    return datetime.now(OSLO).date()


def create_gathering(*, county: County, title: str, start_date: date, end_date: date,
                     venue: str | None, actor=None, record_past: bool = False,
                     **fields) -> Gathering:
    """A draft gathering for ``county``; a county host creates one only for their own county.

    Its days cannot lie in the past: a gathering is planned ahead. ``record_past`` lets the
    demo (and tests) write down a gathering already held. A digital gathering (``mode``) has
    no venue (one given is dropped) and needs ``meeting_url``; a hybrid one needs both."""
    if actor is not None:
        policy.authorize(actor, "gathering.create", county.id)
    problems: dict = {}
    _check_dates(start_date, end_date, problems)
    if not record_past and start_date and start_date < oslo_today():
        problems["start_date"] = _("The first day cannot be in the past.")
    values = {"title": title, "venue": venue, "start_date": start_date, **fields}
    _check_settings(values, problems)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    if "meeting_url" in fields:
        fields["meeting_url"] = values["meeting_url"]
    venue = (venue or "").strip() or None
    if fields.get("mode") == "digital":
        venue = fields["address"] = None
    gathering = Gathering(county=county, title=title.strip(), start_date=start_date,
                          end_date=end_date, venue=venue,
                          created_by_id=getattr(actor, "id", None), **fields)
    db.session.add(gathering)
    db.session.flush()
    return gathering


EDITABLE = ("title", "start_date", "end_date", "venue", "address", "description",
            "registration_opens", "registration_closes", "capacity", "municipal_cap", "pool_cap",
            "mode", "meeting_url")
# What the "add to calendar" event shows of the gathering itself.
CALENDAR_FIELDS = ("title", "start_date", "end_date", "venue", "address", "description",
                   "mode", "meeting_url")


def update_gathering(gathering: Gathering, actor, *, move_programme: bool = False,
                     **changes) -> Gathering:
    """Change the gathering's details and settings (not its status: see ``change_status``).

    Held exclusively first (the lock order in ``eventapp.core.db``): a lowered cap, pool or
    capacity waits for the places being taken, and applies to every place taken after it.

    New dates that leave programme items outside them are refused, unless ``move_programme``:
    then every item keeps its day number and clock time on the new dates, in this same
    transaction, and each move is in the programme's change log."""
    policy.authorize(actor, "gathering.manage", gathering)
    lock_gathering(gathering)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(names)s",
                                 names=", ".join(sorted(unknown))))
    if changes.get("mode") == "in_person" and "meeting_url" not in changes:
        # Back in the room only: the link goes with the digital part.
        changes["meeting_url"] = None
    merged = {name: getattr(gathering, name) for name in EDITABLE} | changes
    problems: dict = {}
    _check_dates(merged["start_date"], merged["end_date"], problems)
    _check_settings(merged, problems)
    moves: list[ItemMove] = []
    dates_change = (merged["start_date"], merged["end_date"]) != (gathering.start_date,
                                                                  gathering.end_date)
    if dates_change and not problems:
        outside = items_outside(gathering, merged["start_date"], merged["end_date"])
        if move_programme:
            moves = programme_moves(gathering, merged["start_date"], merged["end_date"])
            lost = [m for m in moves if m.new_starts is None]
            if lost:
                problems["end_date"] = _(
                    "%(n)d programme items are on a day the new dates do not have. Move or "
                    "remove them first.", n=len(lost))
        elif outside:
            problems["start_date"] = _(
                "%(n)d programme items would fall outside the new dates. Move the programme "
                "with the dates, or move the items first.", n=len(outside))
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    if "meeting_url" in changes:
        changes["meeting_url"] = merged["meeting_url"]
    if merged["mode"] == "digital":
        # A webinar has no room: a venue left from before would be shown and mailed.
        changes["venue"] = changes["address"] = None
    elif "venue" in changes:
        changes["venue"] = (changes["venue"] or "").strip() or None
    # Everyone registered is told of a new venue, new dates or moved items when this commits.
    note_move(gathering, actor)
    before = {name: getattr(gathering, name) for name in CALENDAR_FIELDS}
    for name, value in changes.items():
        setattr(gathering, name, value.strip() if isinstance(value, str) else value)
    if any(getattr(gathering, name) != value for name, value in before.items()):
        # Calendar programs replace the imported event only when its SEQUENCE goes up.
        gathering.calendar_sequence = (gathering.calendar_sequence or 0) + 1
    now = utcnow()
    for move in moves:
        if move.new_starts == move.item.starts_at:
            continue
        move.item.starts_at, move.item.ends_at = move.new_starts, move.new_ends
        # Calendar programs replace an event only when its SEQUENCE goes up.
        move.item.sequence += 1
        move.item.updated_at = now
        # Logged as an update (the log's actions are fixed by a check constraint), its summary
        # saying it moved with the dates.
        db.session.add(ProgrammeChange(
            gathering_id=gathering.id, item=move.item, user_id=actor.id, action="updated",
            summary=_("Moved with the dates: %(title)s (%(old)s → %(new)s)",
                      title=move.item.title, old=_moment_text(move.old_starts, move.old_ends),
                      new=_moment_text(move.new_starts, move.new_ends))))
    db.session.flush()
    return gathering


# --- moving the programme with the dates ---------------------------------------------------

@dataclass
class ItemMove:
    """Where an item is, and where it lands on the new dates (None: the day is gone)."""

    item: ProgrammeItem
    day: int
    old_starts: datetime
    old_ends: datetime
    new_starts: datetime | None
    new_ends: datetime | None


def _moment_text(starts: datetime, ends: datetime) -> str:
    return f"{starts.astimezone(OSLO):%Y-%m-%d %H:%M}–{ends.astimezone(OSLO):%H:%M}"


def items_outside(gathering: Gathering, start_date: date, end_date: date) -> list[ProgrammeItem]:
    """Active items whose day is not between ``start_date`` and ``end_date``."""
    return [i for i in gathering.active_items
            if not start_date <= i.starts_at.astimezone(OSLO).date() <= end_date]


def programme_moves(gathering: Gathering, start_date: date, end_date: date) -> list[ItemMove]:
    """Every active item, in order, at the same day number and Oslo clock time on the new
    dates: what moving the programme with the dates would do."""
    days = (end_date - start_date).days + 1
    moves = []
    for item in sorted(gathering.active_items, key=lambda i: (i.starts_at, i.id)):
        starts, ends = item.starts_at.astimezone(OSLO), item.ends_at.astimezone(OSLO)
        day = (starts.date() - gathering.start_date).days + 1
        new_starts = new_ends = None
        if 1 <= day <= days:
            on = start_date + timedelta(days=day - 1)
            new_starts = datetime.combine(on, starts.time().replace(tzinfo=None), tzinfo=OSLO)
            new_ends = datetime.combine(on + (ends.date() - starts.date()),
                                        ends.time().replace(tzinfo=None), tzinfo=OSLO)
        moves.append(ItemMove(item, day, starts, ends, new_starts, new_ends))
    return moves


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
