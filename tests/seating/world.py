"""A small Vestland gathering to seat, small enough to check by hand: three tables of five, 13
confirmed people (three career counsellors, one other county staff member, NAV, eight
municipalities), a waitlisted and a cancelled registration, and a programme with a talk and two
group-work items (a third, removed). Plain builders, not fixtures, so the service and API tests
(and anyone else's) can share them."""

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.models import ProgrammeItem
from eventapp.places.models import County, Municipality
from eventapp.registration.models import Registration
from eventapp.seating import services
from eventapp.seating.models import Seat, SeatingSettings

_seq = itertools.count(1)


def units(county: str = "46") -> list[Municipality]:
    return list(db.session.scalars(
        select(Municipality).join(County).where(County.number == county,
                                                Municipality.kind == "municipality")
        .order_by(Municipality.number)))


def unit(number: str) -> Municipality:
    return db.session.scalars(select(Municipality).where(Municipality.number == number)).one()


def person(gathering, name: str, *, role: str = "programme_adviser", kind: str = "municipality",
           where: Municipality | None = None, partner: str = "NAV Vestland",
           status: str = "confirmed", email: str | None = None, commit: bool = True):
    n = next(_seq)
    reg = Registration(
        gathering_id=gathering.id, organisation_kind=kind,
        municipality_id=where.id if kind in ("municipality", "district") else None,
        county_id=gathering.county_id if kind == "county" else None,
        partner_name=partner if kind == "partner" else None,
        name=name, email=email or f"person{n}@example.no", role=role, status=status,
        channel="host")
    db.session.add(reg)
    if commit:
        db.session.commit()
    return reg


def item(gathering, kind: str, title: str, day: int, hour: int, *, room=None, cancelled=False):
    # Winter: Oslo is UTC+1.
    start = datetime.combine(gathering.date_of_day(day), datetime.min.time()).replace(
        hour=hour - 1, tzinfo=UTC)
    it = ProgrammeItem(gathering_id=gathering.id, kind=kind, title=title, room=room,
                       starts_at=start, ends_at=start.replace(hour=hour),
                       cancelled_at=start if cancelled else None)
    db.session.add(it)
    db.session.commit()
    return it


def build(make_user, make_gathering) -> dict:
    g = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                       end=date(2027, 3, 11))
    u = units()
    kari = make_user("counsellor", county="46", email="kari.veileder@vestland.example",
                     name="Kari Veileder", municipalities=[x.number for x in u[0:4]])
    ola = make_user("counsellor", county="46", email="ola.veileder@vestland.example",
                    name="Ola Veileder", municipalities=[x.number for x in u[4:8]])
    w = {
        "gathering": g, "units": u, "kari_user": kari, "ola_user": ola,
        "host": make_user("county_host", county="46", email="vert@vestland.example"),
        "contact": make_user("municipal_contact", county="46", municipality="4601",
                             email="kontakt@bergen.example"),
        "outsider": make_user("county_host", county="11", email="vert@rogaland.example"),
        "directorate": make_user("directorate", county=None, email="hkdir@example.no"),
        "talk": item(g, "talk", "Velkommen", 1, 10),
        "gw1": item(g, "group_work", "Gruppearbeid 1", 1, 13, room="Sal A"),
        "gw2": item(g, "group_work", "Gruppearbeid 2", 2, 10),
        "gw_removed": item(g, "group_work", "Avlyst gruppearbeid", 2, 14, cancelled=True),
    }
    w["counsellor"] = kari  # the user who reads but may not change
    people = {
        # Registered counsellors: two with a user (matched by email), one without.
        "Kari": person(g, "Kari Veileder", role="career_counsellor", kind="county",
                       email="kari.veileder@vestland.example", commit=False),
        "Ola": person(g, "Ola Veileder", role="career_counsellor", kind="county",
                      email="OLA.veileder@vestland.example".lower(), commit=False),
        "Siv": person(g, "Siv Veileder", role="career_counsellor", kind="county", commit=False),
        "Tor": person(g, "Tor Fylke", role="county_staff", kind="county", commit=False),
        "Nav": person(g, "Nina NAV", role="partner", kind="partner", commit=False),
    }
    for i, x in enumerate(u[:8]):
        people[f"M{i}"] = person(g, f"Deltaker {x.name}", where=x,
                                 role="leader" if i % 2 else "programme_adviser", commit=False)
    people["waiting"] = person(g, "Venter Venteliste", where=u[0], status="waitlisted",
                               commit=False)
    people["gone"] = person(g, "Avbud Avmeldt", where=u[1], status="cancelled", commit=False)
    db.session.commit()
    w["people"] = people
    return w


def setup_plan(w, *, count=3, seats=5, rounds=None, commit=True):
    """Three tables of five and two mixed rounds tied to the group-work items."""
    g, host = w["gathering"], w["host"]
    services.set_tables(g, host, count=count, seats=seats)
    services.set_rounds(g, host, rounds if rounds is not None else
                        [("mixed", w["gw1"].id), ("mixed", w["gw2"].id)])
    if commit:
        db.session.commit()


def seat_rows(gathering) -> list[tuple[int, int, int, bool]]:
    """(round id, registration id, table id, moved by hand) of every stored seat, sorted."""
    return sorted((s.round_id, s.registration_id, s.table_id, s.moved_by_hand)
                  for s in services._seats(gathering))


def seat_map(gathering) -> dict[tuple[int, int], int]:
    return {(r, p): t for r, p, t, _m in seat_rows(gathering)}


def report(gathering) -> str | None:
    settings = db.session.get(SeatingSettings, gathering.id)
    return settings.plan_report if settings else None


def seat_count(gathering) -> int:
    return len(services._seats(gathering))


__all__ = ["Seat", "build", "item", "person", "report", "seat_count", "seat_map", "seat_rows",
           "setup_plan", "unit", "units"]
