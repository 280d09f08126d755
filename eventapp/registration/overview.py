"""Registration's part of the gathering's overview (``gatherings.overview``): places taken
against capacity and caps, the waitlist (registration phase), and check-in (the days).

Three queries whatever the number of registrations or municipalities: the live registrations
counted by status and kind (with the day ticks summed), the registering units, and the caps the
host changed. A municipal contact sees only their own municipality's places."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, of, register_phase_provider
from eventapp.registration.models import GatheringMunicipality, Registration

POOL_KINDS = ("county", "partner")


def _sum_true(column):
    return func.coalesce(func.sum(case((column.is_(True), 1), else_=0)), 0)


def _counts(gathering: Gathering, municipality_id: int | None = None) -> dict:
    """{"confirmed"|"waitlisted": {"municipal"|"pool": n}, "days": {d: (expected, attended)}}"""
    query = (
        select(Registration.status, Registration.organisation_kind, func.count(),
               _sum_true(Registration.day1), _sum_true(Registration.day2),
               _sum_true(Registration.attended_day1), _sum_true(Registration.attended_day2))
        .where(Registration.gathering_id == gathering.id,
               Registration.status.in_(("confirmed", "waitlisted")))
        .group_by(Registration.status, Registration.organisation_kind))
    if municipality_id is not None:
        query = query.where(Registration.municipality_id == municipality_id)
    counts = {"confirmed": {"municipal": 0, "pool": 0}, "waitlisted": {"municipal": 0, "pool": 0},
              "days": {1: [0, 0], 2: [0, 0]}}
    for status, kind, n, day1, day2, came1, came2 in db.session.execute(query):
        counts[status]["pool" if kind in POOL_KINDS else "municipal"] += n
        if status == "confirmed":
            for day, expected, came in ((1, day1, came1), (2, day2, came2)):
                counts["days"][day][0] += int(expected)
                counts["days"][day][1] += int(came)
    return counts


def _municipal_places(gathering: Gathering) -> int:
    """Every registering unit's cap added up, the host's changes included."""
    from eventapp.registration.services import registration_units

    units = registration_units(gathering)
    overrides = dict(db.session.execute(
        select(GatheringMunicipality.municipality_id, GatheringMunicipality.cap)
        .where(GatheringMunicipality.gathering_id == gathering.id,
               GatheringMunicipality.cap.is_not(None))).all())
    return sum(overrides.get(u.id, gathering.municipal_cap) for u in units)


def _own_unit_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    from eventapp.registration.services import cap_lines, own_unit, registration_open

    unit = own_unit(gathering, viewer)
    if unit is None:
        return []
    line = cap_lines(gathering, unit)[0]
    facts = [Fact(_("Places for %(unit)s", unit=unit.name), of(line.confirmed, line.cap),
                  line.confirmed, line.cap, "ok" if line.confirmed else "")]
    if line.waitlisted:
        facts.append(Fact(_("On the waitlist"), str(line.waitlisted), tone="warn"))
    steps = []
    if registration_open(gathering):
        steps.append(Step(_("Register your people"), url_for(
            "registration.municipal_register", gathering_id=gathering.id)))
    return [PhaseFacts("registration", facts, steps, order=20)]


def registration_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    from eventapp.registration.services import registration_open

    def may(action: str) -> bool:
        return policy.can(viewer, action, gathering, record=False)

    parts = _own_unit_facts(gathering, viewer)
    if not (may("caps.view") or may("checkin.record")):
        return parts
    counts = _counts(gathering)
    confirmed = counts["confirmed"]["municipal"] + counts["confirmed"]["pool"]
    waiting = counts["waitlisted"]["municipal"] + counts["waitlisted"]["pool"]
    if may("caps.view"):
        municipal_places = _municipal_places(gathering)
        facts = []
        if gathering.capacity:
            facts.append(Fact(_("Venue capacity"), of(confirmed, gathering.capacity), confirmed,
                              gathering.capacity,
                              "warn" if confirmed >= gathering.capacity else ""))
        else:
            facts.append(Fact(_("Confirmed"), str(confirmed)))
        facts += [
            Fact(_("Municipal places"), of(counts["confirmed"]["municipal"], municipal_places),
                 counts["confirmed"]["municipal"], municipal_places),
            Fact(_("Pool for county staff and partners"),
                 of(counts["confirmed"]["pool"], gathering.pool_cap),
                 counts["confirmed"]["pool"], gathering.pool_cap),
            Fact(_("Waitlist"), str(waiting), tone="warn" if waiting else ""),
        ]
        if gathering.status == "open":
            facts.append(Fact(_("Registration is"), _("open") if registration_open(gathering)
                              else _("not open today"),
                              tone="ok" if registration_open(gathering) else ""))
        steps = []
        if may("registration.list"):
            registrations = url_for("registration.registrations", gathering_id=gathering.id)
            if waiting:
                steps.append(Step(_("See the waitlist (%(num)d)", num=waiting),
                                  url_for("registration.registrations", gathering_id=gathering.id,
                                          status="waitlisted")))
            steps.append(Step(_("See the registrations"), registrations))
        parts.append(PhaseFacts("registration", facts, steps, order=10))
    if may("checkin.record"):
        days = (1, 2) if gathering.days > 1 else (1,)
        facts = []
        for day in days:
            expected, came = counts["days"][day]
            label = _("Checked in, day %(day)d", day=day) if len(days) > 1 else _("Checked in")
            facts.append(Fact(label, of(came, expected), came, expected))
        steps = [Step(_("Open check-in"), url_for("registration.checkin",
                                                  gathering_id=gathering.id), primary=True)]
        if may("badges.print"):
            steps.append(Step(_("Print name badges"),
                              url_for("registration.badges", gathering_id=gathering.id)))
        if may("registration.needs"):
            steps.append(Step(_("Venue summary"),
                              url_for("registration.summary", gathering_id=gathering.id)))
        parts.append(PhaseFacts("days", facts, steps, order=10))
    return parts


register_phase_provider(registration_facts)
