"""Other events for the same audience (typed in or imported from an .ics file), the clashes
they and other gatherings make, and the directorate's national calendar."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services.gathering import lock_gathering

CLASH_DAYS = 14
MAX_ICS_BYTES = 1_000_000
OTHER_EVENT_TEXT_MAX = 200


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

    policy.authorize(actor, "gathering.manage", gathering)
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

    policy.authorize(actor, "gathering.manage", gathering)
    if len(data or b"") > MAX_ICS_BYTES:
        raise ValidationFailed(_("The file is too large: at most %(n)d MB.",
                                 n=MAX_ICS_BYTES // 1_000_000), field="file")
    try:
        parsed = parse_events(data or b"")
    except CalendarFileError as exc:
        raise ValidationFailed(_ics_problem(exc), field="file") from exc
    lock_gathering(gathering)
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

    policy.authorize(actor, "gathering.manage", gathering)
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
