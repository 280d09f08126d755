"""The days people come: each round belongs to the day of its group-work item, and a person
is seated in the rounds of the days they registered for or, once check-in has started and the
host asks to follow it, the days they were checked in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.seating.models import SeatingRound, SeatingSettings


def today() -> date:
    return datetime.now(OSLO).date()


def round_day(gathering: Gathering, rnd: SeatingRound) -> int | None:
    """The day (1, 2) a round is held: its group-work item's; None (every day) without one."""
    item = rnd.programme_item
    if item is None or item.starts_at is None:
        return None
    return gathering.day_of(item.starts_at)


def checkin_started(gathering: Gathering) -> bool:
    """Whether anyone has been checked in on a day of the gathering."""
    return db.session.scalars(select(Registration.id).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed",
        (Registration.attended_day1.is_(True)) | (Registration.attended_day2.is_(True)))
        .limit(1)).first() is not None


def days_present(gathering: Gathering, registration: Registration, *,
                 attendance: bool = False) -> set[int]:
    """The days the person is there: the days they registered for; with ``attendance`` (once
    check-in has started), on a day that has begun only if they were checked in that day."""
    registered = {1: registration.day1, 2: registration.day2}
    days = set()
    for day in range(1, min(gathering.days, 2) + 1):
        checked = getattr(registration, f"attended_day{day}")
        if attendance and today() >= gathering.date_of_day(day):
            there = bool(checked)
        else:
            there = bool(registered[day]) or bool(checked)
        if there:
            days.add(day)
    return days


def present_rounds(gathering: Gathering, registration: Registration, round_list, *,
                   attendance: bool = False) -> list[int]:
    """Indices of the rounds the person is present in (a round with no day: everyone)."""
    days = days_present(gathering, registration, attendance=attendance)
    return [i for i, rnd in enumerate(round_list)
            if (day := round_day(gathering, rnd)) is None or day in days]


def follows_attendance(gathering: Gathering, settings: SeatingSettings | None) -> bool:
    """Whether the instance follows check-in: the host asked, and check-in has started."""
    return settings is not None and bool(settings.follow_attendance) \
        and checkin_started(gathering)


def missed_day(gathering: Gathering, registration: Registration, rnd: SeatingRound,
               settings: SeatingSettings | None) -> int | None:
    """None when the person is there for the round, else the day they miss."""
    day = round_day(gathering, rnd)
    if day is None:
        return None
    attendance = follows_attendance(gathering, settings)
    return None if day in days_present(gathering, registration, attendance=attendance) else day
