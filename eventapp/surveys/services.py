"""The survey's workflows: the national template, a gathering's survey, collecting answers
anonymously, and the results. Functions flush, never commit.

Anonymity: ``invite`` hands back tokens it does not store. The invitation keeps sha256(token)
to find itself from the link; the response keeps HMAC-SHA256(SECRET_KEY, token) so the same
link can edit it. With the database alone the two cannot be joined.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, extract, func, or_, select, update

from eventapp.core.access import Role, may_follow_county, may_manage_county
from eventapp.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import County
from eventapp.registration.models import Registration
from eventapp.surveys.models import (
    AGREE,
    AGREEMENT,
    CHOICE_KINDS,
    DONT_KNOW,
    GROUPS,
    KINDS,
    MAX_TEXT,
    MULTI_KINDS,
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

# A short text is a word or a line; the long texts take MAX_TEXT.
MAX_SHORT_TEXT = 300
# Filtered results of fewer responses than this are hidden, so no one can be recognised.
MIN_GROUP = 5
# How long a survey stays open when the host does not say.
DEFAULT_OPEN_DAYS = 14
# Programme items that are not content: nobody is asked whether lunch was useful.
NOT_CONTENT = ("break", "meal")
SETTLES_CODE = "settles"

AGREEMENT_OPTIONS = [
    {"value": "helt_enig", "label": "Helt enig", "label_en": "Strongly agree"},
    {"value": "delvis_enig", "label": "Delvis enig", "label_en": "Partly agree"},
    {"value": "noytral", "label": "Nøytral", "label_en": "Neutral"},
    {"value": "delvis_uenig", "label": "Delvis uenig", "label_en": "Partly disagree"},
    {"value": "helt_uenig", "label": "Helt uenig", "label_en": "Strongly disagree"},
    {"value": "vet_ikke", "label": "Vet ikke", "label_en": "Don't know"},
]
SETTLES_OPTIONS = [
    {"value": "ordinary", "label": "Ordinære flyktninger", "label_en": "Ordinary refugees"},
    {"value": "ukrainian", "label": "Flyktninger fra Ukraina", "label_en": "Refugees from Ukraine"},
    {"value": "both", "label": "Begge deler", "label_en": "Both"},
    {"value": "none", "label": "Ingen / jobber ikke i en kommune",
     "label_en": "None / I do not work in a municipality"},
]

# HK-dir's questions (DOMAIN.md, "Afterwards"): code, kind, Norwegian, English, options.
NATIONAL_DEFAULTS = [
    ("useful_items", "programme_items",
     "Hvilke innlegg eller programposter var mest nyttige for deg? Kryss av for så mange du vil.",
     "Which talks or programme items were most useful to you? Tick as many as you like.", None),
    ("useful_why", "long_text", "Hvorfor var disse mest nyttige?",
     "Why were these the most useful?", None),
    ("mix", "long_text",
     "Hvordan fungerte kombinasjonen av faglige innlegg og diskusjon i mindre grupper?",
     "How did the mix of talks and small-group discussion work?", None),
    ("tables", "long_text", "Hvordan fungerte sammensetningen av bordgruppene?",
     "How did the composition of the table groups work?", None),
    ("cooperation", "agreement",
     "Denne samlingen har bidratt til å styrke samarbeidet mellom fylkeskommunen og kommunene om "
     "karriereveiledning",
     "This gathering has helped strengthen cooperation between the county and the "
     "municipalities on career guidance", AGREEMENT_OPTIONS),
    ("more_useful", "long_text", "Hvordan kunne samlingen vært enda mer nyttig?",
     "How could the gathering have been even more useful?", None),
    ("comments", "long_text", "Andre kommentarer", "Other comments", None),
    (SETTLES_CODE, "single",
     "Bosetter kommunen din ordinære flyktninger, flyktninger fra Ukraina eller begge deler?",
     "Does your municipality settle ordinary refugees, refugees from Ukraine or both?",
     SETTLES_OPTIONS),
]


def today() -> date:
    return datetime.now(OSLO).date()


# --- who may do what ----------------------------------------------------------------------

def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def may_see_results(user, gathering: Gathering) -> bool:
    return may_follow_county(user, gathering.county_id)


def _require_host(user, gathering: Gathering) -> None:
    if not may_manage_county(user, gathering.county_id):
        raise Forbidden(_("Only the county's host can change the survey."))


# --- the national template ----------------------------------------------------------------

def _default_questions(year: int) -> list[SurveyQuestion]:
    questions = []
    for position, (code, kind, text, text_en, options) in enumerate(NATIONAL_DEFAULTS):
        question = SurveyQuestion(year=year, position=position, code=code, national=True,
                                  kind=kind, text=text, text_en=text_en, required=False)
        question.option_list = options or []
        questions.append(question)
    return questions


def _stored_template(year: int) -> list[SurveyQuestion]:
    return list(db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.year == year)
        .order_by(SurveyQuestion.position, SurveyQuestion.id)))


def national_template(year: int) -> list[SurveyQuestion]:
    """The directorate's questions for ``year``; HK-dir's questions the first time asked."""
    questions = _stored_template(year)
    if questions:
        return questions
    questions = _default_questions(year)
    db.session.add_all(questions)
    db.session.flush()
    return questions


def _require_directorate(user) -> None:
    if not _authenticated(user) or user.role != Role.DIRECTORATE:
        raise Forbidden(_("Only the directorate keeps the national template."))


_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def _code_from(text: str, year: int) -> str:
    """A stable code for a new national question, from its words, unique in the year."""
    words = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    words = words.encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", words).strip("_")[:30].rstrip("_") or "question"
    taken = set(db.session.scalars(select(SurveyQuestion.code)
                                   .where(SurveyQuestion.year == year)))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def _check_text(text, text_en) -> tuple[str, str | None]:
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        raise ValidationFailed(_("Write the question, at most 1000 characters."), field="text")
    if text_en is not None and (not isinstance(text_en, str) or len(text_en) > 1000):
        raise ValidationFailed(_("Write the question, at most 1000 characters."),
                               field="text_en")
    return text.strip(), (text_en or "").strip() or None


def _set_options(question: SurveyQuestion, options, gathering=None) -> None:
    if question.kind == "agreement":
        question.option_list = AGREEMENT_OPTIONS
    elif question.kind == "programme_items":
        # The template has no programme: each survey fills these in from its gathering.
        question.option_list = programme_options(gathering) if gathering is not None else []
    elif question.kind in CHOICE_KINDS:
        question.option_list = _clean_options(options, "options")
    else:
        question.option_list = []


def add_national_question(year: int, actor, *, kind: str, text: str, text_en: str | None = None,
                          options=None, required: bool = False) -> SurveyQuestion:
    """A question the directorate adds to the year's template; surveys created from now on
    carry it, surveys already created keep their copies."""
    _require_directorate(actor)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of question."), field="kind")
    text, text_en = _check_text(text, text_en)
    template = national_template(year)
    question = SurveyQuestion(year=year, national=True, kind=kind, text=text, text_en=text_en,
                              required=bool(required), code=_code_from(text, year),
                              position=max((q.position for q in template), default=-1) + 1)
    _set_options(question, options)
    db.session.add(question)
    db.session.flush()
    return question


def _template_question(question: SurveyQuestion) -> None:
    if question is None or question.year is None:
        raise NotFound(_("No such question in the national template."))


def update_national_question(question: SurveyQuestion, actor, *, text: str,
                             text_en: str | None = None, options=None,
                             required: bool | None = None) -> SurveyQuestion:
    """Reword a template question. Its kind and code stay, so the year's results compare."""
    _require_directorate(actor)
    _template_question(question)
    question.text, question.text_en = _check_text(text, text_en)
    if question.kind in ("single", "multiple") and options is not None:
        question.option_list = _clean_options(options, "options")
    if required is not None:
        question.required = bool(required)
    db.session.flush()
    return question


def remove_national_question(question: SurveyQuestion, actor) -> None:
    _require_directorate(actor)
    _template_question(question)
    if question.code == SETTLES_CODE:
        raise Conflict(_("The question on which refugees the municipality settles cannot be "
                         "removed: the results are filtered by it."))
    db.session.delete(question)
    db.session.flush()


# --- a gathering's survey -----------------------------------------------------------------

def find_survey(gathering: Gathering) -> Survey | None:
    return db.session.scalars(select(Survey).where(Survey.gathering_id == gathering.id)).first()


def programme_options(gathering: Gathering) -> list[dict]:
    """The gathering's live programme items that carry content, as choice options."""
    return [{"value": f"item-{item.id}", "label": item.title, "label_en": item.title}
            for item in gathering.active_items if item.kind not in NOT_CONTENT]


def survey_for(gathering: Gathering, actor) -> Survey:
    """The gathering's survey; the host's first call creates it from the year's template."""
    survey = find_survey(gathering)
    if survey is not None:
        if not (may_see_results(actor, gathering)):
            raise NotFound(_("No such survey."))
        return survey
    _require_host(actor, gathering)
    survey = Survey(gathering_id=gathering.id, status="draft", created_by_id=actor.id)
    db.session.add(survey)
    db.session.flush()
    for template in national_template(gathering.start_date.year):
        question = SurveyQuestion(
            survey_id=survey.id, position=template.position, code=template.code, national=True,
            kind=template.kind, text=template.text, text_en=template.text_en,
            options=template.options, required=template.required)
        if question.kind == "programme_items":
            question.option_list = programme_options(gathering)
        survey.questions.append(question)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(SurveyResponse.id))
                             .where(SurveyResponse.survey_id == survey.id)) or 0


def _require_no_responses(survey: Survey) -> None:
    if response_count(survey):
        raise Conflict(_("The survey has responses: its questions can no longer be changed, or "
                         "the answers given would no longer match them."))


def _split_label(option) -> tuple[object, object]:
    """An option's Norwegian and English labels: a dict's, or a line typed as
    "norsk | english" (no bar: the same label in both)."""
    if isinstance(option, dict):
        return option.get("label", ""), option.get("label_en")
    if isinstance(option, str) and "|" in option:
        label, _bar, label_en = option.partition("|")
        return label, label_en
    return option, None


def _clean_options(options, field: str) -> list[dict]:
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationFailed(_("Give at least two options."), field=field)
    cleaned, seen, labels = [], set(), set()
    for option in options:
        label, label_en = _split_label(option)
        if not isinstance(label, str) or not label.strip() or len(label) > 200 or not (
                label_en is None or (isinstance(label_en, str) and len(label_en) <= 200)):
            raise ValidationFailed(_("Each option needs a label of at most 200 characters."),
                                   field=field)
        # Two options of the same label could not be told apart in the results.
        if label.strip().casefold() in labels:
            raise ValidationFailed(_("Two options are both called \"%(label)s\": give each "
                                     "option its own label.", label=label.strip()), field=field)
        labels.add(label.strip().casefold())
        value = (option.get("value") if isinstance(option, dict) else None) \
            or f"o{len(cleaned) + 1}"
        if value in seen or len(value) > 100:
            raise ValidationFailed(_("Options must differ from each other."), field=field)
        seen.add(value)
        cleaned.append({"value": value, "label": label.strip(),
                        "label_en": (label_en or "").strip() or label.strip()})
    return cleaned


def add_question(survey: Survey, actor, *, kind: str, text: str, text_en: str | None = None,
                 options=None, required: bool = False) -> SurveyQuestion:
    """A host's own question for this gathering, after the national ones."""
    _require_host(actor, survey.gathering)
    _require_no_responses(survey)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of question."), field="kind")
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        raise ValidationFailed(_("Write the question, at most 1000 characters."), field="text")
    question = SurveyQuestion(survey_id=survey.id, national=False, kind=kind, text=text.strip(),
                              text_en=(text_en or "").strip() or None, required=bool(required),
                              position=max((q.position for q in survey.questions), default=-1) + 1)
    if kind == "agreement":
        question.option_list = AGREEMENT_OPTIONS
    elif kind == "programme_items":
        question.option_list = programme_options(survey.gathering)
    elif kind in CHOICE_KINDS:
        question.option_list = _clean_options(options, "options")
    survey.questions.append(question)
    db.session.flush()
    return question


def remove_question(question: SurveyQuestion, actor) -> None:
    survey = question.survey
    if survey is None:
        raise NotFound(_("No such question."))
    _require_host(actor, survey.gathering)
    if question.national:
        raise Conflict(_("National questions cannot be removed: they keep the counties' results "
                         "comparable. You may add your own questions."))
    _require_no_responses(survey)
    survey.questions.remove(question)
    db.session.flush()


def refresh_programme(survey: Survey, actor) -> None:
    """Take the programme-item options from the programme as it is now."""
    _require_host(actor, survey.gathering)
    _require_no_responses(survey)
    for question in survey.questions:
        if question.kind == "programme_items":
            question.option_list = programme_options(survey.gathering)
    db.session.flush()


def report_locked(gathering: Gathering) -> bool:
    """Whether the gathering's final report is submitted or approved: it carries the survey's
    figures as they were, so the survey must not take answers again."""
    from eventapp.grants.services import report_for

    report = report_for(gathering)
    return report is not None and report.status in ("submitted", "approved")


def may_open_from(gathering: Gathering) -> date:
    """The first day the survey may open: the QR code is shown in the closing session."""
    return gathering.start_date


def may_invite_from(gathering: Gathering) -> date:
    """The first day invitations and reminders may go out: the mail thanks people for coming."""
    return gathering.end_date


def open_survey(survey: Survey, actor, *, closes_on: date | None = None,
                on: date | None = None) -> Survey:
    """Open for answers until ``closes_on`` (by default two weeks after the later of today and
    the gathering's last day), or change the closing date of an open survey.

    Not before the gathering's first day, and never again once the final report is submitted
    or approved. The first opening day is kept when the survey is reopened, so the period
    shown stays true."""
    _require_host(actor, survey.gathering)
    day = on or today()
    gathering = survey.gathering
    if survey.status != "open" and report_locked(gathering):
        raise Conflict(_("The final report is submitted, and it holds the survey's figures: "
                         "the survey cannot be opened again."))
    if day < may_open_from(gathering):
        raise ValidationFailed(
            _("The survey can be opened from the gathering's first day, %(day)s, so the QR "
              "code can be shown in the closing session.",
              day=format_date(may_open_from(gathering), "long")), field="closes_on")
    closes_on = closes_on or survey.closes_on or (
        max(day, gathering.end_date) + timedelta(days=DEFAULT_OPEN_DAYS))
    if closes_on < day:
        raise ValidationFailed(_("The closing date must be today or later."), field="closes_on")
    survey.status, survey.opens_on, survey.closes_on = "open", survey.opens_on or day, closes_on
    db.session.flush()
    return survey


def close_survey(survey: Survey, actor, *, on: date | None = None) -> Survey:
    """Stop taking answers. Closed early, the closing date becomes the day it closed, so the
    period shown is the one answers were taken in."""
    _require_host(actor, survey.gathering)
    day = on or today()
    if survey.status == "open" and (survey.closes_on is None or survey.closes_on > day):
        survey.closes_on = max(day, survey.opens_on) if survey.opens_on else day
    survey.status = "closed"
    db.session.flush()
    return survey


# --- inviting -----------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def edit_key(token: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


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
    _require_host(actor, survey.gathering)
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


def _require_open(survey: Survey, day: date | None) -> None:
    day = day or today()
    if not survey.accepts_answers_on(day):
        raise Conflict(_("Open the survey first: a link to a survey that does not take answers "
                         "only disappoints."))
    if day < may_invite_from(survey.gathering):
        raise Conflict(_("Invitations and reminders can be sent from the gathering's last day, "
                         "%(day)s: the mail thanks people for coming.",
                         day=format_date(may_invite_from(survey.gathering), "long")))


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
               token: str, actor) -> None:
    from eventapp.core.web import external_url
    from eventapp.mail.services import queue_mail, render_mail

    gathering = survey.gathering
    sender, from_address, reply_to = mail_sender(gathering, actor)
    subject, body = render_mail(
        template, getattr(registration, "language", None), gathering=gathering, survey=survey,
        name=registration.name, sender=sender, contact=reply_to,
        link=external_url("surveys.answer", token=token))
    # The kind starts with "survey.": the outbox blanks the body once sent, so the personal
    # link does not outlive the delivery in the database.
    queue_mail(kind=kind, to=registration.email, to_name=registration.name, subject=subject,
               body_text=body, from_address=from_address, reply_to=reply_to, created_by=actor,
               county_id=gathering.county_id, gathering_id=gathering.id)


def send_invitations(survey: Survey, actor, *, on: date | None = None) -> int:
    """Invite and mail everyone not yet invited; the number mailed. The survey must be open."""
    _require_host(actor, survey.gathering)
    _require_open(survey, on)
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
    for registration_id, token in tokens.items():
        _mail_link("survey.invitation", "mail/survey_invitation", survey,
                   registrations[registration_id], token, actor)
    db.session.flush()
    return len(tokens)


def _county_host(gathering: Gathering, survey: Survey | None):
    """Who the survey's mail goes out from when nobody presses the button: the host who set it
    up, or else the county's first active host."""
    from eventapp.accounts.models import User

    creator = db.session.get(User, survey.created_by_id) \
        if survey is not None and survey.created_by_id else None
    if creator is not None and creator.active and may_manage_county(creator, gathering.county_id):
        return creator
    return db.session.scalars(select(User).where(
        User.county_id == gathering.county_id, User.role == Role.COUNTY_HOST,
        User.active.is_(True)).order_by(User.id)).first()


def open_due(on: date | None = None) -> list[tuple[Survey, int]]:
    """Open the survey of every gathering that has ended in the last two weeks and mail the
    invitations: ``[(survey, mailed)]``. A survey the host has not set up is set up from the
    year's template; one the host opened or closed is left alone. Run daily (cron)."""
    day = on or today()
    ended = db.session.scalars(
        select(Gathering).where(Gathering.end_date <= day,
                                Gathering.end_date > day - timedelta(days=DEFAULT_OPEN_DAYS),
                                Gathering.status.in_(("closed", "held")))
        .order_by(Gathering.end_date, Gathering.id))
    opened = []
    for gathering in ended:
        survey = find_survey(gathering)
        if (survey is not None and survey.status != "draft") or report_locked(gathering):
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
    _require_host(actor, survey.gathering)
    _require_open(survey, on)
    now = utcnow()
    recipients = reminder_recipients(survey)
    for invitation in recipients:
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.reminded_at = now
        _mail_link("survey.reminder", "mail/survey_reminder", survey, invitation.registration,
                   token, actor)
    db.session.flush()
    return len(recipients)


def collection_figures(survey: Survey) -> dict:
    """How collecting goes: invited, answered, responses by personal link and by QR code, and
    how many the next invitation and reminder would reach."""
    invited, answered = db.session.execute(
        select(func.count(SurveyInvitation.id),
               func.count(SurveyInvitation.id).filter(SurveyInvitation.answered.is_(True)))
        .where(SurveyInvitation.survey_id == survey.id)).one()
    total = response_count(survey)
    # Each personal response marks exactly one invitation answered, and QR responses from a
    # phone that answered before carry an edit key too: the answered invitations are the count.
    return {"invited": invited, "answered": answered, "responses": total,
            "responses_personal": answered, "responses_qr": total - answered,
            "rate": answered / invited if invited else None,
            "to_invite": pending_invitations(survey),
            "to_remind": len(reminder_recipients(survey))}


def default_closes_on(survey: Survey, on: date | None = None) -> date:
    """The closing date ``open_survey`` picks when the host gives none."""
    day = on or today()
    return survey.closes_on or max(day, survey.gathering.end_date) + timedelta(
        days=DEFAULT_OPEN_DAYS)


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


# --- answering ----------------------------------------------------------------------------

def group_of(registration: Registration | None) -> str | None:
    if registration is None:
        return None
    return {"municipality": "municipal", "district": "municipal", "county": "county",
            "partner": "partner"}.get(registration.organisation_kind)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def token_like(value) -> bool:
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


@dataclass
class Access:
    survey: Survey
    invitation: SurveyInvitation | None  # None: the survey's QR code


def access_for(token: str) -> Access:
    """The survey a personal or QR token opens; NotFound for any other."""
    # Tokens are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in a
    # query) is no token of ours and never reaches the database.
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound(_("This survey link is not valid."))
    invitation = db.session.scalars(select(SurveyInvitation)
                                    .where(SurveyInvitation.token_hash == token_hash(token))).first()
    if invitation is not None:
        return Access(invitation.survey, invitation)
    survey = db.session.scalars(select(Survey).where(Survey.qr_token == token)).first()
    if survey is None or not hmac.compare_digest(survey.qr_token, token):
        raise NotFound(_("This survey link is not valid."))
    return Access(survey, None)


def _blank(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def text_limit(question: SurveyQuestion) -> int:
    return MAX_SHORT_TEXT if question.kind == "short_text" else MAX_TEXT


def _response_key(access: Access, token: str, device: str | None) -> str | None:
    """The edit key of the response this token (and, for the QR code, this browser) answers
    with, or None when every submission is a new response.

    A personal link is its own key. The QR code is one token for a whole room, so it is paired
    with ``device``, a random key the browser keeps in a cookie: a second submission from the
    same phone edits the first. Like a personal token, the device key is never stored; only
    the HMAC of the pair is, so the database cannot tell which browser sent what."""
    if access.invitation is not None:
        return edit_key(token)
    if token_like(device):
        return edit_key(f"{token}:{device}")
    return None


def _check_answer(question: SurveyQuestion, value) -> tuple[list[str], str | None]:
    """The choices or text to store for ``value``; ValueError with the message if invalid."""
    if question.kind in TEXT_KINDS:
        if not isinstance(value, str):
            raise ValueError(_("Write the answer as text."))
        limit = text_limit(question)
        if len(value) > limit:
            raise ValueError(_("Write at most %(n)d characters.", n=limit))
        return [], value.strip()
    allowed = AGREEMENT if question.kind == "agreement" else question.values
    if question.kind in MULTI_KINDS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(_("Choose from the options given."))
        chosen = list(dict.fromkeys(value))
    else:
        if not isinstance(value, str):
            raise ValueError(_("Choose one of the options given."))
        chosen = [value]
    if any(v not in allowed for v in chosen):
        raise ValueError(_("Choose from the options given."))
    return chosen, None


def saved_answers(token: str, device: str | None = None) -> dict[str, list[str] | str]:
    """What a personal link (or the QR code from this browser) answered before, keyed by
    question id as ``submit`` takes it, so the form can show it for editing; nothing for a
    link not yet used."""
    access = access_for(token)
    key = _response_key(access, token, device)
    if key is None:
        return {}
    response = db.session.scalars(select(SurveyResponse)
                                  .where(SurveyResponse.edit_key == key,
                                         SurveyResponse.survey_id == access.survey.id)).first()
    if response is None:
        return {}
    kinds = {q.id: q.kind for q in access.survey.questions}
    saved: dict[str, list[str] | str] = {}
    if access.invitation is None and response.participant_group:
        saved["group"] = response.participant_group
    for answer in response.answers:
        key = str(answer.question_id)
        if answer.text is not None:
            saved[key] = answer.text
        elif kinds.get(answer.question_id) in MULTI_KINDS:
            saved.setdefault(key, []).append(answer.choice)
        else:
            saved[key] = answer.choice
    return saved


def _mark_answered(invitation: SurveyInvitation) -> None:
    """Mark the invitation answered, rewriting every invitation of the survey in the same
    statement. On PostgreSQL each row carries the id of the transaction that last wrote it
    (xmin): flipping only this row would give it the same xmin as the new response and join
    the two. Rewritten together, all invitations share the latest xmin, which says no more
    than the answered flags do."""
    db.session.execute(
        update(SurveyInvitation).where(SurveyInvitation.survey_id == invitation.survey_id)
        .values(answered=or_(SurveyInvitation.answered, SurveyInvitation.id == invitation.id))
        .execution_options(synchronize_session=False))
    db.session.expire(invitation, ["answered"])


def submit(token: str, answers: dict, group: str | None = None, *,
           on: date | None = None, device: str | None = None) -> tuple[SurveyResponse, bool]:
    """Record answers; ``(response, created)``. A personal token answers once and edits that
    response afterwards; so does the QR token together with the same ``device`` key (the
    browser's cookie), while the QR token alone adds a response each time. Every answer is
    checked before anything is written, so an error saves nothing."""
    access = access_for(token)
    survey = access.survey
    day = on or today()
    if not survey.accepts_answers_on(day):
        if survey.status == "open" and survey.opens_on and day < survey.opens_on:
            raise Conflict(_("The survey is not open yet."))
        raise Conflict(_("The survey is closed. Thank you for your interest."))
    if not isinstance(answers, dict):
        raise ValidationFailed(_("Send the answers as an object keyed by question id."),
                               field="answers")
    questions = {str(q.id): q for q in survey.questions}
    fields: dict[str, str] = {}
    for key in answers:
        if str(key) not in questions:
            fields[str(key)] = _("No such question in this survey.")
    stored: list[tuple[SurveyQuestion, list[str], str | None]] = []
    for key, question in questions.items():
        value = answers.get(key, answers.get(question.id))
        if _blank(value):
            if question.required:
                fields[key] = _("This question must be answered.")
            continue
        try:
            choices, text = _check_answer(question, value)
        except ValueError as exc:
            fields[key] = str(exc)
            continue
        stored.append((question, choices, text))
    if access.invitation is None and group is not None and group not in GROUPS:
        fields["group"] = _("Choose municipal, county or partner.")
    if fields:
        raise ValidationFailed(_("Some answers need another look."), fields=fields)

    created = True
    key = _response_key(access, token, device)
    response = None if key is None else db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.edit_key == key,
                                     SurveyResponse.survey_id == survey.id)).first()
    if response is not None:
        created = False
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        db.session.expire(response, ["answers"])
        if access.invitation is None:
            response.participant_group = group
    elif access.invitation is not None:
        response = SurveyResponse(survey_id=survey.id, edit_key=key, submitted_on=day,
                                  participant_group=group_of(access.invitation.registration))
        db.session.add(response)
        _mark_answered(access.invitation)
    else:
        response = SurveyResponse(survey_id=survey.id, edit_key=key, submitted_on=day,
                                  participant_group=group)
        db.session.add(response)
    db.session.flush()
    for question, choices, text in stored:
        if text is not None:
            db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id,
                                        text=text))
        for choice in choices:
            db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id,
                                        choice=choice))
    db.session.flush()
    return response, created


# --- results ------------------------------------------------------------------------------

def _answers_by_response(question_ids: list[int], response_ids: list[int]) -> dict:
    """{question_id: {response_id: [answers]}} for the given responses."""
    found: dict[int, dict[int, list[SurveyAnswer]]] = {q: {} for q in question_ids}
    if not response_ids:
        return found
    rows = db.session.scalars(select(SurveyAnswer)
                              .where(SurveyAnswer.response_id.in_(response_ids))
                              .order_by(SurveyAnswer.id))
    for answer in rows:
        found.setdefault(answer.question_id, {}).setdefault(answer.response_id, []).append(answer)
    return found


def agreement_figures(values: list[str]) -> dict:
    """Counts per scale value, and the share agreeing fully or partly among those who answered
    other than "vet ikke" (None when nobody did)."""
    counts = {value: 0 for value in AGREEMENT}
    for value in values:
        counts[value] += 1
    considered = len(values) - counts[DONT_KNOW]
    agree = sum(counts[v] for v in AGREE)
    return {"counts": counts, "answered": len(values), "considered": considered,
            "agree": agree, "agree_share": agree / considered if considered else None}


def _question_result(question: SurveyQuestion, by_response: dict[int, list[SurveyAnswer]],
                     filtered: bool = False) -> dict:
    result = {"question_id": question.id, "code": question.code, "national": question.national,
              "kind": question.kind, "text": question.text, "text_en": question.text_en,
              "answered": len(by_response)}
    if question.kind == "agreement":
        values = [answers[0].choice for answers in by_response.values()]
        figures = agreement_figures(values)
        labels = {o["value"]: o for o in AGREEMENT_OPTIONS}
        result["options"] = [{"value": v, "label": labels[v]["label"],
                              "label_en": labels[v]["label_en"], "count": figures["counts"][v]}
                             for v in AGREEMENT]
        result["agree"] = figures["agree"]
        result["considered"] = figures["considered"]
        result["agree_share"] = figures["agree_share"]
    elif question.kind in CHOICE_KINDS:
        counts = {o["value"]: 0 for o in question.option_list}
        for answers in by_response.values():
            for answer in answers:
                counts[answer.choice] = counts.get(answer.choice, 0) + 1
        order = {value: i for i, value in enumerate(counts)}
        labels = {o["value"]: o for o in question.option_list}
        n = len(by_response)
        result["options"] = [
            {"value": v, "label": labels.get(v, {}).get("label", v),
             "label_en": labels.get(v, {}).get("label_en", v), "count": c,
             "share": c / n if n else None}
            for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))]
    else:
        result["texts"] = [] if filtered else sorted(
            (answers[0].text for answers in by_response.values()), key=str.casefold)
        result["texts_withheld"] = filtered
    return result


def _settles_answers(survey: Survey) -> dict[int, str]:
    """{response_id: the settles answer} for the survey."""
    question = next((q for q in survey.questions if q.code == SETTLES_CODE), None)
    if question is None:
        return {}
    return dict(db.session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.choice)
        .where(SurveyAnswer.question_id == question.id)).all())


def hidden_cells(sizes: dict) -> set:
    """The cells of one breakdown (a filter's values, ``None`` for those who gave none) to hide
    so that no group under five answers can be read, neither directly nor as the total less the
    cells shown: every cell under five, and then the smallest others until the hidden cells
    hold five answers between them (or nothing is left to hide)."""
    hidden = {key for key, n in sizes.items() if n < MIN_GROUP}
    held = sum(sizes[key] for key in hidden)
    if held == 0 or held >= MIN_GROUP:
        return hidden
    shown = sorted((key for key in sizes if key not in hidden),
                   key=lambda key: (sizes[key], key is None, str(key)))
    for key in shown:
        hidden.add(key)
        held += sizes[key]
        if held >= MIN_GROUP:
            break
    return hidden


@dataclass
class Selection:
    """The responses a filter picks out, or why they are not shown."""

    ids: list[int]
    total: int
    suppressed: bool
    filtered: bool


def select_responses(survey: Survey, *, group: str | None = None,
                     settles: str | None = None) -> Selection:
    """The survey's responses under one filter, by participant group or by what the
    municipality settles. Hidden (``suppressed``) when the survey has fewer than five responses
    in all, or when the filter's group is hidden by ``hidden_cells``. One filter at a time:
    two together would give groups that differences between single filters could pick apart."""
    if group is not None and group not in GROUPS:
        raise ValidationFailed(_("Choose municipal, county or partner."), field="group")
    settles_values = [o["value"] for o in SETTLES_OPTIONS]
    if settles is not None and settles not in settles_values:
        raise ValidationFailed(_("Choose ordinary, ukrainian, both or none."), field="settles")
    if group is not None and settles is not None:
        raise ValidationFailed(_("Choose one filter at a time."), field="settles")
    rows = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.participant_group)
        .where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)).all()
    if group is not None:
        value_of = {r.id: r.participant_group for r in rows}
        values, wanted = list(GROUPS), group
    elif settles is not None:
        settled = _settles_answers(survey)
        value_of = {r.id: settled.get(r.id) for r in rows}
        values, wanted = settles_values, settles
    else:
        value_of, values, wanted = {r.id: None for r in rows}, [], None
    ids = [rid for rid, value in value_of.items() if value == wanted]
    suppressed = len(rows) < MIN_GROUP
    if wanted is not None and not suppressed:
        sizes = {value: 0 for value in [*values, None]}
        for value in value_of.values():
            sizes[value] += 1
        suppressed = wanted in hidden_cells(sizes)
    return Selection(ids=[] if suppressed else ids, total=len(rows), suppressed=suppressed,
                     filtered=wanted is not None)


def results(survey: Survey, *, group: str | None = None, settles: str | None = None) -> dict:
    """Per question counts and shares, from the stored answers.

    - agreement: a count per scale value, and ``agree_share``: those who agree fully or partly
      divided by those who answered other than "vet ikke" (``considered``);
    - single, multiple, programme items: a count per option, most chosen first; ``share`` is
      of those who answered the question (several may be ticked, so shares can add past 1);
    - text: the texts, unfiltered only (``texts_withheld`` under a filter: lists of texts under
      different filters could be compared to find a small group's own words).

    Nothing is shown (``suppressed``) while the survey has fewer than five responses, nor under
    a filter whose group ``select_responses`` hides.
    """
    selection = select_responses(survey, group=group, settles=settles)
    invitations = db.session.scalar(select(func.count(SurveyInvitation.id))
                                    .where(SurveyInvitation.survey_id == survey.id)) or 0
    # A QR answer from a phone that answered before carries an edit key too; each personal
    # response marks exactly one invitation answered, so those are the count.
    personal = db.session.scalar(select(func.count(SurveyInvitation.id)).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.answered.is_(True))) or 0
    out = {
        "survey_id": survey.id, "gathering_id": survey.gathering_id, "status": survey.status,
        "opens_on": survey.opens_on, "closes_on": survey.closes_on,
        "invitations": invitations, "responses": selection.total,
        "responses_personal": personal, "responses_qr": selection.total - personal,
        "response_rate": personal / invitations if invitations else None,
        "filters": {"group": group, "settles": settles},
        "filtered_responses": None if selection.suppressed else len(selection.ids),
        "suppressed": selection.suppressed, "min_group": MIN_GROUP, "questions": [],
    }
    if selection.suppressed:
        return out
    answers = _answers_by_response([q.id for q in survey.questions], selection.ids)
    out["questions"] = [_question_result(q, answers.get(q.id, {}), selection.filtered)
                        for q in survey.questions]
    return out


# --- the national comparison --------------------------------------------------------------

def national_report(year: int) -> dict:
    """For each national question of ``year``: per county the figures of its gatherings'
    surveys pooled, the national figure over all responses, and the range of county figures
    over the counties shown. Counties under five have their figures hidden (``suppressed``),
    with the next smallest when needed (``hidden_cells``), but count in the national figure,
    which is itself hidden while the year has fewer than five responses in all.

    Agreement questions give ``agree_share`` (as in ``results``); single-choice questions the
    counts per option; others the number who answered."""
    # Reading writes nothing: a year without a stored template compares HK-dir's questions.
    template = _stored_template(year) or _default_questions(year)
    surveys = list(db.session.scalars(
        select(Survey).join(Gathering, Gathering.id == Survey.gathering_id)
        .where(extract("year", Gathering.start_date) == year, Gathering.status != "draft")
        .order_by(Survey.id)))
    counties = {c.id: c for c in db.session.scalars(select(County).order_by(County.number))}
    survey_county = {s.id: s.gathering.county_id for s in surveys}
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.survey_id)
        .where(SurveyResponse.survey_id.in_(list(survey_county) or [-1]))).all()
    county_of_response = {r.id: survey_county[r.survey_id] for r in responses}
    response_count_by_county: dict[int, int] = {}
    for county_id in county_of_response.values():
        response_count_by_county[county_id] = response_count_by_county.get(county_id, 0) + 1
    # Question copies per national code across the year's surveys.
    copies: dict[str, list[int]] = {}
    for survey in surveys:
        for question in survey.questions:
            if question.national:
                copies.setdefault(question.code, []).append(question.id)
    answer_rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.response_id, SurveyAnswer.choice)
        .where(SurveyAnswer.question_id.in_([q for ids in copies.values() for q in ids] or [-1]))
    ).all()
    by_question: dict[int, list] = {}
    for row in answer_rows:
        by_question.setdefault(row.question_id, []).append(row)

    # A county under five is hidden, and so is the next smallest when the national figure less
    # the counties shown would otherwise give it away; the national figure needs five in all.
    hidden = hidden_cells(response_count_by_county)
    national_hidden = len(responses) < MIN_GROUP
    out_questions = []
    for template_q in template:
        per_county_values: dict[int, list] = {}
        respondents: dict[int, set] = {}
        for question_id in copies.get(template_q.code, []):
            for row in by_question.get(question_id, []):
                county_id = county_of_response[row.response_id]
                per_county_values.setdefault(county_id, []).append(row.choice)
                respondents.setdefault(county_id, set()).add(row.response_id)
        rows_out, shares = [], []
        all_values: list = []
        for county_id in sorted(response_count_by_county, key=lambda c: counties[c].number):
            values = per_county_values.get(county_id, [])
            all_values.extend(values)
            county = counties[county_id]
            n_responses = response_count_by_county[county_id]
            row = {"county_number": county.number, "county_name": county.name,
                   "responses": n_responses, "answered": len(respondents.get(county_id, ())),
                   "suppressed": county_id in hidden}
            if template_q.kind == "agreement":
                figures = agreement_figures(values)
                row["agree_share"] = None if row["suppressed"] else figures["agree_share"]
                row["considered"] = None if row["suppressed"] else figures["considered"]
                if not row["suppressed"] and figures["agree_share"] is not None:
                    shares.append(figures["agree_share"])
            elif template_q.kind == "single":
                counts = {v: values.count(v) for v in template_q.values}
                row["counts"] = None if row["suppressed"] else counts
            if row["suppressed"]:
                row["answered"] = None
            rows_out.append(row)
        entry = {"code": template_q.code, "kind": template_q.kind, "text": template_q.text,
                 "text_en": template_q.text_en, "counties": rows_out,
                 "suppressed": national_hidden,
                 "answered": None if national_hidden else sum(len(s) for s in respondents.values())}
        if template_q.kind == "agreement":
            national = agreement_figures(all_values)
            entry["agree_share"] = None if national_hidden else national["agree_share"]
            entry["considered"] = None if national_hidden else national["considered"]
            entry["range"] = {"min": min(shares), "max": max(shares)} if shares else None
        elif template_q.kind == "single":
            entry["counts"] = None if national_hidden else {
                v: all_values.count(v) for v in template_q.values}
        out_questions.append(entry)
    return {"year": year, "responses": len(responses), "surveys": len(surveys),
            "min_group": MIN_GROUP, "questions": out_questions}
