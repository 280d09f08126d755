"""The grant's part of the gathering's overview (``gatherings.overview``): the application and
the directorate's decision (planning), and the final report (afterwards). Two queries, for
those who may see the grant."""

from flask import url_for
from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.overview import Fact, PhaseFacts, Step, register_phase_provider


def grant_facts(gathering: Gathering, viewer) -> list[PhaseFacts]:
    from eventapp.grants.services import application_for, nok, report_for

    def may(action: str) -> bool:
        return policy.can(viewer, action, gathering, record=False)

    if not may("grant.view"):
        return []
    grant_url = url_for("grants.grant", gathering_id=gathering.id)
    report_url = url_for("grants.report", gathering_id=gathering.id)
    application, report = application_for(gathering), report_for(gathering)
    frozen = report is not None and report.frozen

    steps = []
    if application is None:
        grant = Fact(_("Grant"), _("Not applied for"), tone="warn")
        if may("grant.apply") and not frozen:
            steps.append(Step(_("Apply for the grant"), grant_url))
    elif application.status == "submitted":
        grant = Fact(_("Grant"), _("Applied for %(amount)s, awaiting the decision",
                                   amount=nok(application.applied_nok)))
        if may("grant.decide") and not frozen:
            steps.append(Step(_("Decide the grant application"), grant_url))
    else:
        grant = Fact(_("Grant"), _("Granted %(amount)s", amount=nok(application.granted_nok)),
                     tone="ok")
    planning = PhaseFacts("planning", [grant], steps, order=30)

    status = report.status if report is not None else "none"
    label = {"none": _("Not started"), "draft": _("Draft"),
             "submitted": _("Submitted, awaiting review"),
             "returned": _("Sent back to the county"), "approved": _("Approved")}[status]
    steps = []
    if status in ("none", "draft", "returned") and may("final_report.edit"):
        steps.append(Step(_("Write the final report"), report_url))
    elif status == "submitted" and may("final_report.review"):
        steps.append(Step(_("Review the final report"), report_url))
    else:
        steps.append(Step(_("Final report"), report_url))
    afterwards = PhaseFacts("afterwards", [Fact(
        _("Final report"), label,
        tone="ok" if status == "approved" else "warn" if status == "returned" else "")],
        steps, order=50)
    return [planning, afterwards]


register_phase_provider(grant_facts)
