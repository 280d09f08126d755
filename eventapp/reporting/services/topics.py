"""The survey's "most useful items" by programme topic, across the gatherings of a period.

For each topic on the directorate's list (``gatherings.models.ProgrammeTopic``):

- ``held``: of the gatherings counted (``gatherings``: not drafts, starting in the period, in
  the user's scope and, when asked, in one county), how many had an item of the topic on their
  programme (not cancelled);
- ``respondents``: the released responses at those gatherings that answered the "most useful
  items" question (kind ``programme_items``: at least one item ticked);
- ``ticked``: of those, how many ticked at least one item of the topic; ``share`` is
  ticked ÷ respondents, as the evaluation computed it (over those who answered the question).

An answer names its item as ``item-<ProgrammeItem.id>`` (``surveys.services.options``); only
ticks of items of the answer's own gathering count. Fewer than ``MIN_GROUP`` respondents hide
``ticked`` and ``share`` (as every survey figure does): a topic held at one small gathering
would otherwise show what a handful of people chose.

The figures come from a fixed number of grouped queries, whatever the number of gatherings.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, cast, func, literal, select

from eventapp.core import policy
from eventapp.core.errors import NotFound
from eventapp.extensions import db
from eventapp.gatherings.models import (
    Gathering,
    ProgrammeItem,
    ProgrammeTopic,
    programme_item_topics,
)
from eventapp.places.models import County
from eventapp.reporting.services import years
from eventapp.reporting.services.files import as_share
from eventapp.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from eventapp.surveys.services import MIN_GROUP


@dataclass(frozen=True)
class TopicRow:
    code: str
    name: str
    active: bool
    held: int
    respondents: int
    ticked: int | None  # None: hidden (fewer than MIN_GROUP respondents)

    @property
    def suppressed(self) -> bool:
        return self.ticked is None and self.respondents > 0

    @property
    def share(self) -> float | None:
        if self.ticked is None or not self.respondents:
            return None
        return self.ticked / self.respondents


@dataclass(frozen=True)
class TopicReport:
    period: years.Period
    county: County | None
    gatherings: int  # M: the gatherings counted
    respondents: int  # answered the question at any of them
    rows: list[TopicRow]
    min_group: int = MIN_GROUP


def report_county(user, number: str | None) -> County | None:
    """The county asked for (``None`` for all the user sees): the directorate any county, a
    county host only their own (404 for any other or an unknown number)."""
    if not number:
        return None
    county = db.session.scalars(select(County).where(County.number == number)).first()
    if county is None or not (policy.can(user, "report.national", record=False)
                              or county.id == user.county_id):
        raise NotFound(_("No such county among those you may see."))
    return county


def _gatherings(user, period: years.Period, county: County | None):
    """The ids of the gatherings counted, as a subquery."""
    stmt = select(Gathering.id).where(Gathering.start_date >= period.first_day,
                                      Gathering.start_date <= period.last_day)
    if county is not None:
        stmt = stmt.where(Gathering.county_id == county.id)
    return years.reported(stmt, user).subquery()


def topic_report(user, period: years.Period, county: County | None = None) -> TopicReport:
    policy.authorize(user, "report.topics")
    counted = _gatherings(user, period, county)
    in_period = select(counted.c.id)
    # (topic, gathering) once for each gathering where an item of the topic was held.
    held = (select(programme_item_topics.c.topic_id, ProgrammeItem.gathering_id)
            .join(ProgrammeItem, ProgrammeItem.id == programme_item_topics.c.item_id)
            .where(ProgrammeItem.gathering_id.in_(in_period),
                   ProgrammeItem.cancelled_at.is_(None))
            .distinct().subquery())
    # Released responses with at least one item ticked, with their gathering.
    answered = (select(SurveyResponse.id.label("response_id"),
                       Survey.gathering_id.label("gathering_id"))
                .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
                .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
                .join(Survey, Survey.id == SurveyResponse.survey_id)
                .where(SurveyQuestion.kind == "programme_items",
                       SurveyAnswer.choice.is_not(None),
                       SurveyResponse.state != "pending",  # the released ones only
                       Survey.gathering_id.in_(in_period))
                .distinct().subquery())

    gatherings = db.session.scalar(select(func.count()).select_from(counted)) or 0
    respondents = db.session.scalar(select(func.count()).select_from(answered)) or 0
    held_at = dict(db.session.execute(
        select(held.c.topic_id, func.count()).group_by(held.c.topic_id)).all())
    asked = dict(db.session.execute(
        select(held.c.topic_id, func.count(answered.c.response_id.distinct()))
        .join(answered, answered.c.gathering_id == held.c.gathering_id)
        .group_by(held.c.topic_id)).all())
    ticked = dict(db.session.execute(
        select(programme_item_topics.c.topic_id, func.count(SurveyResponse.id.distinct()))
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .join(ProgrammeItem, (SurveyAnswer.choice == literal("item-") + cast(ProgrammeItem.id,
                                                                           String))
              & (ProgrammeItem.gathering_id == Survey.gathering_id))
        .join(programme_item_topics, programme_item_topics.c.item_id == ProgrammeItem.id)
        .where(SurveyQuestion.kind == "programme_items",
               SurveyResponse.state != "pending",
               ProgrammeItem.cancelled_at.is_(None),
               Survey.gathering_id.in_(in_period))
        .group_by(programme_item_topics.c.topic_id)).all())

    topics = db.session.scalars(select(ProgrammeTopic)
                                .order_by(ProgrammeTopic.position, ProgrammeTopic.id))
    rows = []
    for topic in topics:
        # A deactivated topic no one used in the period says nothing: left out.
        if not topic.active and not held_at.get(topic.id):
            continue
        n = asked.get(topic.id, 0)
        rows.append(TopicRow(
            code=topic.code, name=topic.label(), active=topic.active,
            held=held_at.get(topic.id, 0), respondents=n,
            ticked=ticked.get(topic.id, 0) if n >= MIN_GROUP else None))
    return TopicReport(period=period, county=county, gatherings=gatherings,
                       respondents=respondents, rows=rows)


# --- files ---------------------------------------------------------------------------------

def topic_preamble(report: TopicReport) -> list[list]:
    where = report.county.name if report.county else _("All counties you may see")
    return [[_("Period"), report.period.label], [_("Counties"), where],
            [_("Gatherings"), report.gatherings],
            [_("Responses"), ngettext("%(num)d answered the question",
                                      "%(num)d answered the question", report.respondents)]]


def topic_table(report: TopicReport) -> tuple[list, list[list]]:
    header = [_("Topic"), _("Code"), _("Held at gatherings"), _("Of gatherings"),
              _("Answered where held"), _("Ticked an item of the topic"), _("Share")]
    rows = []
    for row in report.rows:
        hidden = _("Too few responses") if row.suppressed else ""
        rows.append([row.name, row.code, row.held, report.gatherings, row.respondents,
                     row.ticked if row.ticked is not None else hidden,
                     as_share(row.share) if row.share is not None else hidden])
    return header, rows


def topic_filename(report: TopicReport) -> str:
    where = f"-{report.county.number}" if report.county else ""
    return f"programme-topics{where}-{report.period.slug}"
