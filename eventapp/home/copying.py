"""Starting a new gathering as a copy of an earlier one.

What is copied belongs to several features (the programme and committee to gatherings, the caps
to registration, the survey's own questions to surveys), so the workflow sits here, above them
all. Copied: the programme (each item on the same day number and clock time of the new dates,
with its speakers and its active topics), the committee, the caps (the municipal cap, the pool
and each municipality's own cap), the venue's details and the survey's own questions (the
national ones come from the new year's template as for any survey). Never copied: participants,
registrations, invitations, budget, grant or report.

The source is one of the host's own county's gatherings, or another county's published one,
read only: from another county only what is not about its people and municipalities (the
programme, the caps in general and the survey questions), since its committee and
municipalities are not the host's.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import (
    CommitteeMember,
    Gathering,
    ProgrammeChange,
    ProgrammeItem,
    Speaker,
)
from eventapp.gatherings.services import create_gathering
from eventapp.registration.models import GatheringMunicipality
from eventapp.surveys.models import SurveyQuestion
from eventapp.surveys.services import add_question, find_survey, survey_for


def copy_sources(actor) -> list[Gathering]:
    """What ``actor`` may start from: every gathering of their county, and other counties'
    published gatherings; their own first, newest first."""
    rows = db.session.scalars(
        select(Gathering).where(or_(Gathering.county_id == actor.county_id,
                                    Gathering.status != "draft"))
        .order_by(Gathering.start_date.desc(), Gathering.id.desc())
    ).all()
    return sorted(rows, key=lambda g: g.county_id != actor.county_id)


def load_source(actor, source_id) -> Gathering:
    """A gathering ``actor`` may copy, else NotFound (another county's draft is nobody's
    business but its own)."""
    source = db.session.get(Gathering, source_id) if isinstance(source_id, int) else None
    if source is None or (source.county_id != actor.county_id and not source.published):
        raise NotFound(_("No such gathering to start from."))
    return source


@dataclass
class CopyPlan:
    """What a copy of ``source`` takes along, for the page to show before it is made."""

    source: Gathering
    own: bool
    items: list[ProgrammeItem]
    committee: int
    overrides: int
    questions: list[SurveyQuestion]

    @property
    def days_needed(self) -> int:
        return max((self.source.day_of(i.starts_at) or 1 for i in self.items), default=1)


def _overrides(source: Gathering) -> list[GatheringMunicipality]:
    return list(db.session.scalars(select(GatheringMunicipality).where(
        GatheringMunicipality.gathering_id == source.id,
        GatheringMunicipality.cap.is_not(None)).order_by(GatheringMunicipality.id)))


def _own_questions(source: Gathering) -> list[SurveyQuestion]:
    survey = find_survey(source)
    return [q for q in survey.questions if not q.national] if survey else []


def copy_plan(source: Gathering, actor) -> CopyPlan:
    own = source.county_id == actor.county_id
    return CopyPlan(
        source=source, own=own,
        items=sorted(source.active_items, key=lambda i: (i.starts_at, i.id)),
        committee=len(source.committee) if own else 0,
        overrides=len(_overrides(source)) if own else 0,
        questions=_own_questions(source),
    )


def _on_new_dates(source: Gathering, start_date: date, moment: datetime) -> datetime:
    local = moment.astimezone(OSLO)
    day = (local.date() - source.start_date).days
    return datetime.combine(start_date + timedelta(days=day), local.time().replace(tzinfo=None),
                            tzinfo=OSLO)


def copy_gathering(source: Gathering, actor, *, title: str, start_date: date | None,
                   end_date: date | None, venue: str) -> Gathering:
    """A new draft gathering in ``actor``'s county, started from ``source`` (see the module's
    docstring for what comes along). Validates, adds and flushes; the caller commits."""
    policy.authorize(actor, "gathering.create", actor.county_id)
    source = load_source(actor, source.id)
    plan = copy_plan(source, actor)
    if start_date and end_date and end_date >= start_date \
            and (end_date - start_date).days + 1 < plan.days_needed:
        raise ValidationFailed(
            _("The programme you start from has %(n)d days: give the new gathering as many.",
              n=plan.days_needed), field="end_date")
    gathering = create_gathering(
        county=actor.county, actor=actor, title=title, start_date=start_date,
        end_date=end_date, venue=venue, address=source.address,
        description=source.description, capacity=source.capacity,
        municipal_cap=source.municipal_cap, pool_cap=source.pool_cap)
    summary = _("Copied from “%(title)s”", title=source.title)
    for old in plan.items:
        item = ProgrammeItem(
            gathering=gathering, starts_at=_on_new_dates(source, start_date, old.starts_at),
            ends_at=_on_new_dates(source, start_date, old.ends_at), kind=old.kind,
            title=old.title, description=old.description, room=old.room,
            question_minutes=old.question_minutes,
            # Deactivated topics are no longer offered, so a new programme does not take them.
            topics=[t for t in old.topics if t.active],
            speakers=[Speaker(position=s.position, name=s.name, organisation=s.organisation,
                              organisation_kind=s.organisation_kind) for s in old.speakers])
        db.session.add(item)
        db.session.flush()
        db.session.add(ProgrammeChange(gathering_id=gathering.id, item=item, user_id=actor.id,
                                       action="created", summary=f"{summary}: {item.title}"))
    if plan.own:
        for member in source.committee:
            db.session.add(CommitteeMember(gathering=gathering, user_id=member.user_id,
                                           added_by_id=actor.id))
        for row in _overrides(source):
            db.session.add(GatheringMunicipality(gathering_id=gathering.id,
                                                 municipality_id=row.municipality_id,
                                                 cap=row.cap, updated_by_id=actor.id))
    db.session.flush()
    if plan.questions:
        survey = survey_for(gathering, actor)
        for question in plan.questions:
            add_question(survey, actor, kind=question.kind, text=question.text,
                         text_en=question.text_en, options=question.option_list or None,
                         required=question.required)
    db.session.flush()
    return gathering
