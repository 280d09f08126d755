"""The feature's part of the gathering's overview (``gatherings.overview``), for the county's
hosts and the directorate only: in planning, the quality-assured mark and the conversation; in
the afterwards phase, the evaluation meeting. Three queries whatever the gathering."""

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.dialogue import services
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, register_phase_provider


def dialogue_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    if not policy.can(viewer, "dialogue.view", gathering, record=False):
        return []
    mark = services.quality_mark(gathering)
    total = services.counts(gathering)["total"]
    planning = PhaseFacts("planning", [
        Fact(_("Quality assured by the directorate"),
             format_date(mark.on, "long") if mark else _("Not yet"),
             tone="ok" if mark and not mark.changed_since else ""),
        Fact(_("Conversation with the directorate"), str(total)),
    ], [Step(_("The conversation with the directorate"),
             url_for("dialogue.conversation", gathering_id=gathering.id))], order=80)
    if gathering.status in services.COPY_TARGET_STATUSES and policy.can(
            viewer, "programmes.copy_item", gathering, record=False):
        planning.steps.append(Step(_("Other counties' programmes, to copy items from"),
                                   url_for("dialogue.other_programmes",
                                           gathering_id=gathering.id)))
    meeting = services.meeting_for(gathering)
    after = PhaseFacts("afterwards", [
        Fact(_("Evaluation meeting"),
             format_date(meeting.held_on, "long") if meeting else _("Not recorded"),
             tone="ok" if meeting else "")], [], order=90)
    if meeting is not None or (policy.can(viewer, "evaluation.record", gathering, record=False)
                               and services.today() > gathering.end_date):
        after.steps.append(Step(
            _("The evaluation meeting") if meeting else _("Record the evaluation meeting"),
            url_for("dialogue.meeting", gathering_id=gathering.id)))
    return [planning, after]


register_phase_provider(dialogue_facts)
