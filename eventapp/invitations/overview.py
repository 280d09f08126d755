"""The invitations' part of the gathering's overview (``gatherings.overview``): how many of the
county's municipalities have been reached and how many have registered (the board's states),
and the campaigns sent. A fixed number of queries: those of ``municipality_states`` and one
count of campaigns by status."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, of, register_phase_provider
from eventapp.invitations.models import Campaign


def invitation_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    from eventapp.invitations.services.states import NOT_REACHED, REGISTERED, municipality_states

    def may(action: str) -> bool:
        return policy.can(viewer, action, gathering, record=False)

    if not may("board.view"):
        return []
    states = list(municipality_states(gathering).values())
    total = len(states)
    reached = sum(1 for s in states if s != NOT_REACHED)
    registered = sum(1 for s in states if s == REGISTERED)
    facts = [
        Fact(_("Municipalities reached"), of(reached, total), reached, total,
             "ok" if total and reached == total else ""),
        Fact(_("Municipalities registered"), of(registered, total), registered, total),
    ]
    steps = []
    if may("campaign.view"):
        by_status = dict(db.session.execute(
            select(Campaign.status, func.count()).where(Campaign.gathering_id == gathering.id)
            .group_by(Campaign.status)).all())
        sent = by_status.get("sent", 0) + by_status.get("sending", 0)
        facts.append(Fact(_("Invitations sent"), str(sent), tone="" if sent else "warn"))
        if not sent and may("campaign.send"):
            steps.append(Step(_("Send the invitation"),
                              url_for("invitations.campaigns", gathering_id=gathering.id)))
    if total - reached:
        steps.append(Step(_("Follow up the municipalities not reached (%(num)d)",
                            num=total - reached),
                          url_for("invitations.board", gathering_id=gathering.id,
                                  state=NOT_REACHED)))
    elif total:
        steps.append(Step(_("Municipality board"),
                          url_for("invitations.board", gathering_id=gathering.id)))
    return [PhaseFacts("invitations", facts, steps, order=10)]


register_phase_provider(invitation_facts)
