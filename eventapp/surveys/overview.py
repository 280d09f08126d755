"""The survey's part of the gathering's overview (``gatherings.overview``), in the afterwards
phase: whether there is a survey and where it stands, the responses shown so far and the
response rate of the personal links. Three queries whatever the number of responses: the
survey, its invitations, its shown responses.

Only released responses are counted (``answering.release`` shows them five or more at a time),
and the rate is the one the results page gives (personal responses of the last release over the
invitations), so the overview never says more than the results do."""

from flask import url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, register_phase_provider
from eventapp.surveys.models import Survey, SurveyInvitation, SurveyResponse


def survey_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    def may(action: str) -> bool:
        return policy.can(viewer, action, gathering, record=False)

    if not may("survey.view"):
        return []
    survey_url = url_for("surveys.survey", gathering_id=gathering.id)
    survey = db.session.scalars(select(Survey).where(Survey.gathering_id == gathering.id)).first()
    if survey is None:
        steps = [Step(_("Set up the survey"), survey_url)] if may("survey.manage") else []
        return [PhaseFacts("afterwards", [Fact(_("Survey"), _("Not set up"))], steps, order=60)]
    invitations = db.session.scalar(
        select(func.count(SurveyInvitation.id)).where(SurveyInvitation.survey_id == survey.id)) \
        or 0
    responses = db.session.scalar(
        select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id,
                                                    SurveyResponse.state == "shown")) or 0
    state = {"draft": _("Draft, not sent"), "open": _("Open for answers"),
             "closed": _("Closed")}.get(survey.status, survey.status)
    facts = [Fact(_("Survey"), state, tone="ok" if survey.status == "closed" else ""),
             Fact(_("Survey responses"), str(responses))]
    if invitations:
        rate = survey.shown_personal / invitations
        facts.append(Fact(_("Response rate"), _("%(rate)s of %(num)d invited", rate=format_percent(
            rate), num=invitations), survey.shown_personal, invitations,
            "warn" if survey.status != "draft" and rate < 0.5 else ""))
    steps = [Step(_("The survey"), survey_url)]
    if may("survey.results") and responses:
        steps.append(Step(_("See the survey results"),
                          url_for("reporting.survey_results", gathering_id=gathering.id)))
    return [PhaseFacts("afterwards", facts, steps, order=60)]


register_phase_provider(survey_facts)
