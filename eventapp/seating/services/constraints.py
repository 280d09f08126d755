"""Who is seated (the confirmed participants), pins to a table, and pairs kept apart."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.seating.models import SeatingApart, SeatingPin, SeatingRound, SeatingTable
from eventapp.seating.services.days import missed_day
from eventapp.seating.services.setup import settings_for


def people(gathering: Gathering) -> list[Registration]:
    """Who is seated: the confirmed registrations, by name."""
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .order_by(Registration.name, Registration.id)))


def _registration(gathering: Gathering, ident, field_name: str) -> Registration:
    reg = db.session.get(Registration, ident) if isinstance(ident, int) else None
    if reg is None or reg.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a participant of this gathering."), field=field_name)
    if reg.status != "confirmed":
        raise ValidationFailed(_("Only confirmed participants get a seat."), field=field_name)
    return reg


def _round(gathering: Gathering, ident, field_name: str = "round_id") -> SeatingRound:
    rnd = db.session.get(SeatingRound, ident) if isinstance(ident, int) else None
    if rnd is None or rnd.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a round of this gathering."), field=field_name)
    return rnd


def _table(gathering: Gathering, ident, field_name: str = "table_id") -> SeatingTable:
    table = db.session.get(SeatingTable, ident) if isinstance(ident, int) else None
    if table is None or table.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a table of this gathering."), field=field_name)
    return table


def check_attends(gathering: Gathering, reg: Registration, rnd: SeatingRound,
                  field_name: str = "round_id") -> None:
    """Refuse a seat in a round held on a day the person does not come."""
    day = missed_day(gathering, reg, rnd, settings_for(gathering))
    if day is not None:
        raise ValidationFailed(_(
            "%(person)s does not come on day %(day)s, when this round is held: choose a round "
            "on a day they come.", person=reg.name, day=day), field=field_name)


def pins(gathering: Gathering) -> list[SeatingPin]:
    return list(db.session.scalars(
        select(SeatingPin).join(SeatingRound, SeatingPin.round_id == SeatingRound.id)
        .join(Registration, SeatingPin.registration_id == Registration.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Registration.name, SeatingPin.id)))


def add_pin(gathering: Gathering, actor, *, registration_id: int, round_id: int,
            table_id: int) -> SeatingPin:
    """Seat someone at a table in a round whatever the solver would do; a second pin for the
    same person and round replaces the first."""
    policy.authorize(actor, "seating.manage", gathering)
    reg = _registration(gathering, registration_id, "registration_id")
    rnd = _round(gathering, round_id)
    table = _table(gathering, table_id)
    check_attends(gathering, reg, rnd)
    pin = db.session.scalars(select(SeatingPin).where(
        SeatingPin.round_id == rnd.id, SeatingPin.registration_id == reg.id)).first()
    if pin is None:
        pin = SeatingPin(round_id=rnd.id, registration_id=reg.id)
        db.session.add(pin)
    pin.table_id = table.id
    db.session.flush()
    return pin


def remove_pin(pin: SeatingPin, actor) -> None:
    gathering = db.session.get(Gathering, pin.round.gathering_id)
    policy.authorize(actor, "seating.manage", gathering)
    db.session.delete(pin)
    db.session.flush()


def aparts(gathering: Gathering) -> list[SeatingApart]:
    return list(db.session.scalars(
        select(SeatingApart).where(SeatingApart.gathering_id == gathering.id)
        .order_by(SeatingApart.id)))


def add_apart(gathering: Gathering, actor, *, first_id: int, second_id: int) -> SeatingApart:
    """Two people who must not share a table in any round."""
    policy.authorize(actor, "seating.manage", gathering)
    first = _registration(gathering, first_id, "first_id")
    second = _registration(gathering, second_id, "second_id")
    if first.id == second.id:
        raise ValidationFailed(_("Choose two different people."), field="second_id")
    low, high = sorted((first.id, second.id))
    existing = db.session.scalars(select(SeatingApart).where(
        SeatingApart.first_id == low, SeatingApart.second_id == high)).first()
    if existing is not None:
        raise ValidationFailed(_("%(first)s and %(second)s are already kept apart.",
                                 first=first.name, second=second.name), field="second_id")
    apart = SeatingApart(gathering_id=gathering.id, first_id=low, second_id=high)
    db.session.add(apart)
    db.session.flush()
    return apart


def remove_apart(apart: SeatingApart, actor) -> None:
    gathering = db.session.get(Gathering, apart.gathering_id)
    policy.authorize(actor, "seating.manage", gathering)
    db.session.delete(apart)
    db.session.flush()


def get_pin(gathering: Gathering, ident: int) -> SeatingPin:
    pin = db.session.get(SeatingPin, ident)
    if pin is None or pin.round.gathering_id != gathering.id:
        raise NotFound(_("No such pin."))
    return pin


def get_apart(gathering: Gathering, ident: int) -> SeatingApart:
    apart = db.session.get(SeatingApart, ident)
    if apart is None or apart.gathering_id != gathering.id:
        raise NotFound(_("No such pair."))
    return apart
