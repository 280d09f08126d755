"""Answering: the personal link or the gathering's QR code opens the survey, and the answers
are checked and stored apart from who gave them.

Anonymity: ``collecting.invite`` hands back tokens it does not store. The invitation keeps
sha256(token) to find itself from the link; the response keeps HMAC-SHA256(SECRET_KEY, token)
so the same link can edit it. With the database alone the two cannot be joined.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.places.services import facts as places
from eventapp.registration.models import Registration
from eventapp.surveys.models import (
    AGREEMENT,
    GROUPS,
    MAX_TEXT,
    MULTI_KINDS,
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    survey_answer_themes,
)
from eventapp.surveys.services import dates

# The smallest number of new responses a release shows (see ``release``): the same five as
# results.MIN_GROUP, below which no group's figures are shown.
RELEASE_STEP = 5

# A short text is a word or a line; the long texts take MAX_TEXT.
MAX_SHORT_TEXT = 300


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def edit_key(token: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def size_class_for(registration: Registration | None, survey: Survey) -> str | None:
    """The size class of the respondent's municipality in the gathering's year: as coarse as
    the group (one of three classes, each shared by many municipalities), and only for those
    who came for a municipality or a city district. None when the year has no figures."""
    if registration is None or group_of(registration) != "municipal":
        return None
    return places.size_class_of(registration.municipality_id,
                                survey.gathering.start_date.year)


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
    # A year's scale is the question's own (2023-2025 had no "Vet ikke"); a question stored
    # before scales were per year may carry none, and then the full scale applies.
    allowed = (question.values or AGREEMENT) if question.kind == "agreement" else question.values
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
    day = on or dates.today()
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
    if not stored and not fields:
        # A blank form would count as a response in the figures and say nothing.
        fields["answers"] = _("Answer at least one question.")
    if fields:
        raise ValidationFailed(_("Some answers need another look."), fields=fields)

    created = True
    # One submission at a time per survey, so that each release counts what it shows (two
    # submitting at once would each release a part of the pending ones).
    db.session.scalars(select(Survey.id).where(Survey.id == survey.id).with_for_update()).one()
    key = _response_key(access, token, device)
    response = None if key is None else db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.edit_key == key,
                                     SurveyResponse.survey_id == survey.id)).first()
    if response is not None and response.state == "pending":
        created = False
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        db.session.expire(response, ["answers"])
        if access.invitation is None:
            response.participant_group = group
    elif response is not None:
        # Shown in the figures: changing it there at once would show one person's change
        # alone. The new answers wait as a pending response, and the shown one stays until
        # they are released together with others.
        created = False
        kept_group = response.participant_group if access.invitation is not None else group
        kept_class = response.size_class if access.invitation is not None else None
        response.state, response.edit_key = "replaced", None
        db.session.flush()
        response = SurveyResponse(survey_id=survey.id, edit_key=key, submitted_on=day,
                                  participant_group=kept_group, size_class=kept_class)
        db.session.add(response)
    elif access.invitation is not None:
        registration = access.invitation.registration
        response = SurveyResponse(survey_id=survey.id, edit_key=key, submitted_on=day,
                                  participant_group=group_of(registration),
                                  size_class=size_class_for(registration, survey))
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
    release(survey)
    return response, created


def release(survey: Survey) -> bool:
    """Show the pending responses once at least ``RELEASE_STEP`` new ones wait; True if it did.

    The host may look at the figures at any moment, also right after each single answer, and
    between reminders. Were every answer counted at once, two looks would show what one person
    answered. So every figure, the response count included, moves only in steps that hold at
    least five new responses: the figures are those of the last release. An edit of a shown
    response waits with the new ones and replaces the old answers at the release, so it is
    mixed with five others too. Up to four of the latest responses wait for others; a survey
    that closes with some waiting never shows them (they would be few enough to pick out)."""
    counts = dict(db.session.execute(
        select(SurveyResponse.state, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == survey.id).group_by(SurveyResponse.state)).all())
    if counts.get("pending", 0) - counts.get("replaced", 0) < RELEASE_STEP:
        return False
    replaced = (select(SurveyResponse.id)
                .where(SurveyResponse.survey_id == survey.id, SurveyResponse.state == "replaced")
                .scalar_subquery())
    answers = select(SurveyAnswer.id).where(SurveyAnswer.response_id.in_(replaced))
    db.session.execute(delete(survey_answer_themes)
                       .where(survey_answer_themes.c.answer_id.in_(answers)))
    db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(replaced))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                    SurveyResponse.state == "replaced")
                       .execution_options(synchronize_session=False))
    db.session.execute(update(SurveyResponse)
                       .where(SurveyResponse.survey_id == survey.id,
                              SurveyResponse.state == "pending")
                       .values(state="shown").execution_options(synchronize_session=False))
    survey.shown_personal = db.session.scalar(
        select(func.count(SurveyInvitation.id)).where(
            SurveyInvitation.survey_id == survey.id, SurveyInvitation.answered.is_(True))) or 0
    db.session.flush()
    db.session.expire_all()
    return True
