"""The solver's instance: rows mapped to plain data with string ids (a person is
``r<registration id>``, a table ``t<table id>``, a round its index in position order), and
back."""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.services import size_classes
from eventapp.registration.models import Registration
from eventapp.seating.models import Seat, SeatingRound, SeatingSettings, SeatingTable
from eventapp.seating.services.constraints import aparts, pins
from eventapp.seating.services.days import days_present, follows_attendance, round_day
from eventapp.seating.services.rules import apart_regions, neighbours
from eventapp.seating.services.setup import rounds, settings_for, tables

SOLVER_ROLES = ("career_counsellor", "county_staff", "partner", "leader", "programme_adviser",
                "speaker", "other")


def person_id(registration_id: int) -> str:
    return f"r{registration_id}"


def table_id(table_id_: int) -> str:
    return f"t{table_id_}"


def _ident(solver_id: str | None) -> int | None:
    if not solver_id or len(solver_id) < 2 or not solver_id[1:].isdigit():
        return None
    return int(solver_id[1:])


def organisation_key(registration: Registration) -> str | None:
    """What the per-organisation rule compares: the municipality's number (an Oslo district
    its own), the county's number, the partner's name."""
    if registration.organisation_kind in ("municipality", "district"):
        return registration.municipality.number if registration.municipality else None
    if registration.organisation_kind == "county":
        return registration.county.number if registration.county else None
    if registration.organisation_kind == "partner":
        return registration.partner_name or None
    return None


# A partner written in by name: its kind guessed from the name (NAV; adult education as
# "voksenopplæring", "... opplæringssenter", "VO").
_GUESSES = (
    (re.compile(r"\bnav\b", re.IGNORECASE), "nav"),
    (re.compile(r"voksenoppl(æ|ae)ring|oppl(æ|ae)ringssenter|l(æ|ae)ringssenter", re.IGNORECASE),
     "adult_education"),
    (re.compile(r"\bVO\b"), "adult_education"),
)


def partner_kind(registration: Registration) -> str | None:
    """The kind of a partner's organisation: the linked partner's, else guessed from the name;
    None for anyone who is not a partner."""
    if registration.organisation_kind != "partner":
        return None
    if registration.partner is not None:
        return registration.partner.kind
    name = registration.partner_name or ""
    return next((kind for pattern, kind in _GUESSES if pattern.search(name)), "other")


def _person(registration: Registration, region: str | None, *, size_class: str | None = None,
            present: list[int] | None = None) -> dict:
    person = {"id": person_id(registration.id),
              "role": registration.role if registration.role in SOLVER_ROLES else "other",
              "organisation": organisation_key(registration), "region": region}
    # Only what applies goes in (partners' kind, municipal staff's size class, a wish, days
    # missed), so the instance and fingerprint of a gathering using none of it stay as they were.
    if registration.organisation_kind == "partner":
        person["partner_kind"] = partner_kind(registration)
    if registration.organisation_kind in ("municipality", "district"):
        person["size_class"] = size_class
    if registration.seating_wish:
        person["wish"] = registration.seating_wish
    if present is not None:
        person["rounds"] = present
    return person


def _counsellors(gathering: Gathering) -> list:
    from eventapp.accounts.models import User

    return list(db.session.scalars(
        select(User).where(User.role == "counsellor", User.county_id == gathering.county_id)
        .options(selectinload(User.assigned_municipalities)).order_by(User.id)))


def regions(gathering: Gathering, registrations: list[Registration]) -> dict[int, str]:
    """Registration id → region for regional rounds: the career counsellor (a user of the
    county) who serves the person's municipality, or the counsellor themselves (matched by
    email). People no counsellor serves get no region."""
    counsellors = _counsellors(gathering)
    serving: dict[int, int] = {}
    for user in counsellors:
        for unit in user.assigned_municipalities:
            serving.setdefault(unit.id, user.id)
    by_email = {u.email.lower(): u.id for u in counsellors}
    found = {}
    for reg in registrations:
        user_id = None
        if reg.role == "career_counsellor":
            user_id = by_email.get((reg.email or "").lower())
        if user_id is None and reg.municipality is not None:
            user_id = serving.get(reg.municipality.id)
            if user_id is None and reg.municipality.parent_id is not None:
                user_id = serving.get(reg.municipality.parent_id)
        if user_id is not None:
            found[reg.id] = f"u{user_id}"
    return found


def _confirmed_by_id(gathering: Gathering) -> list[Registration]:
    # With what names each person's organisation (``organisation_key``, ``partner_kind``).
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .options(joinedload(Registration.municipality), joinedload(Registration.county),
                 joinedload(Registration.partner))
        .order_by(Registration.id)))


def _seats(gathering: Gathering) -> list[Seat]:
    return list(db.session.scalars(
        select(Seat).join(SeatingRound, Seat.round_id == SeatingRound.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Seat.id)))


def _seat_rows(gathering: Gathering) -> list:
    """The seats as ``_seats`` has them (same order), as plain rows with ``round_id``,
    ``registration_id``, ``table_id`` and ``moved_by_hand``: for only reading the plan, which
    then makes no mapped object per seat (hundreds, and their garbage to collect)."""
    return list(db.session.execute(
        select(Seat.round_id, Seat.registration_id, Seat.table_id, Seat.moved_by_hand)
        .join(SeatingRound, Seat.round_id == SeatingRound.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Seat.id)))


def _plan_dict(round_list: list[SeatingRound], table_list: list[SeatingTable],
               assignment: dict[tuple[int, int], int], people_ids: list[int],
               present: dict[int, list[int]] | None = None) -> dict:
    """The solver's plan shape from (round id, registration id) → table id; with ``present``
    only the people present in each round."""
    out = []
    for index, rnd in enumerate(round_list):
        seated = {table_id(t.id): [] for t in table_list}
        for reg_id in people_ids:
            if present is not None and reg_id in present and index not in present[reg_id]:
                continue
            t = assignment.get((rnd.id, reg_id))
            if t is not None and table_id(t) in seated:
                seated[table_id(t)].append(person_id(reg_id))
        out.append({"mode": rnd.mode, "tables": seated})
    return {"rounds": out}


def presence(gathering: Gathering, regs: list[Registration], round_list,
             settings: SeatingSettings) -> dict[int, list[int]]:
    """Registration id → indices of the rounds the person is present in (``present_rounds``
    for each, with the rounds' days found once for everyone)."""
    attendance = follows_attendance(gathering, settings)
    held = [round_day(gathering, rnd) for rnd in round_list]
    found = {}
    for reg in regs:
        days = days_present(gathering, reg, attendance=attendance)
        found[reg.id] = [i for i, day in enumerate(held) if day is None or day in days]
    return found


def _size_classes(gathering: Gathering, regs: list[Registration]) -> dict[int, str]:
    """Registration id → the size class of their municipality in the gathering's year (a
    district: its own, else its city's)."""
    if not any(r.organisation_kind in ("municipality", "district") for r in regs):
        return {}
    classes = size_classes(gathering.start_date.year)
    found = {}
    for reg in regs:
        unit = reg.municipality
        if unit is None:
            continue
        cls = classes.get(unit.id) or (classes.get(unit.parent_id) if unit.parent_id else None)
        if cls is not None:
            found[reg.id] = cls
    return found


def _organisation_rules(gathering: Gathering, regs: list[Registration],
                        settings: SeatingSettings, region_of: dict[int, str]) -> dict:
    """The rules between organisations: marked neighbours (for the wish, and kept apart when
    the host says so) and regions whose municipalities sit apart; only organisations present."""
    present = {organisation_key(r) for r in regs} - {None}
    pairs = [[pair.first.number, pair.second.number] for pair in neighbours(gathering.county_id)
             if pair.first.number in present and pair.second.number in present]
    rules: dict = {}
    if pairs:
        rules["neighbours"] = pairs
    apart = [list(p) for p in pairs] if settings.apart_neighbours else []
    for region in apart_regions(gathering):
        key = f"u{region.counsellor_id}"
        members = sorted({organisation_key(r) for r in regs
                          if r.organisation_kind in ("municipality", "district")
                          and region_of.get(r.id) == key} - {None})
        if len(members) > 1:
            apart.append(members)
    if apart:
        rules["apart_organisations"] = apart
    return rules


def _instance(gathering: Gathering, regs: list[Registration], table_list, round_list,
              settings: SeatingSettings, present: dict[int, list[int]] | None = None) -> dict:
    ids = {r.id for r in regs}
    region_of = regions(gathering, regs)
    round_index = {r.id: i for i, r in enumerate(round_list)}
    table_ids = {t.id for t in table_list}
    if present is None:
        present = presence(gathering, regs, round_list, settings)
    everyone = list(range(len(round_list)))
    apart = [[person_id(a.first_id), person_id(a.second_id)] for a in aparts(gathering)
             if a.first_id in ids and a.second_id in ids]
    # A pin in a round the person is not there for cannot hold: left out (the pin form
    # refuses new ones; an old one waits for the person's days to change back).
    pinned = [{"person": person_id(p.registration_id), "round": round_index[p.round_id],
               "table": table_id(p.table_id)}
              for p in pins(gathering)
              if p.registration_id in ids and p.round_id in round_index and p.table_id in table_ids
              and round_index[p.round_id] in present.get(p.registration_id, everyone)]
    pinned.sort(key=lambda p: (p["round"], p["person"]))
    size_of = _size_classes(gathering, regs)
    rules = {
        "min_counsellors_per_table": settings.min_counsellors_per_table,
        "max_county_staff_per_table": settings.max_county_staff_per_table,
        "max_per_organisation": settings.max_per_organisation,
        "apart": apart,
        "pinned": pinned,
        **_organisation_rules(gathering, regs, settings, region_of),
    }
    if settings.spread_partner_kinds:
        rules["spread_partner_kinds"] = ["nav", "adult_education"]
    if settings.spread_large:
        rules["spread_size_classes"] = ["large"]
    return {
        "people": [_person(r, region_of.get(r.id), size_class=size_of.get(r.id),
                           present=None if present.get(r.id, everyone) == everyone
                           else present[r.id])
                   for r in regs],
        "tables": [{"id": table_id(t.id), "seats": t.seats} for t in table_list],
        "rounds": [{"mode": r.mode} for r in round_list],
        "rules": rules,
        "seed": settings.seed,
        "time_limit_s": settings.time_limit_s,
    }


def build_instance(gathering: Gathering, *, previous: bool = False) -> dict:
    """The solver's instance for the gathering as it stands: confirmed people (each in the
    rounds of the days they come), tables and rounds in position order, the rules, pins and
    keep-apart pairs. With ``previous`` the stored plan goes along, so re-planning moves as few
    people as possible. Once check-in has started and the host asked to follow it
    (``SeatingSettings.follow_attendance``), the days are those people were checked in."""
    regs = _confirmed_by_id(gathering)
    table_list, round_list = tables(gathering), rounds(gathering)
    settings = settings_for(gathering)
    present = presence(gathering, regs, round_list, settings)
    instance = _instance(gathering, regs, table_list, round_list, settings, present)
    if previous:
        assignment = {(s.round_id, s.registration_id): s.table_id for s in _seats(gathering)}
        if assignment:
            plan = _plan_dict(round_list, table_list, assignment, [r.id for r in regs], present)
            instance["previous"] = {"rounds": [{"tables": r["tables"]} for r in plan["rounds"]]}
    return instance


def fingerprint(instance: dict) -> str:
    """What a report was computed for: people, tables, rounds and rules (not seed or time)."""
    key = {k: instance.get(k) for k in ("people", "tables", "rounds", "rules")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
