"""The application for the grant and the directorate's decision on it."""

from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import GrantApplication
from eventapp.grants.services.amounts import nok, whole_nok
from eventapp.grants.services.figures import application_for, check_accounts_open
from eventapp.grants.services.grant_rules import rules_for
from eventapp.grants.services.history import record
from eventapp.grants.services.notify import mail_hosts


def apply(gathering: Gathering, actor, *, planned_participants: int, applied_nok: int,
          note: str | None = None) -> GrantApplication:
    """Apply for the grant, or change an application the directorate has not decided yet."""
    policy.authorize(actor, "grant.apply", gathering)
    lock_row(Gathering, gathering.id)
    check_accounts_open(gathering)
    if isinstance(planned_participants, bool) or not isinstance(planned_participants, int) \
            or not 1 <= planned_participants <= 10_000:
        raise ValidationFailed(_("Give the number of participants you plan for, at least 1."),
                               field="planned_participants")
    application = application_for(gathering)
    if application is not None and application.status == "decided":
        raise Conflict(_("The directorate has decided this application; it can no longer be "
                         "changed."))
    rate = rules_for(gathering.start_date.year).rate_nok
    whole_nok(applied_nok, "applied_nok")
    ceiling = rate * planned_participants
    if applied_nok > ceiling:
        raise ValidationFailed(
            _("You can apply for at most %(ceiling)s kroner: %(rate)s per planned participant.",
              ceiling=nok(ceiling), rate=nok(rate)), field="applied_nok")
    if application is None:
        application = GrantApplication(gathering_id=gathering.id)
        db.session.add(application)
    application.planned_participants = planned_participants
    application.rate_nok = rate
    application.applied_nok = applied_nok
    application.note = (note or "").strip() or None
    application.status = "submitted"
    application.submitted_at = utcnow()
    application.submitted_by_id = actor.id
    db.session.flush()
    return application


def check_decision(application: GrantApplication, *, granted_nok: int,
                   comment: str | None = None) -> str:
    """Refuse a decision that cannot be made (before the confirmation page asks, and again when
    it is made); the comment, stripped."""
    check_accounts_open(application.gathering)
    if application.status != "submitted":
        raise Conflict(_("The application is already decided. Reopen the decision to decide "
                         "again."))
    whole_nok(granted_nok, "granted_nok")
    if granted_nok > application.applied_nok:
        raise ValidationFailed(
            _("Grant at most the %(applied)s kroner applied for.",
              applied=nok(application.applied_nok)), field="granted_nok")
    comment = (comment or "").strip()
    if granted_nok < application.applied_nok and not comment:
        raise ValidationFailed(_("Say why the grant is less than applied for."), field="comment")
    return comment


def decide(application: GrantApplication, actor, *, granted_nok: int,
           comment: str | None = None) -> GrantApplication:
    """The directorate grants an amount, at most what was applied for."""
    policy.authorize(actor, "grant.decide", application.gathering)
    lock_row(Gathering, application.gathering_id)
    comment = check_decision(application, granted_nok=granted_nok, comment=comment)
    record(application.gathering, "application", "decided", actor, amount=granted_nok,
           reason=comment)
    application.granted_nok = granted_nok
    application.decision_comment = comment or None
    application.status = "decided"
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    db.session.flush()
    mail_hosts(application.gathering, "grants.decided", "mail/grant_decided", "grants.grant",
               actor, application=application, amount=nok(granted_nok),
               applied=nok(application.applied_nok), rate=nok(application.rate_nok))
    return application
