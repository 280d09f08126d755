"""The scaled data set (issue 20): every county's gathering of every year 2024–2026, played
through with the demo's own builders, so the pages can be measured at the size the directorate
will see after a few years.

On top of the demo (``demo_setup``), each county and year the demo does not play gets a plan
drawn from a generator seeded by ``seed``: about 90 participants at ``scale`` 1 (so the 45
gatherings hold some 3,700 registrations), raised places for the larger municipalities, a
budget spent near its plan, a grant decided (now and then below what was applied for) and a
report that is approved, sent back, waiting, saved as a draft or not begun: the years before
2026 are mostly done, 2026 mostly not, so the national report has a year with the reports in and
one without. ``grants`` plays each plan (registrations, check-in, survey answered by about half
with themes on the free texts, follow-up log, budget, report). A few of 2026's gatherings also
get a table plan. ``scale`` shrinks or grows the number of people per gathering, so a test can
build a tiny set; the same seed and scale give the same data.

Features never import the demo; ``bench/pages.py`` and the tests call ``build_scaled``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from eventapp.extensions import db

YEARS = (2024, 2025, 2026)
# Made-up hosts for the counties the demo has none for (the others keep the demo's).
HOSTS = {"03": "Sara Mustafa", "31": "Hege Andreassen", "33": "Line Gulbrandsen",
         "39": "Randi Holt", "56": "Ellen Sara"}
SEATING_TABLE_SIZE = 8


@dataclass
class Built:
    """What ``build_scaled`` played now (gatherings already there are left as they are)."""

    plans: list
    gatherings: list
    seating: list


def scaled_plans(seed: int = 20, scale: float = 1.0, counties: list[str] | None = None,
                 years: tuple = YEARS, skip: set | None = None) -> list:
    """The plans of the counties and years asked for (all 15 counties when ``counties`` is
    None), except the (year, county) pairs in ``skip``; the same for the same arguments."""
    from eventapp.demo.grants import PLAY_ORDER
    from eventapp.places.models import County

    if counties is None:
        counties = list(db.session.scalars(select(County.number).order_by(County.number)))
    known_hosts = {p.county: (p.host_email, p.host_name) for p in PLAY_ORDER if p.host_email}
    follow_ups = [p.follow_up for p in PLAY_ORDER]
    plans = []
    for year in years:
        for number in counties:
            if skip and (year, number) in skip:
                continue
            rng = random.Random(f"eventapp-scaled-{seed}-{scale}-{year}-{number}")
            # Vestland's is the demo's own host (None), as in the demo's plans.
            host = (None, "") if number == "46" else known_hosts.get(number) or (
                f"vert.{number}@skalert.demo.eventapp.no", HOSTS.get(number, f"Vert {number}"))
            plans.append(_plan(rng, year, number, host, follow_ups, scale))
    return plans


def _plan(rng: random.Random, year: int, number: str, host: tuple, follow_ups: list,
          scale: float):
    """One county's gathering of the year: who comes from where, the money and the report."""
    from eventapp.demo.grants import RULES, SPEAKERS
    from eventapp.demo.plans import Plan, budget
    from eventapp.gatherings.services.gathering import MAX_MUNICIPAL_CAP

    units = _unit_numbers(number)
    participants = max(4, round(rng.randint(78, 104) * scale))
    county_staff = max(1, round(participants * 0.11))
    partners = max(1, round(participants * 0.06))
    no_shows = max(0, round(participants * rng.uniform(0.02, 0.06)))
    municipal = participants + no_shows - county_staff - partners
    # A municipality takes at most the app's most places: what is over comes from the county.
    over = max(0, municipal - MAX_MUNICIPAL_CAP * len(units))
    county_staff, municipal = county_staff + over, municipal - over
    covered, raised, travel = _spread(rng, units, municipal)
    start = _start(rng, year)
    planned = max(20, participants + 5)
    # At most the year's rate per planned participant, as the application allows.
    applied = int(planned * RULES[year]["rate_nok"] * rng.uniform(0.85, 1.0)) // 1000 * 1000
    granted = applied if rng.random() < 0.7 else int(applied * 0.92) // 1000 * 1000
    spent = int(round(applied * rng.uniform(0.86, 1.04), -2))
    report = _report_state(rng, year, start)
    return Plan(
        county=number, host_email=host[0], host_name=host[1], start=start,
        venue=f"Konferansehotellet, {year}", participants=participants,
        county_staff=county_staff, partners=partners,
        speakers=min(rng.choice((2, 3)), len(SPEAKERS[number])),
        no_shows=no_shows, raised_caps=raised, municipalities=covered, travel_from=travel,
        planned=planned, applied=applied, granted=granted,
        decision_comment="Innvilget som søkt." if granted == applied else (
            f"Innvilget {granted:,} kr av {applied:,} kr søkt.".replace(",", " ")),
        lines=budget(applied, spent, "Reisestøtte til kommuner med lang reisevei",
                     tuple(rng.randint(80, 104) for _ in range(7))),
        follow_up=rng.choice(follow_ups), remarks=None, report=report,
        review_comment=("Oppfølgingstiltakene mangler hvem som har ansvaret. Legg inn det og "
                        "send rapporten på nytt.") if report == "returned" else None,
        submitted_after=rng.randint(20, 40), decided_after=rng.randint(45, 70),
        counsellor_share=0.1 if year < 2026 else 0.0)


def _unit_numbers(county_number: str) -> list[str]:
    """Who registers as a municipality in the county (Oslo by its districts), by number."""
    from eventapp.places.models import County, Municipality

    units = db.session.scalars(select(Municipality).join(County).where(
        County.number == county_number, Municipality.active.is_(True))
        .order_by(Municipality.number)).all()
    parents = {u.parent_id for u in units if u.kind == "district"}
    return [u.number for u in units if u.id not in parents]


def _spread(rng: random.Random, units: list[str], municipal: int) -> tuple[int, dict, tuple]:
    """How many municipalities register, the raised places of the larger ones, and who asks
    for travel support, so that the places sum to ``municipal`` as ``grants`` requires: each
    covered municipality sends one or two, a raised one its whole cap."""
    covered = max(1, min(len(units), round(municipal * 0.6)))
    raised_n = max(1, min(covered, round(municipal / 12)))
    plain = covered - raised_n
    extra = plain // 3
    rest = municipal - plain - extra  # what the raised municipalities send
    while rest < raised_n and raised_n > 1:  # a tiny gathering: fewer raised, more plain
        raised_n, plain = raised_n - 1, plain + 1
        extra = min(plain, max(0, municipal - plain - raised_n))
        rest = municipal - plain - extra
    picked = rng.sample(units, covered)
    raised = {n: rest // raised_n + (1 if i < rest % raised_n else 0)
              for i, n in enumerate(sorted(picked[:raised_n]))}
    travel = tuple(picked[raised_n:raised_n + min(3, plain)])
    return covered, raised, travel


def _start(rng: random.Random, year: int) -> date:
    # Spring or autumn, a Tuesday or Wednesday; 2026's end before the demo's December.
    month = rng.choice((2, 3, 4, 5, 9, 10) if year == 2026 else (2, 3, 4, 5, 9, 10, 11))
    day = date(year, month, rng.randint(1, 21))
    return date.fromordinal(day.toordinal() + (1 - day.weekday()) % 7)


def _report_state(rng: random.Random, year: int, start: date) -> str:
    """The years before 2026 are mostly approved; in 2026 most reports are not in yet."""
    if year < 2026:
        return rng.choices(("approved", "returned", "submitted"), (8, 1, 1))[0]
    if start.month >= 9:
        return rng.choice(("none", "draft"))
    return rng.choices(("none", "draft", "submitted", "approved"), (4, 3, 2, 1))[0]


def build_scaled(seed: int = 20, scale: float = 1.0, counties: list[str] | None = None,
                 years: tuple = YEARS, demo: bool = True, seating_every: int = 3,
                 progress=None) -> Built:
    """Build the scaled data set and commit after each gathering (a run cut short keeps what
    it made, and running again goes on from there). ``demo`` first builds the demo and leaves
    its own plans as they are; without it only the places, the demo's users and the years'
    grant rules are made first. Every ``seating_every``-th gathering of 2026 gets a table plan
    (0: none)."""
    from eventapp.demo import demo_setup
    from eventapp.demo.accounts import demo_user, demo_users
    from eventapp.demo.grants import PLANS_BY_YEAR, RULES, _county_host, _previous_year
    from eventapp.demo.places import load_places
    from eventapp.grants.models import GrantRules
    from eventapp.grants.services import set_rules

    say = progress or (lambda _message: None)
    if demo:
        say("the demo")
        demo_setup()
        skip = {(y, p.county) for y, plans in PLANS_BY_YEAR.items() for p in plans}
    else:
        load_places()
        demo_users()
        skip = set()
    directorate, host = demo_user(0), demo_user(1)
    for year in years:
        if db.session.get(GrantRules, year) is None:
            set_rules(year, directorate, **RULES[year])
    db.session.commit()
    plans = scaled_plans(seed, scale, counties, years, skip)
    played, seated = [], []
    latest = 0  # 2026's gatherings played so far
    for i, plan in enumerate(plans, 1):
        gathering = _previous_year(plan, host, directorate)
        db.session.commit()
        if gathering is None:
            continue
        played.append(gathering)
        say(f"{i}/{len(plans)} {plan.year} {gathering.county.name}")
        if plan.year == 2026:
            if seating_every and latest % seating_every == 0 and _seat(
                    gathering, _county_host(plan, host)):
                seated.append(gathering)
                db.session.commit()
            latest += 1
    return Built(plans, played, seated)


def _seat(gathering, host) -> bool:
    """Tables of eight for everyone who came and a round per group-work item, planned with a
    short time limit (the plan's quality is not what is measured)."""
    from sqlalchemy import func

    from eventapp.core.errors import DomainError
    from eventapp.registration.models import Registration
    from eventapp.seating.services import planning, rounds_from_programme, set_tables

    confirmed = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed"))
    try:
        set_tables(gathering, host, count=max(1, math.ceil(confirmed / SEATING_TABLE_SIZE) + 1),
                   seats=SEATING_TABLE_SIZE)
        rounds_from_programme(gathering, host)
        planning.plan(gathering, host, time_limit_s=1)
    except DomainError:
        db.session.rollback()
        return False
    return True
