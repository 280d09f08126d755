"""A person's own seats, round by round: for their page, their calendar file and the lists."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.seating.models import Seat, SeatingRound, SeatingSettings, SeatingTable
from eventapp.seating.services.days import missed_day


def seats_for(registration: Registration) -> list[tuple[SeatingRound, SeatingTable]]:
    """Where the person sits, round by round (rounds without a seat, and a seat left over on a
    day they no longer come, left out)."""
    rows = db.session.execute(
        select(SeatingRound, SeatingTable).select_from(Seat)
        .join(SeatingRound, Seat.round_id == SeatingRound.id)
        .join(SeatingTable, Seat.table_id == SeatingTable.id)
        .where(Seat.registration_id == registration.id)
        .order_by(SeatingRound.position, SeatingRound.id)).all()
    if not rows:
        return []
    gathering = db.session.get(Gathering, registration.gathering_id)
    settings = db.session.get(SeatingSettings, gathering.id)  # reading creates nothing
    return [(rnd, table) for rnd, table in rows
            if missed_day(gathering, registration, rnd, settings) is None]


def round_numbers(gathering_id: int) -> dict[int, int]:
    """Round id → its number as people read it (1, 2, ... in position order)."""
    ids = db.session.scalars(select(SeatingRound.id).where(
        SeatingRound.gathering_id == gathering_id)
        .order_by(SeatingRound.position, SeatingRound.id)).all()
    return {rid: i for i, rid in enumerate(ids, start=1)}


def person_summary(registration: Registration) -> list[str]:
    """The person's tables in words: ["Round 1: Table 4", "Round 2: Table 9"]. Empty when
    they have no seat (not confirmed, or no plan yet)."""
    if registration.status != "confirmed":
        return []
    numbers = round_numbers(registration.gathering_id)
    return [_("Round %(number)s: %(table)s", number=numbers[rnd.id], table=table.name)
            for rnd, table in seats_for(registration)]
