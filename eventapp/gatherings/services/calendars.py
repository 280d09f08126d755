"""The programme and the gathering as iCalendar (``eventapp/gatherings/calendar.py`` does the
format; this maps rows to it), and the subscription link."""

from datetime import datetime

from flask_babel import gettext as _

from eventapp.core.time import utcnow
from eventapp.gatherings.models import CALENDAR_LINK, Gathering, ProgrammeItem


def _calendar_labels():
    from eventapp.gatherings.calendar import Labels

    return Labels(
        speakers=_("Speakers"),
        questions=_("%(minutes)s minutes for questions and discussion", minutes="{minutes}"),
        programme=_("Programme"),
        digital=_("Digital"),
        join=_("Join digitally"),
    )


# ``links``: whether a calendar file carries the meeting links. The links are not public: only
# files for the registered (their confirmation, their own programme) and for those who run the
# gathering carry them; the public "add to calendar" file and the subscription feed (a link
# that may be passed on) say "Digital" instead.

def calendar_item_info(item: ProgrammeItem, links: bool = False):
    from eventapp.gatherings.calendar import ItemInfo
    from eventapp.gatherings.forms import item_kind_label, organisation_kind_label

    speakers = [f"{s.name} ({s.organisation or organisation_kind_label(s.organisation_kind)})"
                for s in item.speakers]
    return ItemInfo(
        uid=item.uid, starts_at=item.starts_at, ends_at=item.ends_at, title=item.title,
        description=item.description, room=item.room, question_minutes=item.question_minutes,
        speakers=speakers, category=item_kind_label(item.kind), digital=item.digital,
        meeting_url=item.link if links else None, sequence=item.sequence,
        cancelled=item.cancelled_at is not None, created_at=item.created_at,
        updated_at=item.updated_at,
    )


def calendar_gathering_info(gathering: Gathering, links: bool = False):
    """The gathering as the calendar module wants it. Its event's SEQUENCE counts the programme's
    changes (every item added, changed or removed raises it) and the changes to the gathering's
    own fields (``calendar_sequence``: dates, venue ...), so an imported "add to calendar" event
    is replaced when the programme's first start or last end, the dates or the venue move."""
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
        description=gathering.description, url=url, mode=gathering.mode,
        meeting_url=gathering.meeting_url if links else None,
        first_start=min((i.starts_at for i in active), default=None),
        last_end=max((i.ends_at for i in active), default=None),
        sequence=(gathering.calendar_sequence or 0) + len(gathering.items)
        + sum(i.sequence for i in gathering.items),
        updated_at=max((m for m in moments if m is not None), default=None),
        labels=_calendar_labels(),
    )


def programme_ics(gathering: Gathering, now: datetime | None = None,
                  links: bool = False) -> bytes:
    """The programme as iCalendar: every item, the removed ones as cancelled."""
    from eventapp.gatherings.calendar import programme_calendar

    return programme_calendar(calendar_gathering_info(gathering, links),
                              [calendar_item_info(i, links) for i in gathering.items],
                              now or utcnow())


def gathering_ics(gathering: Gathering, now: datetime | None = None,
                  links: bool = False) -> bytes:
    """One event for the whole gathering, for "add to calendar"."""
    from eventapp.gatherings.calendar import gathering_calendar

    return gathering_calendar(calendar_gathering_info(gathering, links), now or utcnow())


def gathering_by_calendar_token(token: str) -> Gathering | None:
    """The published gathering whose subscription link holds ``token``; None for a draft."""
    gathering = CALENDAR_LINK.find(Gathering, token)
    return gathering if gathering is not None and gathering.published else None
