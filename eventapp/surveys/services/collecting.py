"""Collecting answers: the personal invitations and reminders by mail, the daily command that
opens ended gatherings' surveys, how collecting goes, and the QR code for the closing session."""

import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import Conflict
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.surveys.models import Survey, SurveyInvitation, SurveyResponse
from eventapp.surveys.services import dates
from eventapp.surveys.services.answering import token_hash
from eventapp.surveys.services.survey import (
    find_survey,
    open_survey,
    response_count,
    survey_for,
)


def invitees(gathering: Gathering) -> list[Registration]:
    """Confirmed registrations that attended; all confirmed when nobody was checked in."""
    confirmed = list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .order_by(Registration.id)))
    came = [r for r in confirmed if r.attended]
    return came if came else confirmed


def invite(survey: Survey, actor) -> dict[int, str]:
    """One invitation per invitee not yet invited; ``{registration_id: token}`` for the new
    ones. The tokens are not stored: mail them in the same transaction."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    invited = set(db.session.scalars(select(SurveyInvitation.registration_id)
                                     .where(SurveyInvitation.survey_id == survey.id)))
    tokens = {}
    for registration in invitees(survey.gathering):
        if registration.id in invited:
            continue
        token = secrets.token_urlsafe(32)
        db.session.add(SurveyInvitation(survey_id=survey.id, registration_id=registration.id,
                                        token_hash=token_hash(token)))
        tokens[registration.id] = token
    db.session.flush()
    return tokens


def unanswered(survey: Survey) -> list[SurveyInvitation]:
    """Who a reminder reaches: invited, still registered, not answered."""
    return list(db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                       SurveyInvitation.answered.is_(False),
                                       SurveyInvitation.registration_id.is_not(None))
        .order_by(SurveyInvitation.id)))


def pending_invitations(survey: Survey) -> int:
    """How many invitees ``send_invitations`` would mail now."""
    invited = set(db.session.scalars(select(SurveyInvitation.registration_id)
                                     .where(SurveyInvitation.survey_id == survey.id)))
    return sum(1 for r in invitees(survey.gathering) if r.id not in invited)


def _ensure_open(survey: Survey, day: date | None) -> None:
    day = day or dates.today()
    if not survey.accepts_answers_on(day):
        raise Conflict(_("Open the survey first: a link to a survey that does not take answers "
                         "only disappoints."))
    if day < dates.invites_from(survey.gathering):
        raise Conflict(_("Invitations and reminders can be sent from the gathering's last day, "
                         "%(day)s: the mail thanks people for coming.",
                         day=format_date(dates.invites_from(survey.gathering), "long")))


def mail_sender(gathering: Gathering, actor) -> tuple[str, str, str | None]:
    """Who the survey's mail comes from, as the invitation campaigns send it: in the name of the
    county's career centre, from the app's own address (so the mail is not refused as forged),
    with replies going to the host who sends it, the gathering's contact for the survey."""
    from email.headerregistry import Address
    from email.utils import parseaddr

    from eventapp.invitations.services import default_sender_name

    name = default_sender_name(gathering, "career_centre")
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    reply_to = getattr(actor, "email", None) or None
    return name, str(Address(display_name=name, addr_spec=address)), reply_to


def _mail_link(kind: str, template: str, survey: Survey, registration: Registration,
               token: str, actor, batch: str) -> None:
    from eventapp.core.web import external_url
    from eventapp.mail.services import queue_mail, render_mail

    gathering = survey.gathering
    sender, from_address, reply_to = mail_sender(gathering, actor)
    subject, body = render_mail(
        template, getattr(registration, "language", None), gathering=gathering, survey=survey,
        name=registration.name, sender=sender, contact=reply_to,
        link=external_url("surveys.answer", token=token))
    # The kind starts with "survey.": the outbox blanks the body once sent, so the personal
    # link does not outlive the delivery in the database, and the mail page shows the mail as
    # part of its batch, never with its recipient.
    queue_mail(kind=kind, to=registration.email, to_name=registration.name, subject=subject,
               body_text=body, from_address=from_address, reply_to=reply_to, created_by=actor,
               county_id=gathering.county_id, gathering_id=gathering.id, batch=batch)


def new_batch() -> str:
    """The key the mail page groups one send's survey mails by."""
    return secrets.token_urlsafe(16)


def send_invitations(survey: Survey, actor, *, on: date | None = None) -> int:
    """Invite and mail everyone not yet invited; the number mailed. The survey must be open."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    _ensure_open(survey, on)
    tokens = invite(survey, actor)
    if not tokens:
        return 0
    registrations = {r.id: r for r in db.session.scalars(
        select(Registration).where(Registration.id.in_(list(tokens))))}
    now = utcnow()
    for invitation in db.session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                           SurveyInvitation.registration_id.in_(list(tokens)))):
        invitation.sent_at = now
    batch = new_batch()
    for registration_id, token in tokens.items():
        _mail_link("survey.invitation", "mail/survey_invitation", survey,
                   registrations[registration_id], token, actor, batch)
    db.session.flush()
    return len(tokens)


def _county_host(gathering: Gathering, survey: Survey | None):
    """Who the survey's mail goes out from when nobody presses the button: the host who set it
    up, or else the county's first active host."""
    from eventapp.accounts.models import User

    creator = db.session.get(User, survey.created_by_id) \
        if survey is not None and survey.created_by_id else None
    if creator is not None and creator.active and policy.can(creator, "survey.manage", gathering):
        return creator
    return db.session.scalars(select(User).where(
        User.county_id == gathering.county_id, User.role == Role.COUNTY_HOST,
        User.active.is_(True)).order_by(User.id)).first()


def open_due(on: date | None = None) -> list[tuple[Survey, int]]:
    """Open the survey of every gathering that has ended in the last two weeks and mail the
    invitations: ``[(survey, mailed)]``. A survey the host has not set up is set up from the
    year's template; one the host opened or closed is left alone. Run daily (cron)."""
    day = on or dates.today()
    ended = db.session.scalars(
        select(Gathering).where(Gathering.end_date <= day,
                                Gathering.end_date > day - timedelta(days=dates.DEFAULT_OPEN_DAYS),
                                Gathering.status.in_(("closed", "held")))
        .order_by(Gathering.end_date, Gathering.id))
    opened = []
    for gathering in ended:
        survey = find_survey(gathering)
        if (survey is not None and survey.status != "draft") or gathering.report_locked:
            continue
        host = _county_host(gathering, survey)
        if host is None:
            continue
        survey = survey or survey_for(gathering, host)
        open_survey(survey, host, on=day)
        opened.append((survey, send_invitations(survey, host, on=day)))
    return opened


def reminder_recipients(survey: Survey) -> list[SurveyInvitation]:
    """Those a reminder reaches: not answered, and still registered."""
    return [i for i in unanswered(survey)
            if i.registration is not None and i.registration.status != "cancelled"]


def send_reminders(survey: Survey, actor, *, on: date | None = None) -> int:
    """Mail each invitee who has not answered a new personal link; the number mailed.

    The first token was never stored, so it cannot be sent again: each reminder carries a fresh
    one, and the invitation's hash is replaced, so the earlier link stops working."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    _ensure_open(survey, on)
    now = utcnow()
    recipients = reminder_recipients(survey)
    batch = new_batch()
    for invitation in recipients:
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.reminded_at = now
        _mail_link("survey.reminder", "mail/survey_reminder", survey, invitation.registration,
                   token, actor, batch)
    db.session.flush()
    return len(recipients)


def collection_figures(survey: Survey) -> dict:
    """How collecting goes: invited, and the responses in all, by personal link and by QR code
    as of the last release (``answering.release``: they move in steps of five or more, so two
    looks never tell one answer); whether any response has come (the questions then stay as
    they are), and how many the next invitation and reminder would reach."""
    invited = db.session.scalar(select(func.count(SurveyInvitation.id))
                                .where(SurveyInvitation.survey_id == survey.id)) or 0
    total = db.session.scalar(select(func.count(SurveyResponse.id)).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.state != "pending")) or 0
    answered = survey.shown_personal
    return {"invited": invited, "answered": answered, "responses": total,
            "responses_personal": answered, "responses_qr": total - answered,
            "rate": answered / invited if invited else None,
            "has_responses": response_count(survey) > 0,
            "to_invite": pending_invitations(survey),
            "to_remind": len(reminder_recipients(survey))}


def qr_url(survey: Survey) -> str:
    from eventapp.core.web import external_url

    return external_url("surveys.answer", token=survey.qr_token)


def qr_image(survey: Survey, kind: str = "svg") -> bytes:
    """The QR code as a file: SVG for print, PNG for slides."""
    import io

    import segno

    qr = segno.make(qr_url(survey), error="m")
    out = io.BytesIO()
    if kind == "png":
        qr.save(out, kind="png", scale=12, border=4)
    else:
        qr.save(out, kind="svg", scale=8, border=4, xmldecl=True, svgns=True,
                title=survey.gathering.title)
    return out.getvalue()


def qr_svg_inline(survey: Survey) -> str:
    """The QR code as markup for the page: presentation attributes only, so it passes the
    Content-Security-Policy; the stylesheet sizes it."""
    import segno

    url = qr_url(survey)
    return segno.make(url, error="m").svg_inline(
        scale=5, border=4, svgclass="qr-code survey-qr-code", lineclass=None, omitsize=True,
        title=f"QR: {url}")
