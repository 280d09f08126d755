"""The follow-up log's part of the gathering's overview (``gatherings.overview``), in the
afterwards phase: the questions and inputs still open or in progress of all raised, and the
answers not yet mailed to the participants (for the county and the directorate). One query
whatever the number of items."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.followup.models import FollowUpItem
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, register_phase_provider


def followup_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    # The municipal contacts and the committee read the log too; what is still unmailed is the
    # county's own business.
    if not policy.can(viewer, "followup.read", gathering, record=False):
        return []
    total, open_, unmailed = db.session.execute(
        select(func.count(FollowUpItem.id),
               func.coalesce(func.sum(case((FollowUpItem.status != "done", 1), else_=0)), 0),
               func.coalesce(func.sum(case(((FollowUpItem.answer.is_not(None))
                                            & (FollowUpItem.mailed_at.is_(None)), 1),
                                           else_=0)), 0))
        .where(FollowUpItem.gathering_id == gathering.id)).one()
    open_, unmailed = int(open_), int(unmailed)
    facts = [Fact(_("Open follow-up items"), _("%(open)d of %(total)d", open=open_, total=total)
                  if total else _("None raised"), tone="warn" if open_ else "ok" if total else "")]
    if unmailed and policy.can(viewer, "followup.view", gathering, record=False):
        facts.append(Fact(_("Answers not yet mailed"), str(unmailed), tone="warn"))
    label = _("Follow up the open items") if open_ and policy.can(
        viewer, "followup.edit", gathering, record=False) else _("The follow-up log")
    return [PhaseFacts("afterwards", facts, [Step(label, url_for(
        "followup.log", gathering_id=gathering.id))], order=70)]


register_phase_provider(followup_facts)
