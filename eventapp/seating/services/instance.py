"""The solver's instance: rows mapped to plain data with string ids (a person is
``r<registration id>``, a table ``t<table id>``, a round its index in position order), and
back."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.seating.models import Seat, SeatingRound, SeatingSettings, SeatingTable
from eventapp.seating.services.constraints import aparts, pins
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


def _person(registration: Registration, region: str | None) -> dict:
    person = {"id": person_id(registration.id),
              "role": registration.role if registration.role in SOLVER_ROLES else "other",
              "organisation": organisation_key(registration), "region": region}
    # For table rules by kind of partner (NAV, adult education ...): only partners carry it,
    # so the instance (and its fingerprint) of a gathering without partners stays as it was.
    if registration.organisation_kind == "partner":
        person["partner_kind"] = (registration.partner.kind if registration.partner is not None
                                  else "other")
    return person


def _counsellors(gathering: Gathering) -> list:
    from eventapp.accounts.models import User

    return list(db.session.scalars(
        select(User).where(User.role == "counsellor", User.county_id == gathering.county_id)
        .order_by(User.id)))


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
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .order_by(Registration.id)))


def _seats(gathering: Gathering) -> list[Seat]:
    return list(db.session.scalars(
        select(Seat).join(SeatingRound, Seat.round_id == SeatingRound.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Seat.id)))


def _plan_dict(round_list: list[SeatingRound], table_list: list[SeatingTable],
               assignment: dict[tuple[int, int], int], people_ids: list[int]) -> dict:
    """The solver's plan shape from (round id, registration id) → table id."""
    out = []
    for rnd in round_list:
        seated = {table_id(t.id): [] for t in table_list}
        for reg_id in people_ids:
            t = assignment.get((rnd.id, reg_id))
            if t is not None and table_id(t) in seated:
                seated[table_id(t)].append(person_id(reg_id))
        out.append({"mode": rnd.mode, "tables": seated})
    return {"rounds": out}


def _instance(gathering: Gathering, regs: list[Registration], table_list, round_list,
              settings: SeatingSettings) -> dict:
    ids = {r.id for r in regs}
    region_of = regions(gathering, regs)
    round_index = {r.id: i for i, r in enumerate(round_list)}
    table_ids = {t.id for t in table_list}
    apart = [[person_id(a.first_id), person_id(a.second_id)] for a in aparts(gathering)
             if a.first_id in ids and a.second_id in ids]
    pinned = [{"person": person_id(p.registration_id), "round": round_index[p.round_id],
               "table": table_id(p.table_id)}
              for p in pins(gathering)
              if p.registration_id in ids and p.round_id in round_index and p.table_id in table_ids]
    pinned.sort(key=lambda p: (p["round"], p["person"]))
    return {
        "people": [_person(r, region_of.get(r.id)) for r in regs],
        "tables": [{"id": table_id(t.id), "seats": t.seats} for t in table_list],
        "rounds": [{"mode": r.mode} for r in round_list],
        "rules": {
            "min_counsellors_per_table": settings.min_counsellors_per_table,
            "max_county_staff_per_table": settings.max_county_staff_per_table,
            "max_per_organisation": settings.max_per_organisation,
            "apart": apart,
            "pinned": pinned,
        },
        "seed": settings.seed,
        "time_limit_s": settings.time_limit_s,
    }


def build_instance(gathering: Gathering, *, previous: bool = False) -> dict:
    """The solver's instance for the gathering as it stands: confirmed people, tables and rounds
    in position order, the rules, pins and keep-apart pairs. With ``previous`` the stored plan
    goes along, so re-planning moves as few people as possible."""
    regs = _confirmed_by_id(gathering)
    table_list, round_list = tables(gathering), rounds(gathering)
    instance = _instance(gathering, regs, table_list, round_list, settings_for(gathering))
    if previous:
        assignment = {(s.round_id, s.registration_id): s.table_id for s in _seats(gathering)}
        if assignment:
            plan = _plan_dict(round_list, table_list, assignment, [r.id for r in regs])
            instance["previous"] = {"rounds": [{"tables": r["tables"]} for r in plan["rounds"]]}
    return instance


def fingerprint(instance: dict) -> str:
    """What a report was computed for: people, tables, rounds and rules (not seed or time)."""
    key = {k: instance.get(k) for k in ("people", "tables", "rounds", "rules")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
