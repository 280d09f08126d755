"""Gathering workflows: the gathering itself, its committee and its programme.

Services validate, change and flush; the caller commits once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.core.access import Role, may_manage_county
from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import (
    DEFAULT_POOL_CAP,
    ITEM_KINDS,
    ORGANISATION_KINDS,
    CommitteeMember,
    Gathering,
    ProgrammeChange,
    ProgrammeItem,
    Speaker,
)
from eventapp.places.models import County, Municipality

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
    for name in ("title", "venue"):
        if name in values and not (values[name] or "").strip():
            problems[name] = _("Enter a title.") if name == "title" else _("Enter the venue.")


def create_gathering(*, county: County, title: str, start_date: date, end_date: date, venue: str,
                     actor=None, **fields) -> Gathering:
    """A draft gathering for ``county``; a county host creates one only for their own county."""
    if actor is not None and not may_manage_county(actor, county.id):
        raise Forbidden(_("You may only create gatherings for your own county."))
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
    """Change the gathering's details and settings (not its status: see ``change_status``)."""
    require_host(actor, gathering)
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
    require_host(actor, gathering)
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


# --- who may do what -----------------------------------------------------------------------

def is_committee_member(user, gathering: Gathering) -> bool:
    return any(m.user_id == user.id for m in gathering.committee)


def may_edit_programme(user, gathering: Gathering) -> bool:
    """The county's hosts and the gathering's committee members shape the programme."""
    if user is None or not user.is_authenticated:
        return False
    return may_manage_county(user, gathering.county_id) or is_committee_member(user, gathering)


def require_host(actor, gathering: Gathering) -> None:
    if not may_manage_county(actor, gathering.county_id):
        raise Forbidden(_("Only the county's host may do this."))


def require_programme_editor(actor, gathering: Gathering) -> None:
    if not may_edit_programme(actor, gathering):
        raise Forbidden(_("Only the county's host and the programme committee may change the "
                          "programme."))


# --- the committee -------------------------------------------------------------------------

def add_committee_member(gathering: Gathering, actor, *, email: str, name: str = "",
                         municipality: Municipality | None = None) -> CommitteeMember:
    """Add someone to the committee. A person without an account gets one and an emailed link
    to activate it: county staff as career counsellors, municipal staff as municipal contacts."""
    from eventapp.accounts.services import create_user, find_user_by_email

    require_host(actor, gathering)
    user = find_user_by_email(email)
    if user is None:
        if municipality is not None and municipality.county_id != gathering.county_id:
            raise ValidationFailed(_("Choose a municipality in your own county."),
                                   field="municipality")
        user = create_user(
            email=email, name=name,
            role=Role.MUNICIPAL_CONTACT if municipality is not None else Role.COUNSELLOR,
            county=gathering.county, municipality=municipality, actor=actor,
        )
    elif user.role == Role.DIRECTORATE or user.county_id != gathering.county_id:
        raise ValidationFailed(
            _("%(email)s belongs to another county; committee members come from this county.",
              email=user.email), field="email")
    if is_committee_member(user, gathering):
        raise ValidationFailed(_("%(name)s is already on the committee.", name=user.name),
                               field="email")
    member = CommitteeMember(gathering=gathering, user=user, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    return member


def remove_committee_member(gathering: Gathering, actor, member_id: int) -> None:
    require_host(actor, gathering)
    member = next((m for m in gathering.committee if m.id == member_id), None)
    if member is None:
        raise ValidationFailed(_("No such committee member."))
    gathering.committee.remove(member)
    db.session.flush()


# --- the programme -------------------------------------------------------------------------

@dataclass
class SpeakerData:
    name: str
    organisation: str = ""
    organisation_kind: str = "other"


@dataclass
class ItemData:
    """What a person enters for a programme item: local (Oslo) times on one of the days."""

    day: int
    start: time
    end: time
    kind: str
    title: str
    description: str = ""
    room: str = ""
    question_minutes: int = 0
    speakers: list[SpeakerData] = field(default_factory=list)


def local_moment(gathering: Gathering, day: int, clock: time) -> datetime:
    """The UTC moment of a wall-clock time in Oslo on day 1 or 2 (summer time included)."""
    return datetime.combine(gathering.date_of_day(day), clock, tzinfo=OSLO).astimezone(OSLO)


def _lock(gathering: Gathering) -> None:
    """Hold the gathering's row while the programme is checked and changed, so two editors
    cannot both put an item into the same free slot (SQLite serialises writers anyway)."""
    db.session.execute(
        select(Gathering.id).where(Gathering.id == gathering.id).with_for_update()
    )


def _validate_item(gathering: Gathering, data: ItemData, ignore: ProgrammeItem | None = None):
    problems: dict = {}
    if not (data.title or "").strip():
        problems["title"] = _("Enter a title.")
    elif len(data.title.strip()) > 200:
        problems["title"] = _("The title can be at most 200 characters.")
    if data.kind not in ITEM_KINDS:
        problems["kind"] = _("Choose what kind of item this is.")
    if data.day not in range(1, gathering.days + 1):
        problems["day"] = _("Choose one of the gathering's days (%(first)s to %(last)s).",
                            first=gathering.start_date.isoformat(),
                            last=gathering.end_date.isoformat())
    if data.start is None:
        problems["start"] = _("Enter when it starts.")
    if data.end is None:
        problems["end"] = _("Enter when it ends.")
    elif data.start is not None and data.end <= data.start:
        problems["end"] = _("It must end after it starts, on the same day.")
    if data.question_minutes is None or data.question_minutes < 0:
        problems["question_minutes"] = _("Minutes for questions cannot be negative.")
    elif data.start and data.end and data.end > data.start and data.question_minutes > (
        datetime.combine(date.min, data.end) - datetime.combine(date.min, data.start)
    ).seconds // 60:
        problems["question_minutes"] = _("The time for questions is longer than the item.")
    if len((data.room or "").strip()) > 100:
        problems["room"] = _("The room name can be at most 100 characters.")
    for i, speaker in enumerate(data.speakers):
        if not speaker.name.strip():
            problems[f"speakers.{i}.name"] = _("Enter the speaker's name.")
        if speaker.organisation_kind not in ORGANISATION_KINDS:
            problems[f"speakers.{i}.organisation_kind"] = _("Choose the kind of organisation.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)

    starts = local_moment(gathering, data.day, data.start)
    ends = local_moment(gathering, data.day, data.end)
    room_key = " ".join((data.room or "").lower().split())
    for other in gathering.active_items:
        if other is ignore or other.room_key != room_key:
            continue
        if other.starts_at < ends and starts < other.ends_at:
            where = data.room.strip() if room_key else _("the main room")
            raise ValidationFailed(
                _("This overlaps “%(title)s” (%(start)s–%(end)s) in %(room)s. Choose another "
                  "time or room.", title=other.title,
                  start=format_time(other.starts_at, "HH:mm"),
                  end=format_time(other.ends_at, "HH:mm"), room=where),
                field="start",
            )
    return starts, ends


def _describe(item: ProgrammeItem) -> str:
    local = item.starts_at.astimezone(OSLO)
    return (f"{item.title} ({local:%Y-%m-%d %H:%M}–{item.ends_at.astimezone(OSLO):%H:%M}"
            f"{', ' + item.room if item.room else ''})")


def _log(gathering, actor, action, summary, item=None):
    db.session.add(ProgrammeChange(gathering_id=gathering.id, item=item, user_id=actor.id,
                                   action=action, summary=summary))


def _apply(item: ProgrammeItem, data: ItemData, starts, ends) -> list[str]:
    """Write ``data`` onto ``item``; the names of what changed."""
    new = {
        "starts_at": starts, "ends_at": ends, "kind": data.kind, "title": data.title.strip(),
        "description": (data.description or "").strip() or None,
        "room": (data.room or "").strip() or None, "question_minutes": data.question_minutes,
    }
    changed = [name for name, value in new.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, new[name])
    speakers = [(s.name.strip(), (s.organisation or "").strip(), s.organisation_kind)
                for s in data.speakers]
    if speakers != [(s.name, s.organisation, s.organisation_kind) for s in item.speakers]:
        item.speakers = [Speaker(position=i, name=n, organisation=o, organisation_kind=k)
                         for i, (n, o, k) in enumerate(speakers)]
        changed.append("speakers")
    return changed


def add_item(gathering: Gathering, actor, data: ItemData) -> ProgrammeItem:
    require_programme_editor(actor, gathering)
    _lock(gathering)
    starts, ends = _validate_item(gathering, data)
    item = ProgrammeItem(gathering=gathering)
    _apply(item, data, starts, ends)
    db.session.add(item)
    db.session.flush()
    _log(gathering, actor, "created", _describe(item), item)
    db.session.flush()
    return item


def update_item(item: ProgrammeItem, actor, data: ItemData) -> ProgrammeItem:
    gathering = item.gathering
    require_programme_editor(actor, gathering)
    if item.cancelled_at is not None:
        raise ValidationFailed(_("This item has been removed from the programme."))
    _lock(gathering)
    starts, ends = _validate_item(gathering, data, ignore=item)
    before = _describe(item)
    changed = _apply(item, data, starts, ends)
    if changed:
        # Calendar programs replace an event only when its SEQUENCE goes up.
        item.sequence += 1
        item.updated_at = utcnow()
        _log(gathering, actor, "updated",
             f"{before} → {_describe(item)} [{', '.join(changed)}]", item)
    db.session.flush()
    return item


def cancel_item(item: ProgrammeItem, actor) -> ProgrammeItem:
    """Take an item off the programme. It stays, cancelled, so calendars can remove it."""
    gathering = item.gathering
    require_programme_editor(actor, gathering)
    if item.cancelled_at is None:
        item.cancelled_at = utcnow()
        item.sequence += 1
        item.updated_at = item.cancelled_at
        _log(gathering, actor, "cancelled", _describe(item), item)
        db.session.flush()
    return item


def programme_by_day(gathering: Gathering) -> list[tuple[int, date, list[ProgrammeItem]]]:
    days = []
    for day in range(1, gathering.days + 1):
        items = [i for i in gathering.active_items if gathering.day_of(i.starts_at) == day]
        days.append((day, gathering.date_of_day(day), items))
    return days


def change_log(gathering: Gathering, limit: int = 100) -> list[ProgrammeChange]:
    return list(db.session.scalars(
        select(ProgrammeChange).where(ProgrammeChange.gathering_id == gathering.id)
        .order_by(ProgrammeChange.at.desc(), ProgrammeChange.id.desc()).limit(limit)
    ))


def committee_users(gathering: Gathering) -> list[User]:
    return [m.user for m in gathering.committee]
