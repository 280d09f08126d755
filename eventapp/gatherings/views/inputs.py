"""Municipal input: the form behind the input link, a municipal contact's own form, and the
committee's review."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO
from eventapp.core.web import errors_to_form
from eventapp.extensions import db, limiter
from eventapp.gatherings import bp, services
from eventapp.gatherings.models import INPUT_LINK, Gathering
from eventapp.gatherings.views.committee import place_label


def _input_limit() -> str:
    from flask import current_app

    return current_app.config.get("INPUT_RATE_LIMIT", "20 per hour")


def _by_input_token(token: str) -> Gathering:
    gathering = INPUT_LINK.find(Gathering, token)
    if gathering is None:
        abort(404)
    return gathering


def _own_municipality(gathering: Gathering):
    """A logged-in municipal contact of the gathering's county answers for their municipality."""
    if policy.can(current_user, "input.give", gathering):
        return current_user.municipality
    return None


def _input_page(gathering: Gathering, public: bool):
    from eventapp.gatherings.forms import MunicipalInputForm, input_status_label
    from eventapp.places.models import Municipality

    fixed = _own_municipality(gathering)
    form = MunicipalInputForm()
    if fixed is not None:
        del form.municipality
    else:
        form.municipality.choices = [("", _("Choose your municipality"))] + [
            (str(m.id), place_label(m)) for m in services.input_places(gathering)
        ]
    if not form.is_submitted() and current_user.is_authenticated:
        form.name.data = current_user.name
        form.email.data = current_user.email
    status = 200
    if form.validate_on_submit():
        municipality = fixed or db.session.get(Municipality, int(form.municipality.data))
        try:
            services.submit_input(
                gathering, municipality=municipality, name=form.name.data or "",
                email=form.email.data or "", topics=form.topics.data or "",
                questions=form.questions.data or "", experience=form.experience.data or "",
                small=form.small_value,
                submitted_by=current_user if current_user.is_authenticated else None,
            )
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            return redirect(url_for("gatherings.input_thanks", token=gathering.input_token))
    elif form.is_submitted():
        status = 422
    earlier = services.municipality_inputs(gathering, fixed.id) if fixed is not None else []
    return render_template(
        "gatherings/input_form.html", gathering=gathering, form=form, fixed=fixed, public=public,
        earlier=earlier, input_status_label=input_status_label,
    ), status


@bp.route("/input/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(_input_limit, methods=["POST"])
def input_form(token: str):
    """The input form behind the gathering's input link: no login needed, so asking is cheap."""
    return _input_page(_by_input_token(token), public=True)


@bp.route("/<int:gathering_id>/input", methods=["GET", "POST"])
@policy.requires("input.give")
def my_input(gathering_id: int):
    """The same form for a logged-in municipal contact, with their municipality filled in."""
    gathering = policy.load(Gathering, gathering_id)
    return _input_page(gathering, public=False)


@bp.get("/input/<token>/thanks")
@policy.public
def input_thanks(token: str):
    gathering = _by_input_token(token)
    return render_template("gatherings/input_thanks.html", gathering=gathering,
                           own=_own_municipality(gathering))


def _review_form(gathering: Gathering, given, submitted: bool = False):
    from eventapp.gatherings.forms import InputReviewForm, input_status_label

    data = {"status": given.status, "note": given.committee_note or "",
            "items": [i.id for i in given.items]}
    kwargs = {} if submitted else {"formdata": None}
    form = InputReviewForm(prefix=f"input{given.id}", data=data, **kwargs)
    form.status.choices = [(s, input_status_label(s)) for s in ("new", "adopted", "declined")]
    # Breaks and meals take up no one's input; they are offered only if already linked.
    linked = {i.id for i in given.items}
    form.items.choices = [
        (i.id, f"{_('Day %(n)d', n=gathering.day_of(i.starts_at) or 0)} "
               f"{i.starts_at.astimezone(OSLO):%H:%M} {i.title}")
        for i in gathering.active_items if i.kind not in ("break", "meal") or i.id in linked
    ]
    return form


def _ask_text(gathering: Gathering, link: str) -> tuple[str, str]:
    """A subject and a short mail the host can send to the municipalities."""
    from flask_babel import format_date

    if gathering.days > 1:
        dates = f"{format_date(gathering.start_date, 'd.')}–{format_date(gathering.end_date, 'long')}"
    else:
        dates = format_date(gathering.start_date, "long")
    subject = _("What should %(title)s be about?", title=gathering.title)
    body = _(
        "Hello,\n\nWe are planning %(title)s (%(dates)s, %(venue)s) for the county's career "
        "centre and the municipalities' refugee services. What should be on the programme?\n\n"
        "It takes two minutes: tell us the topics you want covered, the questions you want "
        "answered, and experience from your municipality you could share as a speaker. "
        "Small municipalities are especially welcome.\n\n%(link)s\n\nKind regards",
        title=gathering.title, dates=dates, venue=gathering.place, link=link,
    )
    return subject, body


def _inputs_page(gathering: Gathering, failed=None, status: int = 200):
    from urllib.parse import quote

    from eventapp.accounts.models import User
    from eventapp.core.web import external_url
    from eventapp.gatherings.forms import input_status_label

    inputs = services.gathering_inputs(gathering)
    forms = {i.id: _review_form(gathering, i) for i in inputs}
    if failed is not None:
        forms[failed[0]] = failed[1]
    # The purge closes the link: then there is nothing to ask with.
    link = subject = body = None
    if gathering.input_token is not None:
        link = external_url("gatherings.input_form", token=gathering.input_token)
        subject, body = _ask_text(gathering, link)
    is_host = policy.can(current_user, "gathering.manage", gathering)
    mailto = None
    if is_host and link is not None:
        # The county's municipal contacts as blind copies, so the host only has to press send.
        contacts = db.session.scalars(
            select(User.email).where(User.county_id == gathering.county_id,
                                     User.role == Role.MUNICIPAL_CONTACT, User.active.is_(True))
            .order_by(User.email)
        ).all()
        mailto = ("mailto:?" + (f"bcc={quote(','.join(contacts), safe='@,')}&" if contacts else "")
                  + f"subject={quote(subject)}&body={quote(body)}")
    answered, asked = services.input_coverage(gathering)
    answered_ids = {i.municipality_id for i in inputs}
    silent = [m for m in services.answering_units(gathering) if m.id not in answered_ids]
    counts = {s: sum(1 for i in inputs if i.status == s) for s in ("new", "adopted", "declined")}
    return render_template(
        "gatherings/inputs.html", gathering=gathering, inputs=inputs, forms=forms, link=link,
        ask_subject=subject, ask_body=body, mailto=mailto, answered=answered, asked=asked,
        silent=silent, counts=counts, input_status_label=input_status_label, is_host=is_host,
    ), status


@bp.get("/<int:gathering_id>/inputs")
@policy.requires("input.review")
def inputs(gathering_id: int):
    """The committee reads what the municipalities asked for."""
    return _inputs_page(policy.load(Gathering, gathering_id))


@bp.post("/<int:gathering_id>/inputs/<int:input_id>")
@policy.requires("input.review")
def review_input(gathering_id: int, input_id: int):
    from eventapp.gatherings.models import MunicipalInput

    gathering = policy.load(Gathering, gathering_id)
    given = db.session.get(MunicipalInput, input_id)
    if given is None or given.gathering_id != gathering.id:
        abort(404)
    form = _review_form(gathering, given, submitted=True)
    if form.validate_on_submit():
        items = [i for i in gathering.active_items if i.id in set(form.items.data or ())]
        try:
            services.review_input(given, current_user, form.status.data, form.note.data, items)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
        else:
            db.session.commit()
            flash(_("The input from %(place)s is saved.",
                    place=given.municipality.name if given.municipality else _("a municipality")),
                  "success")
            return redirect(url_for("gatherings.inputs", gathering_id=gathering.id)
                            + f"#input-{given.id}")
    return _inputs_page(gathering, failed=(given.id, form), status=422)
