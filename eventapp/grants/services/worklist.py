"""What waits for whom: the directorate's decisions and reviews, a county host's returned
reports and personal data due to go."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import FinalReport, GrantApplication
from eventapp.grants.services.purge import purge_due


@dataclass(frozen=True)
class Worklist:
    applications: list[GrantApplication]  # awaiting the directorate's decision
    reports: list[FinalReport]  # submitted (directorate) or sent back (county)
    purges: list[FinalReport]  # approved, personal data due to go (county)

    def __bool__(self) -> bool:
        return bool(self.applications or self.reports or self.purges)


def worklist(user) -> Worklist:
    """For the directorate: applications to decide and reports to review. For a county host:
    reports sent back and personal data due for deletion."""
    if policy.can(user, "grant.decide"):
        # The start page names each one's gathering and county: read with them.
        applications = db.session.scalars(
            select(GrantApplication).where(GrantApplication.status == "submitted")
            .options(joinedload(GrantApplication.gathering).joinedload(Gathering.county))
            .order_by(GrantApplication.submitted_at)).all()
        reports = db.session.scalars(
            select(FinalReport).where(FinalReport.status == "submitted")
            .options(joinedload(FinalReport.gathering).joinedload(Gathering.county))
            .order_by(FinalReport.submitted_at)).all()
        return Worklist(list(applications), list(reports), [])
    # Who resubmits the county's reports and deletes its personal data: its host.
    if not policy.can(user, "final_report.edit", getattr(user, "county_id", None)):
        return Worklist([], [], [])
    mine = select(Gathering.id).where(Gathering.county_id == user.county_id)
    returned = db.session.scalars(select(FinalReport).where(
        FinalReport.status == "returned", FinalReport.gathering_id.in_(mine))
        .options(joinedload(FinalReport.gathering))).all()
    due = [r for r in purge_due() if r.gathering.county_id == user.county_id]
    return Worklist([], list(returned), due)
