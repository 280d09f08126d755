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
from eventapp.core.db import lock_row
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
    lock_row(Gathering, gathering.id)


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


# --- municipal input ---------------------------------------------------------------------
# What municipalities want from the programme: anyone with the gathering's input link (or a
# logged-in municipal contact) answers a short form; the committee reads it, marks what it
# adopted and links it to the programme items that answer it.

INPUT_TEXT_MAX = 2000
INPUT_NOTE_MAX = 2000


def input_places(gathering: Gathering) -> list[Municipality]:
    """The municipalities (and Oslo's city districts) that may answer for this gathering."""
    return list(db.session.scalars(
        select(Municipality)
        .where(Municipality.county_id == gathering.county_id, Municipality.active.is_(True))
        .order_by(Municipality.number)
    ))


def answering_units(gathering: Gathering) -> list[Municipality]:
    """Who is asked: every municipality, except that where city districts play the
    municipality's part (Oslo), the districts are counted instead of the city."""
    places = input_places(gathering)
    with_districts = {m.parent_id for m in places if m.is_district}
    return [m for m in places if m.id not in with_districts]


def submit_input(gathering: Gathering, *, municipality: Municipality | None, name: str = "",
                 email: str = "", topics: str = "", questions: str = "", experience: str = "",
                 small: bool | None = None, submitted_by=None):
    """Record one municipality's input to the programme. Refuses, changing nothing, when no
    municipality of the gathering's county is given or nothing at all is said."""
    from eventapp.gatherings.models import MunicipalInput

    texts = {"topics": (topics or "").strip(), "questions": (questions or "").strip(),
             "experience": (experience or "").strip()}
    name, email = (name or "").strip(), (email or "").strip().lower()
    problems: dict = {}
    if municipality is None:
        problems["municipality"] = _("Choose your municipality or city district.")
    elif municipality.county_id != gathering.county_id or not municipality.active:
        problems["municipality"] = _("Choose a municipality in %(county)s.",
                                     county=gathering.county.name)
    if not any(texts.values()):
        problems["topics"] = _("Write at least one topic, question or experience you could share.")
    for key, text in texts.items():
        if len(text) > INPUT_TEXT_MAX:
            problems[key] = _("Keep it to at most %(n)d characters.", n=INPUT_TEXT_MAX)
    if len(name) > 200:
        problems["name"] = _("The name can be at most 200 characters.")
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        problems["email"] = _("Enter a valid email address, or leave it empty.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    given = MunicipalInput(
        gathering_id=gathering.id, municipality_id=municipality.id, name=name or None,
        email=email or None, small_municipality=small,
        submitted_by_id=getattr(submitted_by, "id", None), **texts,
    )
    db.session.add(given)
    db.session.flush()
    return given


def gathering_inputs(gathering: Gathering) -> list:
    """All input to ``gathering``, newest first (for the committee)."""
    from eventapp.gatherings.models import MunicipalInput

    return list(db.session.scalars(
        select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id)
        .order_by(MunicipalInput.created_at.desc(), MunicipalInput.id.desc())
    ))


def municipality_inputs(gathering: Gathering, municipality_id: int | None) -> list:
    """What one municipality has sent for ``gathering`` (its own contact sees how it went)."""
    from eventapp.gatherings.models import MunicipalInput

    if municipality_id is None:
        return []
    return list(db.session.scalars(
        select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id,
                                     MunicipalInput.municipality_id == municipality_id)
        .order_by(MunicipalInput.created_at.desc(), MunicipalInput.id.desc())
    ))


def input_coverage(gathering: Gathering) -> tuple[int, int]:
    """(how many of the county's municipalities answered, how many were asked)."""
    asked = answering_units(gathering)
    asked_ids = {m.id for m in asked}
    answered = {i.municipality_id for i in gathering_inputs(gathering)
                if i.municipality_id in asked_ids}
    return len(answered), len(asked)


def review_input(given, actor, status: str, note: str | None, items: list[ProgrammeItem]):
    """The committee's answer to one input: adopted or declined, a note, and the programme
    items that take it up."""
    from eventapp.gatherings.models import INPUT_STATUSES

    gathering = given.gathering
    if not may_edit_programme(actor, gathering):
        raise Forbidden(_("Only the county's host and the programme committee may review input."))
    note = (note or "").strip()
    problems: dict = {}
    if status not in INPUT_STATUSES:
        problems["status"] = _("Choose new, adopted or declined.")
    if len(note) > INPUT_NOTE_MAX:
        problems["note"] = _("Keep the note to at most %(n)d characters.", n=INPUT_NOTE_MAX)
    if any(i.gathering_id != gathering.id or i.cancelled_at is not None for i in items):
        problems["items"] = _("Choose items from this gathering's programme.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    given.status = status
    given.committee_note = note or None
    # Links to items removed from the programme since are kept: they tell what happened.
    kept = [i for i in given.items if i.cancelled_at is not None]
    given.items = kept + [i for i in items if i not in kept]
    db.session.flush()
    return given


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
        ))
    return checks.Programme(
        days=gathering.days, items=tuple(items), committee_size=len(gathering.committee),
        municipal_members=sum(1 for m in gathering.committee if m.is_municipal),
        small_municipalities=tuple(small_names),
    )


def programme_checks(gathering: Gathering) -> list:
    """The checks of ``gathering``'s programme, in the user's language (``checks.Check``)."""
    from eventapp.gatherings.checks import run_checks

    return run_checks(programme_for_checks(gathering), gettext=_)


# --- calendars and other events ---
# The programme and the gathering as iCalendar (eventapp/gatherings/calendar.py does the format;
# this maps rows to it), other events for the same audience, and clash warnings.

CLASH_DAYS = 14
MAX_ICS_BYTES = 1_000_000
OTHER_EVENT_TEXT_MAX = 200


def _calendar_labels():
    from eventapp.gatherings.calendar import Labels

    return Labels(
        speakers=_("Speakers"),
        questions=_("%(minutes)s minutes for questions and discussion", minutes="{minutes}"),
        programme=_("Programme"),
    )


def calendar_item_info(item: ProgrammeItem):
    from eventapp.gatherings.calendar import ItemInfo
    from eventapp.gatherings.forms import item_kind_label, organisation_kind_label

    speakers = [f"{s.name} ({s.organisation or organisation_kind_label(s.organisation_kind)})"
                for s in item.speakers]
    return ItemInfo(
        uid=item.uid, starts_at=item.starts_at, ends_at=item.ends_at, title=item.title,
        description=item.description, room=item.room, question_minutes=item.question_minutes,
        speakers=speakers, category=item_kind_label(item.kind), sequence=item.sequence,
        cancelled=item.cancelled_at is not None, created_at=item.created_at,
        updated_at=item.updated_at,
    )


def calendar_gathering_info(gathering: Gathering):
    """The gathering as the calendar module wants it. Its event's SEQUENCE counts the programme's
    changes (every item added, changed or removed raises it), so an imported "add to calendar"
    event is replaced when the programme's first start or last end moves."""
    from flask import current_app

    from eventapp.core.web import external_url
    from eventapp.gatherings.calendar import GatheringInfo

    active = gathering.active_items
    url = None
    if gathering.published and "gatherings.public" in current_app.view_functions:
        url = external_url("gatherings.public", gathering_id=gathering.id)
    moments = [gathering.created_at] + [i.updated_at for i in gathering.items]
    return GatheringInfo(
        id=gathering.id, title=gathering.title, start_date=gathering.start_date,
        end_date=gathering.end_date, venue=gathering.venue, address=gathering.address,
        description=gathering.description, url=url,
        first_start=min((i.starts_at for i in active), default=None),
        last_end=max((i.ends_at for i in active), default=None),
        sequence=len(gathering.items) + sum(i.sequence for i in gathering.items),
        updated_at=max((m for m in moments if m is not None), default=None),
        labels=_calendar_labels(),
    )


def programme_ics(gathering: Gathering, now: datetime | None = None) -> bytes:
    """The programme as iCalendar: every item, the removed ones as cancelled."""
    from eventapp.gatherings.calendar import programme_calendar

    return programme_calendar(calendar_gathering_info(gathering),
                              [calendar_item_info(i) for i in gathering.items], now or utcnow())


def gathering_ics(gathering: Gathering, now: datetime | None = None) -> bytes:
    """One event for the whole gathering, for "add to calendar"."""
    from eventapp.gatherings.calendar import gathering_calendar

    return gathering_calendar(calendar_gathering_info(gathering), now or utcnow())


def gathering_by_calendar_token(token: str) -> Gathering | None:
    """The published gathering whose subscription link holds ``token``; None for a draft."""
    if not token or len(token) > 64:
        return None
    gathering = db.session.scalars(
        select(Gathering).where(Gathering.calendar_token == token)
    ).first()
    return gathering if gathering is not None and gathering.published else None


def other_events(gathering: Gathering) -> list:
    from eventapp.gatherings.models import OtherEvent

    return list(db.session.scalars(
        select(OtherEvent).where(OtherEvent.gathering_id == gathering.id)
        .order_by(OtherEvent.start_date, OtherEvent.end_date, OtherEvent.id)
    ))


def _clean(value: str | None, limit: int = OTHER_EVENT_TEXT_MAX) -> str:
    return " ".join((value or "").split())[:limit]


def add_other_event(gathering: Gathering, actor, *, title: str, start_date: date | None,
                    end_date: date | None, organiser: str | None = None,
                    location: str | None = None):
    """Record another event for the same audience, typed in by the county's host."""
    from eventapp.gatherings.models import OtherEvent

    require_host(actor, gathering)
    problems: dict = {}
    title_text = " ".join((title or "").split())
    if not title_text:
        problems["title"] = _("Enter the event's name.")
    elif len(title_text) > OTHER_EVENT_TEXT_MAX:
        problems["title"] = _("The name can be at most %(n)d characters.", n=OTHER_EVENT_TEXT_MAX)
    for name, value in (("organiser", organiser), ("location", location)):
        if len(" ".join((value or "").split())) > OTHER_EVENT_TEXT_MAX:
            problems[name] = _("At most %(n)d characters.", n=OTHER_EVENT_TEXT_MAX)
    if start_date is None:
        problems["start_date"] = _("Enter the first day of the event.")
    if end_date is None:
        problems["end_date"] = _("Enter the last day of the event (the first day again if it "
                                 "lasts one day).")
    elif start_date is not None and end_date < start_date:
        problems["end_date"] = _("The event cannot end before it starts.")
    if not problems:
        same = db.session.scalars(select(OtherEvent.id).where(
            OtherEvent.gathering_id == gathering.id, OtherEvent.title == title_text,
            OtherEvent.start_date == start_date, OtherEvent.end_date == end_date,
        )).first()
        if same is not None:
            problems["title"] = _("This event is already in the list.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    event = OtherEvent(gathering_id=gathering.id, title=title_text,
                       organiser=_clean(organiser) or None, location=_clean(location) or None,
                       start_date=start_date, end_date=end_date, source="manual")
    db.session.add(event)
    db.session.flush()
    return event


def _ics_problem(exc) -> str:
    from eventapp.gatherings.calendar import MAX_EVENTS

    return {
        "empty": _("The file is empty."),
        "not_calendar": _("This is not a calendar file. Choose an .ics file exported from a "
                          "calendar program."),
        "unreadable": _("The calendar file is damaged and could not be read."),
        "no_events": _("The calendar file holds no events."),
        "too_many": _("The calendar file holds more than %(n)d events. Export a shorter period.",
                      n=MAX_EVENTS),
        "bad_event": _("The event “%(title)s” in the file has no valid start date.",
                       title=exc.title or "?"),
    }.get(getattr(exc, "code", ""), _("The calendar file could not be read."))


def import_other_events(gathering: Gathering, actor, data: bytes) -> dict:
    """Add the events of an .ics file. An event already imported (same UID) is updated, not
    added again; one the file marks cancelled is taken out. Nothing is saved from a file that
    cannot be read. Returns the counts: added, updated, unchanged, removed."""
    import hashlib

    from eventapp.gatherings.calendar import CalendarFileError, parse_events
    from eventapp.gatherings.models import OtherEvent

    require_host(actor, gathering)
    if len(data or b"") > MAX_ICS_BYTES:
        raise ValidationFailed(_("The file is too large: at most %(n)d MB.",
                                 n=MAX_ICS_BYTES // 1_000_000), field="file")
    try:
        parsed = parse_events(data or b"")
    except CalendarFileError as exc:
        raise ValidationFailed(_ics_problem(exc), field="file") from exc
    _lock(gathering)
    existing = {e.source_uid: e for e in db.session.scalars(
        select(OtherEvent).where(OtherEvent.gathering_id == gathering.id,
                                 OtherEvent.source_uid.is_not(None))
    )}
    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for found in parsed:
        uid = found["uid"]
        if len(uid) > 255:
            uid = hashlib.sha256(uid.encode()).hexdigest() + "@import"
        event = existing.get(uid)
        if found["cancelled"]:
            if event is not None:
                db.session.delete(event)
                del existing[uid]
                counts["removed"] += 1
            continue
        values = {
            "title": _clean(found["title"]) or _("Untitled event"),
            "organiser": _clean(found["organiser"]) or None,
            "location": _clean(found["location"]) or None,
            "start_date": found["start_date"], "end_date": found["end_date"],
        }
        if event is None:
            event = OtherEvent(gathering_id=gathering.id, source="ics", source_uid=uid, **values)
            db.session.add(event)
            existing[uid] = event
            counts["added"] += 1
        elif any(getattr(event, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(event, k, v)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    return counts


def delete_other_event(gathering: Gathering, actor, event_id: int) -> None:
    from eventapp.core.errors import NotFound
    from eventapp.gatherings.models import OtherEvent

    require_host(actor, gathering)
    event = db.session.get(OtherEvent, event_id)
    if event is None or event.gathering_id != gathering.id:
        raise NotFound(_("No such event."))
    db.session.delete(event)
    db.session.flush()


def clashes(gathering: Gathering) -> list:
    """Other events on, or within two weeks of, the gathering's days: [(event, days apart)],
    nearest first. 0 days means they overlap."""
    from datetime import timedelta

    from eventapp.gatherings.models import OtherEvent

    window = timedelta(days=CLASH_DAYS)
    events = db.session.scalars(select(OtherEvent).where(
        OtherEvent.gathering_id == gathering.id,
        OtherEvent.end_date >= gathering.start_date - window,
        OtherEvent.start_date <= gathering.end_date + window,
    ))
    found = [(e, e.days_from(gathering)) for e in events]
    return sorted(found, key=lambda pair: (pair[1], pair[0].start_date, pair[0].id))


def gathering_clashes(gathering: Gathering, viewer=None) -> list[Gathering]:
    """Other gatherings on any of the same days. HK-dir comes to every gathering, so these
    clash for the directorate. With ``viewer``, only those the viewer may know of: published
    ones (their pages are public) and those in the viewer's scope."""
    from sqlalchemy import or_

    from eventapp.core.access import scope

    stmt = select(Gathering).where(
        Gathering.id != gathering.id,
        Gathering.start_date <= gathering.end_date,
        Gathering.end_date >= gathering.start_date,
    )
    if viewer is not None:
        visible = scope(select(Gathering.id), Gathering, viewer)
        stmt = stmt.where(or_(Gathering.status != "draft", Gathering.id.in_(visible)))
    return list(db.session.scalars(stmt.order_by(Gathering.start_date, Gathering.id)))


def calendar_years() -> list[int]:
    from sqlalchemy import extract

    year = extract("year", Gathering.start_date)
    return sorted({int(y) for y in db.session.scalars(select(year).distinct()) if y is not None})


def national_calendar(year: int) -> list[dict]:
    """All counties' gatherings in ``year`` by date, each with the gatherings on the same days
    and the other events within two weeks: [{gathering, overlaps, events}]. The directorate's
    view: callers check the role."""
    from datetime import timedelta

    from sqlalchemy.orm import selectinload

    from eventapp.gatherings.models import OtherEvent

    first, last = date(year, 1, 1), date(year, 12, 31)
    nearby = list(db.session.scalars(
        select(Gathering).options(selectinload(Gathering.county))
        .where(Gathering.end_date >= first - timedelta(days=1),
               Gathering.start_date <= last + timedelta(days=1))
        .order_by(Gathering.start_date, Gathering.end_date, Gathering.id)
    ))
    shown = [g for g in nearby if g.end_date >= first and g.start_date <= last]
    events: dict[int, list] = {g.id: [] for g in shown}
    if shown:
        for event in db.session.scalars(select(OtherEvent).where(
                OtherEvent.gathering_id.in_([g.id for g in shown]))):
            events[event.gathering_id].append(event)
    rows = []
    for g in shown:
        overlaps = [o for o in nearby if o.id != g.id
                    and o.start_date <= g.end_date and o.end_date >= g.start_date]
        near = sorted(((e, e.days_from(g)) for e in events[g.id]
                       if e.days_from(g) <= CLASH_DAYS), key=lambda pair: pair[1])
        rows.append({"gathering": g, "overlaps": overlaps, "events": near})
    return rows
