"""The programme: its items, their speakers, the change log, and the programme checks."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import (
    ITEM_KINDS,
    ORGANISATION_KINDS,
    Gathering,
    ProgrammeChange,
    ProgrammeItem,
    Speaker,
)
from eventapp.gatherings.services.gathering import clean_meeting_url, lock_gathering
from eventapp.gatherings.services.topics import all_topics, topics_for_codes
from eventapp.gatherings.signals import note_move


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
    # An item held online on its own link; empty for one in the room (or on the gathering's).
    meeting_url: str = ""
    speakers: list[SpeakerData] = field(default_factory=list)
    # Codes from the national list of topics; None leaves an item's topics as they are.
    topics: list[str] | None = None


def local_moment(gathering: Gathering, day: int, clock: time) -> datetime:
    """The UTC moment of a wall-clock time in Oslo on day 1 or 2 (summer time included)."""
    return datetime.combine(gathering.date_of_day(day), clock, tzinfo=OSLO).astimezone(OSLO)


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
    try:
        data.meeting_url = clean_meeting_url(data.meeting_url) or ""
    except ValueError as exc:
        problems["meeting_url"] = str(exc)
    for i, speaker in enumerate(data.speakers):
        if not speaker.name.strip():
            problems[f"speakers.{i}.name"] = _("Enter the speaker's name.")
        if speaker.organisation_kind not in ORGANISATION_KINDS:
            problems[f"speakers.{i}.organisation_kind"] = _("Choose the kind of organisation.")
    try:
        topics = topics_for_codes(data.topics, keep=ignore.topics if ignore else [])
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    if data.topics is not None:
        data.topics = [t.code for t in topics]

    starts = local_moment(gathering, data.day, data.start)
    ends = local_moment(gathering, data.day, data.end)
    room_key = " ".join((data.room or "").lower().split())
    if not room_key and data.meeting_url:
        # The same key as ProgrammeItem.room_key: an item online is "in" its link.
        room_key = f"link:{data.meeting_url}"
    for other in gathering.active_items:
        if other is ignore or other.room_key != room_key:
            continue
        if other.starts_at < ends and starts < other.ends_at:
            where = (_("its meeting link") if room_key.startswith("link:")
                     else data.room.strip() if room_key else _("the main room"))
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
    # The log is read by the committee; the link itself stays out of it.
    where = item.room or (_("digital") if item.meeting_url else "")
    return (f"{item.title} ({local:%Y-%m-%d %H:%M}–{item.ends_at.astimezone(OSLO):%H:%M}"
            f"{', ' + where if where else ''})")


def _log(gathering, actor, action, summary, item=None):
    db.session.add(ProgrammeChange(gathering_id=gathering.id, item=item, user_id=actor.id,
                                   action=action, summary=summary))


def _apply(item: ProgrammeItem, data: ItemData, starts, ends) -> list[str]:
    """Write ``data`` onto ``item`` (its topic codes checked by ``_validate_item``); the names of
    what changed."""
    new = {
        "starts_at": starts, "ends_at": ends, "kind": data.kind, "title": data.title.strip(),
        "description": (data.description or "").strip() or None,
        "room": (data.room or "").strip() or None, "question_minutes": data.question_minutes,
        "meeting_url": data.meeting_url or None,
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
    if data.topics is not None and set(data.topics) != {t.code for t in item.topics}:
        # A new item is not in the session yet: reading the list must not flush it half-made.
        with db.session.no_autoflush:
            item.topics = topics_for_codes(data.topics, keep=item.topics)
        changed.append("topics")
    return changed


def add_item(gathering: Gathering, actor, data: ItemData) -> ProgrammeItem:
    policy.authorize(actor, "programme.edit", gathering)
    lock_gathering(gathering)
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
    policy.authorize(actor, "programme.edit", gathering)
    if item.cancelled_at is not None:
        raise ValidationFailed(_("This item has been removed from the programme."))
    lock_gathering(gathering)
    starts, ends = _validate_item(gathering, data, ignore=item)
    # New times are mailed to everyone registered, once per save (see gatherings.signals).
    note_move(gathering, actor)
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
    """Take an item off the programme. It stays, cancelled, so calendars can remove it and the
    editors can restore it."""
    gathering = item.gathering
    policy.authorize(actor, "programme.edit", gathering)
    if item.cancelled_at is None:
        item.cancelled_at = utcnow()
        item.sequence += 1
        item.updated_at = item.cancelled_at
        _log(gathering, actor, "cancelled", _describe(item), item)
        db.session.flush()
    return item


def removed_items(gathering: Gathering) -> list[ProgrammeItem]:
    """The items taken off the programme, in time order, for the editors to restore."""
    return sorted((i for i in gathering.items if i.cancelled_at is not None),
                  key=lambda i: (i.starts_at, i.id))


def restore_item(item: ProgrammeItem, actor) -> ProgrammeItem:
    """Put a removed item back on the programme as it was, unless it now lies outside the
    gathering's days or overlaps another item in the same room (the same rule as adding one)."""
    gathering = item.gathering
    policy.authorize(actor, "programme.edit", gathering)
    lock_gathering(gathering)
    if item.cancelled_at is None:
        raise Conflict(_("“%(title)s” is already on the programme.", title=item.title))
    if gathering.day_of(item.starts_at) is None:
        raise Conflict(_("“%(title)s” lies outside the gathering's dates now, so it cannot be "
                         "restored. Add it again on one of the days.", title=item.title))
    for other in gathering.active_items:
        if other.id != item.id and other.room_key == item.room_key \
                and other.starts_at < item.ends_at and item.starts_at < other.ends_at:
            raise Conflict(_("“%(title)s” cannot be restored: it would overlap “%(other)s” "
                             "(%(start)s–%(end)s) in %(room)s. Move or remove that item first.",
                             title=item.title, other=other.title,
                             start=format_time(other.starts_at, "HH:mm"),
                             end=format_time(other.ends_at, "HH:mm"),
                             room=other.room or (_("its meeting link") if other.meeting_url
                                                 else _("the main room"))))
    item.cancelled_at = None
    # Calendars that showed it cancelled replace it only when its SEQUENCE goes up.
    item.sequence += 1
    item.updated_at = utcnow()
    _log(gathering, actor, "restored", _describe(item), item)
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



# --- programme checks ----------------------------------------------------------------------
# The learning points as a live checklist for the committee (eventapp/gatherings/checks.py holds
# the rules, on plain data). They advise; no service refuses anything because of them.

def programme_for_checks(gathering: Gathering):
    """The gathering's active programme, committee and municipal input as plain check data."""
    from eventapp.gatherings import checks
    from eventapp.gatherings.models import MunicipalInput

    inputs = list(db.session.scalars(
        select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id,
                                     MunicipalInput.small_municipality.is_(True))
    ))
    small_items = {item.id for given in inputs for item in given.items}
    small_names = sorted({given.municipality.name for given in inputs if given.municipality})
    items = []
    for item in gathering.active_items:
        day = gathering.day_of(item.starts_at)
        if day is None:  # outside the gathering's days; the programme editor refuses these
            continue
        items.append(checks.Item(
            id=item.id, day=day, start=item.starts_at.astimezone(OSLO).time(),
            end=item.ends_at.astimezone(OSLO).time(), kind=item.kind, title=item.title,
            room=item.room or "", question_minutes=item.question_minutes,
            speakers=tuple(checks.Speaker(s.name, s.organisation or "", s.organisation_kind)
                           for s in item.speakers),
            linked_to_small_municipality=item.id in small_items,
            topics=tuple(t.code for t in item.topics),
        ))
    return checks.Programme(
        days=gathering.days, items=tuple(items), committee_size=len(gathering.committee),
        municipal_members=sum(1 for m in gathering.committee if m.is_municipal),
        small_municipalities=tuple(small_names),
        topic_names=tuple((t.code, t.label()) for t in all_topics()),
    )


def programme_checks(gathering: Gathering) -> list:
    """The checks of ``gathering``'s programme, in the user's language (``checks.Check``)."""
    from eventapp.gatherings.checks import run_checks

    return run_checks(programme_for_checks(gathering), gettext=_)
