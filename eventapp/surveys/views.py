"""Survey pages: the host's survey page and QR page, the directorate's national template, and
the participants' form at /s/<token>.

Who sees what (``core.policy``: ``survey.view``, ``survey.manage``, ``survey.template``): the
host of the county runs the survey; the directorate and the county's career counsellors read
the survey page (no forms); other counties get 404 through the scoping helper, municipal
contacts 403. The participant form needs no login: the token in the link is the key.
"""

import secrets
from datetime import datetime, time, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import confirm, policy
from eventapp.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from eventapp.core.time import OSLO
from eventapp.core.web import act, attempt
from eventapp.extensions import db, limiter
from eventapp.gatherings.models import Gathering
from eventapp.surveys import bp, services
from eventapp.surveys.forms import (
    OpenForm,
    QuestionForm,
    TemplateEditForm,
    kind_label,
    option_lines,
    option_text,
)
from eventapp.surveys.models import GROUPS, MULTI_KINDS, SurveyQuestion

# The random key a browser answers the QR code with, so a second submission edits the first.
DEVICE_COOKIE = "survey_device"

# The QR code is shown to a whole room, often behind one venue network address: generous enough
# for a closing session answering at once, tight enough that one script cannot flood the results.
SURVEY_LIMIT = "60 per minute;600 per hour"


def _gathering(gathering_id: int) -> Gathering:
    """The route's gathering: 404 outside the user's scope, 403 unless the route's action
    allows."""
    return policy.load(Gathering, gathering_id)


def _survey(gathering: Gathering):
    survey = services.find_survey(gathering)
    if survey is None:
        abort(404)
    return survey


def _labels() -> dict:
    return {"kind_label": kind_label,
            "survey_status": {"draft": _("Not opened"), "open": _("Open"),
                              "closed": _("Closed")}}


# --- the host's survey page ---------------------------------------------------------------------

def _survey_page(gathering: Gathering, *, open_form=None, question_form=None, status: int = 200):
    survey = services.find_survey(gathering)
    host = policy.can(current_user, "survey.manage", gathering)
    figures = services.collection_figures(survey) if survey is not None else None
    if survey is not None and host:
        if open_form is None:
            open_form = OpenForm(formdata=None, closes_on=services.default_closes_on(survey))
        if question_form is None and not figures["has_responses"]:
            question_form = QuestionForm(formdata=None)
    return render_template(
        "surveys/survey.html", gathering=gathering, survey=survey, figures=figures,
        open_form=open_form if host else None,
        question_form=question_form if host and figures and not figures["has_responses"]
        else None,
        action=FlaskForm(), today=services.today(),
        opens_from=services.opens_from(gathering), invites_from=services.invites_from(gathering),
        report_locked=survey is not None and gathering.report_locked,
        **_labels()), status


def _to_page(gathering: Gathering, anchor: str = ""):
    return redirect(url_for("surveys.survey", gathering_id=gathering.id) + anchor)


@bp.get("/gatherings/<int:gathering_id>/survey")
@policy.requires("survey.view")
def survey(gathering_id: int):
    return _survey_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/survey")
@policy.requires("survey.manage")
def create(gathering_id: int):
    gathering = _gathering(gathering_id)
    act(lambda: services.survey_for(gathering, current_user),
        lambda _s: _("The survey is set up with the national questions. Add your own, then "
                     "open it."),
        _("Nothing was changed: the form had expired. Try again."))
    return _to_page(gathering)


@bp.post("/gatherings/<int:gathering_id>/survey/open")
@policy.requires("survey.manage")
def open_(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    form = OpenForm()
    opened, status = attempt(form, lambda: services.open_survey(
        survey, current_user, closes_on=form.closes_on.data))
    if opened is None:
        return _survey_page(gathering, open_form=form, status=status)
    flash(_("The survey is open until %(day)s.", day=format_date(opened.closes_on, "long")),
          "success")
    return _to_page(gathering)


@bp.post("/gatherings/<int:gathering_id>/survey/close")
@policy.requires("survey.manage")
def close(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    act(lambda: services.close_survey(survey, current_user),
        lambda _s: _("The survey is closed: no more answers are taken."),
        _("Nothing was changed: the form had expired. Try again."))
    return _to_page(gathering)


@bp.post("/gatherings/<int:gathering_id>/survey/questions")
@policy.requires("survey.manage")
def add_question(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    form = QuestionForm()
    added, status = attempt(form, lambda: services.add_question(
        survey, current_user, kind=form.kind.data, text=form.text.data,
        text_en=form.text_en.data, options=option_lines(form.options.data),
        required=form.required.data))
    if added is None:
        return _survey_page(gathering, question_form=form, status=status)
    flash(_("Your question is added."), "success")
    return _to_page(gathering, f"#question-{added.id}")


@bp.post("/gatherings/<int:gathering_id>/survey/questions/<int:question_id>/delete")
@policy.requires("survey.manage")
def remove_question(gathering_id: int, question_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    act(lambda: services.remove_question(question, current_user),
        lambda _r: _("The question is removed."),
        _("Nothing was removed: the form had expired. Try again."))
    return _to_page(gathering, "#questions-h")


@bp.post("/gatherings/<int:gathering_id>/survey/refresh")
@policy.requires("survey.manage")
def refresh(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    act(lambda: services.refresh_programme(survey, current_user),
        lambda _r: _("The programme items are taken from the programme as it is now."),
        _("Nothing was changed: the form had expired. Try again."))
    return _to_page(gathering, "#questions-h")


@bp.post("/gatherings/<int:gathering_id>/survey/invite")
@policy.requires("survey.manage")
def invite(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    act(lambda: services.send_invitations(survey, current_user),
        lambda n: ngettext("%(num)d invitation is on its way.",
                           "%(num)d invitations are on their way.", n) if n
        else _("Everyone is already invited."),
        _("Nothing was sent: the form had expired. Try again."))
    return _to_page(gathering, "#collect-h")


@bp.post("/gatherings/<int:gathering_id>/survey/remind")
@policy.requires("survey.manage")
def remind(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    act(lambda: services.send_reminders(survey, current_user),
        lambda n: ngettext("%(num)d reminder is on its way.",
                           "%(num)d reminders are on their way.", n) if n
        else _("Everyone invited has answered."),
        _("Nothing was sent: the form had expired. Try again."))
    return _to_page(gathering, "#collect-h")


# --- the QR code for the closing session --------------------------------------------------------

@bp.get("/gatherings/<int:gathering_id>/survey/qr")
@policy.requires("survey.view")
def qr(gathering_id: int):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    return render_template("surveys/qr.html", gathering=gathering, survey=survey,
                           url=services.qr_url(survey), qr_svg=services.qr_svg_inline(survey))


@bp.get("/gatherings/<int:gathering_id>/survey/qr.<any(svg, png):kind>")
@policy.requires("survey.view")
def qr_image(gathering_id: int, kind: str):
    gathering = _gathering(gathering_id)
    survey = _survey(gathering)
    response = Response(services.qr_image(survey, kind),
                        mimetype="image/png" if kind == "png" else "image/svg+xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="survey-qr-{gathering.id}.{kind}"')
    return response


# --- the directorate's national template --------------------------------------------------------

def _year() -> int:
    try:
        year = services.parse_year(request.values.get("year"))
    except ValidationFailed:
        abort(404)
    return year or services.today().year


def _change_label(change: str) -> str:
    return {"added": _("Added"), "removed": _("Removed"), "reworded": _("Reworded"),
            "options_added": _("Options added"), "options_removed": _("Options removed"),
            "options_reworded": _("Options reworded")}.get(change, change)


def _template_page(year: int, *, form=None, status: int = 200):
    questions = services.national_template(year)
    db.session.commit()  # HK-dir's questions, stored the first time the year is looked at
    previous = year - 1 if year > services.FIRST_YEAR else None
    changes = services.template_changes(previous, year) if previous is not None else []
    return render_template("surveys/template.html", year=year, questions=questions,
                           form=form or QuestionForm(formdata=None), action=FlaskForm(),
                           previous=previous, changes=changes, change_label=_change_label,
                           **_labels()), status


@bp.get("/surveys/template")
@policy.requires("survey.template")
def template():
    return _template_page(_year())


@bp.post("/surveys/template")
@policy.requires("survey.template")
def add_template_question():
    year = _year()
    form = QuestionForm()
    added, status = attempt(form, lambda: services.add_national_question(
        year, current_user, kind=form.kind.data, text=form.text.data, text_en=form.text_en.data,
        options=option_lines(form.options.data), required=form.required.data))
    if added is None:
        return _template_page(year, form=form, status=status)
    flash(_("The question is added to the national template for %(year)d.", year=year),
          "success")
    return redirect(url_for("surveys.template", year=year) + f"#question-{added.id}")


def _template_question(question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.year is None:
        abort(404)
    return question


@bp.route("/surveys/template/<int:question_id>", methods=["GET", "POST"])
@policy.requires("survey.template")
def edit_template_question(question_id: int):
    question = _template_question(question_id)
    form = TemplateEditForm(obj=question)
    if request.method == "GET":
        form.options.data = option_text(question.option_list)
    status = 200
    if form.is_submitted():
        saved, status = attempt(form, lambda: services.update_national_question(
            question, current_user, text=form.text.data, text_en=form.text_en.data,
            options=option_lines(form.options.data), required=form.required.data))
        if saved is not None:
            flash(_("The question is saved."), "success")
            return redirect(url_for("surveys.template", year=saved.year)
                            + f"#question-{saved.id}")
    return render_template("surveys/template_question.html", question=question, form=form,
                           **_labels()), status


@bp.route("/surveys/template/<int:question_id>/delete", methods=["GET", "POST"])
@policy.requires("survey.template")
def remove_template_question(question_id: int):
    from eventapp.surveys.services.template import surveys_keeping

    question = _template_question(question_id)
    year = question.year
    if not confirm.given():
        kept = surveys_keeping(question)
        lines = [_("«%(text)s» is removed from the national template for %(year)d: surveys set "
                   "up from now on do not ask it, and the national comparison has no figures "
                   "for it from them.", text=question.text, year=year),
                 ngettext("%(num)d survey already set up keeps its copy and its answers.",
                          "%(num)d surveys already set up keep their copies and answers.", kept)
                 if kept else _("No survey has been set up with it yet."),
                 _("This cannot be undone: to ask it again, add it as a new question; its "
                   "answers will not be compared with the old ones.")]
        return confirm.ask(confirm.Question(
            title=_("Remove the question from the national template?"), consequences=lines,
            action=url_for("surveys.remove_template_question", question_id=question.id),
            yes=_("Yes, remove the question"),
            back=url_for("surveys.template", year=year) + f"#question-{question.id}"))
    act(lambda: services.remove_national_question(question, current_user),
        lambda _r: _("The question is removed from the national template for %(year)d.",
                     year=year),
        _("Nothing was removed: the form had expired. Try again."))
    return redirect(url_for("surveys.template", year=year))


# --- the participants' form ---------------------------------------------------------------------

def _posted(survey) -> dict:
    """The answers as the form sent them, keyed by question id as ``submit`` takes them."""
    answers: dict = {}
    for question in survey.questions:
        name = f"q{question.id}"
        if question.kind in MULTI_KINDS:
            answers[str(question.id)] = request.form.getlist(name)
        else:
            answers[str(question.id)] = request.form.get(name)
    return answers


def _unavailable(survey, reason: str, status: int):
    return render_template("surveys/unavailable.html", survey=survey,
                           gathering=survey.gathering if survey else None, reason=reason), status


def _device() -> str | None:
    """The browser's key for the QR code (see services.submit), if it has answered before."""
    value = request.cookies.get(DEVICE_COOKIE)
    return value if services.token_like(value) else None


def _keep_device(response, survey, token: str, device: str):
    """Remember the browser's key on the form's own path until the survey has closed; the
    cookie is all that ties a phone to its answer, and it never reaches the database."""
    closes = survey.closes_on or services.today()
    expires = datetime.combine(closes + timedelta(days=1), time(), OSLO)
    response.set_cookie(DEVICE_COOKIE, device, expires=expires,
                        path=url_for("surveys.answer", token=token), httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


@bp.route("/s/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(SURVEY_LIMIT, methods=["POST"])
def answer(token: str):
    try:
        access = services.access_for(token)
    except NotFound:
        return _unavailable(None, "invalid", 404)
    survey, personal = access.survey, access.invitation is not None
    day = services.today()
    if not survey.accepts_answers_on(day):
        waiting = survey.status == "draft" or (survey.opens_on is not None
                                                and day < survey.opens_on)
        return _unavailable(survey, "not_open" if waiting else "closed",
                            409 if request.method == "POST" else 200)
    device = None if personal else _device()
    form = FlaskForm()
    errors: dict = {}
    status, expired, group = 200, False, None
    if form.is_submitted():
        values = _posted(survey)
        group = None if personal else (request.form.get("group") or None)
        if not form.validate_on_submit():
            status, expired = 400, True
        else:
            if not personal and device is None:
                device = secrets.token_urlsafe(24)
            try:
                _response, created = services.submit(token, values, group, on=day,
                                                     device=device)
            except ValidationFailed as exc:
                db.session.rollback()
                errors, status = exc.fields, 422
            except Conflict:
                db.session.rollback()
                return _unavailable(survey, "closed", 409)
            else:
                db.session.commit()
                done = redirect(url_for("surveys.thanks", token=token,
                                        edited=None if created else 1))
                return done if personal else _keep_device(done, survey, token, device)
        answered = bool(services.saved_answers(token, _device()))
    else:
        values = services.saved_answers(token, device)
        group = values.get("group")
        answered = bool(values)
    return render_template("surveys/answer.html", survey=survey, gathering=survey.gathering,
                           form=form, values=values, errors=errors, expired=expired, personal=personal,
                           answered=answered, group=group, groups=GROUPS,
                           text_limit=services.text_limit,
                           agreement=services.AGREEMENT_OPTIONS), status


@bp.get("/s/<token>/thanks")
@policy.public
def thanks(token: str):
    try:
        access = services.access_for(token)
    except DomainError:
        return _unavailable(None, "invalid", 404)
    return render_template("surveys/thanks.html", survey=access.survey,
                           gathering=access.survey.gathering,
                           personal=access.invitation is not None,
                           edited=bool(request.args.get("edited")))
