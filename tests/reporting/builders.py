"""Gatherings with their whole grant story, built through the real services: registrations
checked in, an application decided, budget lines, and a final report as far as asked."""

from dataclasses import dataclass, field
from datetime import date

from eventapp.extensions import db
from eventapp.grants import services as grants
from eventapp.registration.services import RegistrationData, register, registration_units
from tests import factories


@dataclass
class Plan:
    county: str
    year: int = 2025
    title: str | None = None
    municipal: int = 6  # municipal staff who came, two per municipality
    county_staff: int = 3
    partners: int = 2
    speakers: int = 1
    only_day1: int = 0  # of the municipal staff, how many came on day 1 only
    no_show: int = 1  # registered, never came
    planned: int | None = None  # planned participants; default: as many as came
    applied: int | None = None  # default: rate × planned
    granted: int | None = None  # None: application left undecided
    lines: list = field(default_factory=lambda: [("venue", 40_000, 38_500),
                                                 ("meals", 30_000, 31_250)])
    report: str | None = None  # None, "draft", "submitted", "returned" or "approved"
    month: int = 3


def build(plan: Plan, host, directorate):
    """A gathering held in ``plan.year`` with everything ``plan`` asks for; committed."""
    start = date(plan.year, plan.month, 10)
    gathering = factories.make_gathering(
        county=plan.county, title=plan.title or f"Samling {plan.county} {plan.year}",
        start=start, end=date(plan.year, plan.month, 11))
    gathering.status = "open"
    units = sorted(registration_units(gathering), key=lambda u: u.number)
    n = {"i": 0}

    def person(kind: str, role: str, **org) -> object:
        n["i"] += 1
        return register(gathering, RegistrationData(
            name=f"Deltaker {n['i']}", email=f"p{n['i']}.{gathering.id}@example.no",
            organisation_kind=kind, role=role, **org), channel="host", actor=host)

    came = []
    for i in range(plan.municipal):
        came.append(("m", person("municipality", "programme_adviser",
                                 municipality_number=units[i // 2].number)))
    for _i in range(plan.county_staff):
        came.append(("c", person("county", "county_staff", county_number=plan.county)))
    for i in range(plan.partners):
        came.append(("p", person("partner", "partner", partner_name=f"NAV {i}")))
    for _i in range(plan.speakers):
        came.append(("s", person("partner", "speaker", partner_name="Forskningsinstitutt")))
    for _i in range(plan.no_show):
        person("county", "county_staff", county_number=plan.county)
    day1_only = 0
    for group, r in came:
        r.attended = True
        r.attended_day1 = True
        r.attended_day2 = True
        if group == "m" and day1_only < plan.only_day1:
            r.attended_day2 = False
            day1_only += 1
    planned = plan.planned or max(1, len(came))
    rate = grants.rules_for(plan.year).rate_nok
    application = grants.apply(gathering, host, planned_participants=planned,
                               applied_nok=plan.applied if plan.applied is not None
                               else rate * planned)
    if plan.granted is not None:
        grants.decide(application, directorate, granted_nok=plan.granted,
                      comment="Redusert" if plan.granted < application.applied_nok else None)
    for category, planned_nok, actual_nok in plan.lines:
        grants.add_line(gathering, host, grants.LineData(category, f"{category} line",
                                                         planned_nok, actual_nok))
    gathering.status = "held"
    db.session.flush()
    if plan.report is not None:
        report = grants.save_report(gathering, host, follow_up_actions="Faste møter hver måned")
        if plan.report in ("submitted", "returned", "approved"):
            report = grants.submit_report(gathering, host)
        if plan.report == "approved":
            grants.approve_report(report, directorate)
        elif plan.report == "returned":
            grants.return_report(report, directorate, "Legg ved bilag")
    db.session.commit()
    return gathering


class Builder:
    """Hosts per county made once; ``add(Plan(...))`` builds one gathering."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.directorate = make_user("directorate")
        self.hosts = {}

    def host(self, county: str):
        if county not in self.hosts:
            self.hosts[county] = self.make_user("county_host", county=county)
        return self.hosts[county]

    def add(self, plan: Plan):
        return build(plan, self.host(plan.county), self.directorate)
