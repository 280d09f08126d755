"""The participant's own calendar file: the programme, with their table at each group-work item
that has a round. Built with the gathering's calendar writer (``gatherings/calendar.py``)."""

from dataclasses import replace

from flask_babel import gettext as _

from eventapp.core.time import utcnow
from eventapp.registration.models import Registration
from eventapp.seating import services


def personal_uid(registration: Registration, item_uid: str) -> str:
    """Stable per person and item, and apart from the programme feed's own UIDs, so importing
    this file next to a subscription to the programme adds, and later updates, its own events."""
    return f"r{registration.id}.{item_uid}"


def tables_by_item(registration: Registration) -> dict[int, str]:
    """Programme item id → the person's table name, for the rounds tied to an item."""
    if registration.status != "confirmed":
        return {}
    return {rnd.programme_item_id: table.name for rnd, table in services.seats_for(registration)
            if rnd.programme_item_id is not None}


def participant_ics(registration: Registration, now=None) -> bytes:
    """The programme as iCalendar for one participant: every item (removed ones as cancelled),
    and at each group-work item with a round their table in LOCATION and the description
    ("Table 4, Room A, Venue")."""
    from eventapp.gatherings.calendar import programme_calendar
    from eventapp.gatherings.services import calendar_gathering_info, calendar_item_info

    gathering = registration.gathering
    seated = tables_by_item(registration)
    items = []
    for item in gathering.items:
        info = calendar_item_info(item, links=True)
        table = seated.get(item.id)
        changes = {"uid": personal_uid(registration, item.uid)}
        if table is not None:
            changes["room"] = ", ".join(p for p in (table, item.room) if p and p.strip())
            line = _("Your table: %(table)s", table=table)
            text = (item.description or "").strip()
            changes["description"] = f"{line}\n\n{text}" if text else line
        items.append(replace(info, **changes))
    # The participant's own file: with the meeting links.
    return programme_calendar(calendar_gathering_info(gathering, links=True), items,
                              now or utcnow())


person_summary = services.person_summary
