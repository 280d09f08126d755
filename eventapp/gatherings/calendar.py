"""iCalendar (RFC 5545) in and out: the programme as a calendar, the whole gathering as one
event, and other events read from an .ics file.

A pure module: plain data in, bytes or plain data out; no Flask, no database. The services map
rows to these dataclasses, and say in the user's language whatever text goes into a calendar
(see ``Labels``).

Times are written as local Europe/Oslo times with ``TZID=Europe/Oslo`` and a VTIMEZONE that
describes the zone by its yearly rule (the form calendar programs know best). icalendar's
``Timezone.from_tzid`` was not used: in icalendar 7.3 it puts the spring change an hour late
(its DAYLIGHT onset is written in the new offset, not the one in force before it); the tests
check this VTIMEZONE against the zoneinfo database.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vRecur,
)

TZID = "Europe/Oslo"
OSLO = ZoneInfo(TZID)
PRODID = "-//eventapp//Career guidance gatherings//NB"
# How often a subscribing calendar program should look again (Apple, Google, Outlook read one
# or the other of these).
REFRESH = timedelta(hours=1)


@dataclass
class Labels:
    """The words a calendar needs, in the reader's language (English unless told)."""

    speakers: str = "Speakers"
    # {minutes} is replaced by the number.
    questions: str = "{minutes} minutes for questions and discussion"
    programme: str = "Programme"
    # LOCATION of a digital event when its link is not given out (a public calendar file).
    digital: str = "Digital"
    # Before the meeting link in DESCRIPTION.
    join: str = "Join digitally"


@dataclass
class ItemInfo:
    """One programme item. ``starts_at``/``ends_at`` are aware datetimes (any zone)."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    title: str
    description: str | None = None
    room: str | None = None
    question_minutes: int = 0
    # Already formatted for reading, e.g. "Kari Nordmann (NAV Vestland)".
    speakers: list[str] = field(default_factory=list)
    # What kind of item, as the reader says it ("Talk"), shown as its category.
    category: str | None = None
    # Held online (the item's own link, or a digital gathering): LOCATION is the link, or
    # ``Labels.digital`` in a file that does not carry links.
    digital: bool = False
    # The link to join (the item's own, else the gathering's); None in a file for the public.
    meeting_url: str | None = None
    sequence: int = 0
    cancelled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class GatheringInfo:
    id: int
    title: str
    start_date: date
    end_date: date
    venue: str | None
    address: str | None = None
    description: str | None = None
    url: str | None = None
    # "in_person", "digital" or "hybrid"; the link only in a file for the registered.
    mode: str = "in_person"
    meeting_url: str | None = None
    # The programme's first start and last end, when it has items: the "add to calendar"
    # event then covers exactly that time; otherwise it is all-day over the gathering's days.
    first_start: datetime | None = None
    last_end: datetime | None = None
    # Raised whenever the gathering's event changes, so calendar programs replace it.
    sequence: int = 0
    updated_at: datetime | None = None
    labels: Labels = field(default_factory=Labels)


def gathering_uid(gathering_id: int) -> str:
    return f"gathering-{gathering_id}@eventapp"


# --- writing -----------------------------------------------------------------------------------

def oslo_timezone() -> Timezone:
    """VTIMEZONE for Europe/Oslo: CET in winter, CEST from the last Sunday of March at 02:00 to
    the last Sunday of October at 03:00 (the EU rule, in force since 1996). Each DTSTART is the
    wall-clock time in force before the change (RFC 5545 3.6.5)."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("dtstart", datetime(1996, 3, 31, 2, 0))
    daylight.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("dtstart", datetime(1996, 10, 27, 3, 0))
    standard.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime: calendar times must carry a time zone")
    return moment.astimezone(UTC)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: calendar times must carry a time zone")
    return moment.astimezone(OSLO)


def _location(*parts: str | None) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _new_calendar(name: str, description: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    if description:
        cal.add("x-wr-caldesc", description)
    return cal


def _item_description(item: ItemInfo, labels: Labels) -> str:
    parts = []
    if item.description and item.description.strip():
        parts.append(item.description.strip())
    if item.speakers:
        parts.append(f"{labels.speakers}: " + "; ".join(item.speakers))
    if item.question_minutes:
        parts.append(labels.questions.format(minutes=item.question_minutes))
    if item.meeting_url:
        # Not every calendar program shows URL; every one shows the description.
        parts.append(f"{labels.join}: {item.meeting_url}")
    return "\n\n".join(parts)


def _item_event(item: ItemInfo, gathering: GatheringInfo, now: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _local(item.starts_at))
    event.add("dtend", _local(item.ends_at))
    event.add("summary", item.title)
    description = _item_description(item, gathering.labels)
    if description:
        event.add("description", description)
    if item.digital:
        location = item.meeting_url or gathering.labels.digital
    else:
        location = _location(item.room, gathering.venue)
    if location:
        event.add("location", location)
    if item.category:
        event.add("categories", [item.category])
    if item.meeting_url or gathering.url:
        event.add("url", item.meeting_url or gathering.url)
    event.add("sequence", max(0, item.sequence))
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if item.created_at is not None:
        event.add("created", _utc(item.created_at))
    event.add("last-modified", _utc(item.updated_at or item.created_at or now))
    return event


def programme_calendar(gathering: GatheringInfo, items: list[ItemInfo], now: datetime) -> bytes:
    """The programme, one event per item, for download and for subscription.

    Removed items stay in, marked cancelled with their raised SEQUENCE, so a calendar that
    imported them before takes them out.
    """
    cal = _new_calendar(gathering.title, f"{gathering.labels.programme}: {gathering.title}")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    cal.add_component(oslo_timezone())
    for item in sorted(items, key=lambda i: (_utc(i.starts_at), i.uid)):
        cal.add_component(_item_event(item, gathering, now))
    return cal.to_ical()


def gathering_calendar(gathering: GatheringInfo, now: datetime | None = None) -> bytes:
    """One event for the whole gathering ("add to calendar"), with a UID that stays the same
    so importing it again updates the entry instead of adding one."""
    now = now or datetime.now(UTC)
    cal = _new_calendar(gathering.title)
    event = Event()
    event.add("uid", gathering_uid(gathering.id))
    event.add("dtstamp", _utc(now))
    timed = gathering.first_start is not None and gathering.last_end is not None
    if timed:
        cal.add_component(oslo_timezone())
        event.add("dtstart", _local(gathering.first_start))
        event.add("dtend", _local(gathering.last_end))
    else:
        # All-day: DTEND is the day after the last (it is exclusive).
        event.add("dtstart", gathering.start_date)
        event.add("dtend", gathering.end_date + timedelta(days=1))
    event.add("summary", gathering.title)
    parts = [gathering.description.strip()] if gathering.description and \
        gathering.description.strip() else []
    if gathering.meeting_url:
        parts.append(f"{gathering.labels.join}: {gathering.meeting_url}")
    if parts:
        event.add("description", "\n\n".join(parts))
    if gathering.mode == "digital":
        location = gathering.meeting_url or gathering.labels.digital
    else:
        location = _location(gathering.venue, gathering.address)
    if location:
        event.add("location", location)
    if gathering.meeting_url or gathering.url:
        event.add("url", gathering.meeting_url or gathering.url)
    event.add("sequence", max(0, gathering.sequence))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE" if timed else "TRANSPARENT")
    event.add("last-modified", _utc(gathering.updated_at or now))
    cal.add_component(event)
    return cal.to_ical()


# --- reading -----------------------------------------------------------------------------------

MAX_EVENTS = 2000


class CalendarFileError(ValueError):
    """An .ics file that cannot be imported. ``code`` says why, for a message in the user's
    language: empty, not_calendar, unreadable, no_events, too_many, bad_event (``title`` names
    the event)."""

    def __init__(self, code: str, message: str, title: str = ""):
        super().__init__(message)
        self.code = code
        self.title = title


def _text(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split())


def _organiser(component) -> str:
    value = component.get("organizer")
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    name = " ".join(str(value.params.get("CN", "")).split()) if hasattr(value, "params") else ""
    if name:
        return name
    address = str(value).strip()
    return address[7:] if address.lower().startswith("mailto:") else address


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        # Floating times (no zone) are read as they stand.
        return value.astimezone(OSLO).date() if value.tzinfo is not None else value.date()
    return value


def _last_day(start: date | datetime, end: date | datetime) -> date:
    """The last day an event covers, given its exclusive end."""
    if not isinstance(end, datetime):
        # DTEND of an all-day event is the day after the last.
        return max(_day(start), end - timedelta(days=1))
    last = end.astimezone(OSLO) if end.tzinfo is not None else end
    day = last.date()
    # Ending at midnight means ending with the day before.
    if last.time() == time(0) and day > _day(start):
        day -= timedelta(days=1)
    return max(_day(start), day)


def _uid(component, title: str, start: date, end: date) -> str:
    uid = _text(component, "uid")
    if not uid:
        # Stable without a UID, so importing the same file twice adds nothing new.
        digest = hashlib.sha256(f"{title}|{start}|{end}".encode()).hexdigest()[:32]
        uid = f"{digest}@import"
    recurrence = component.get("recurrence-id")
    if recurrence is not None:
        uid = f"{uid}#{recurrence.to_ical().decode()}"
    return uid


def parse_events(ics: bytes) -> list[dict]:
    """Events in an .ics file as dicts: title, start_date, end_date (inclusive), location,
    organiser, uid, cancelled. Raises CalendarFileError (a ValueError) with a readable message
    for a file that is not a calendar or holds no events.

    A recurring event gives its first occurrence; a changed occurrence (RECURRENCE-ID) is an
    event of its own."""
    if isinstance(ics, str):
        ics = ics.encode("utf-8")
    if not ics or not ics.strip():
        raise CalendarFileError("empty", "The file is empty.")
    if b"BEGIN:VCALENDAR" not in ics[:4096].upper():
        raise CalendarFileError(
            "not_calendar", "This is not a calendar file (.ics): it does not start a VCALENDAR.")
    try:
        # Bytes, never str: icalendar may read a one-line str as the path of a file.
        calendars = Calendar.from_ical(bytes(ics), multiple=True)
    except Exception as exc:  # noqa: BLE001 - icalendar raises many kinds for broken input
        raise CalendarFileError("unreadable", f"The calendar file could not be read: {exc}") from exc
    components = [c for cal in calendars for c in cal.walk("VEVENT")]
    if not components:
        raise CalendarFileError("no_events", "The calendar file holds no events.")
    if len(components) > MAX_EVENTS:
        raise CalendarFileError("too_many", f"The calendar file holds more than {MAX_EVENTS} events.")
    events: dict[str, dict] = {}
    for component in components:
        title = _text(component, "summary")
        try:
            start_prop = component.get("dtstart")
            if start_prop is None:
                raise ValueError("no DTSTART")
            start = start_prop.dt
            if component.get("dtend") is not None:
                end = component.get("dtend").dt
            elif component.get("duration") is not None:
                end = start + component.get("duration").dt
            elif isinstance(start, datetime):
                end = start
            else:
                end = start + timedelta(days=1)
            if not isinstance(start, date) or not isinstance(end, date):
                raise ValueError("DTSTART or DTEND is not a date")
        except Exception as exc:  # noqa: BLE001 - a malformed date in one event
            raise CalendarFileError(
                "bad_event", f"The event “{title or '?'}” has no valid start or end ({exc}).", title
            ) from exc
        start_date = _day(start)
        end_date = _last_day(start, end)
        uid = _uid(component, title, start_date, end_date)
        events[uid] = {
            "title": title,
            "start_date": start_date,
            "end_date": end_date,
            "location": _text(component, "location"),
            "organiser": _organiser(component),
            "uid": uid,
            "cancelled": _text(component, "status").upper() == "CANCELLED",
        }
    return list(events.values())
