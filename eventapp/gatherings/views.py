"""Gathering pages: create and edit, status, the public page, the programme editor."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from eventapp.core.access import Role, get_scoped_or_404, may_manage_county, roles_required, scope
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.forms import (
    GatheringForm,
    ItemForm,
    StatusForm,
    item_kind_label,
    organisation_kind_label,
)
from eventapp.gatherings.models import Gathering, ProgrammeItem, status_label

GATHERING_FIELDS = ("title", "start_date", "end_date", "venue", "address", "description",
                    "registration_opens", "registration_closes", "capacity", "municipal_cap",
                    "pool_cap")


@bp.get("/")
@login_required
def index():
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user).order_by(Gathering.start_date.desc())
    ).all()
    return render_template("gatherings/index.html", gatherings=gatherings)


def _form_values(form: GatheringForm) -> dict:
    values = {name: getattr(form, name).data for name in GATHERING_FIELDS}
    for name in ("address", "description"):
        values[name] = (values[name] or "").strip() or None
    return values


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.COUNTY_HOST)
def new():
    form = GatheringForm()
    status = 200
    if form.validate_on_submit():
        values = _form_values(form)
        try:
            gathering = services.create_gathering(
                county=current_user.county, actor=current_user, **values
            )
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("The gathering is created as a draft. Plan the programme next."), "success")
            return redirect(url_for("gatherings.show", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422
    return render_template("gatherings/form.html", form=form, gathering=None), status


@bp.get("/<int:gathering_id>")
@login_required
def show(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    return render_template("gatherings/show.html", **_hub(gathering))


def _hub(gathering: Gathering) -> dict:
    """What the gathering's page shows: its facts, what the viewer may do, and warnings."""
    status_form = None
    if may_manage_county(current_user, gathering.county_id):
        from eventapp.gatherings.models import TRANSITIONS

        status_form = StatusForm()
        status_form.status.choices = [(s, status_label(s)) for s in TRANSITIONS[gathering.status]]
    context = {
        "gathering": gathering,
        "status_form": status_form,
        "is_host": may_manage_county(current_user, gathering.county_id),
        "may_edit": services.may_edit_programme(current_user, gathering),
    }
    context["clashes"] = services.clashes(gathering)
    context["gathering_clashes"] = services.gathering_clashes(gathering, viewer=current_user)
    return context


@bp.route("/<int:gathering_id>/edit", methods=["GET", "POST"])
@login_required
def edit(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not may_manage_county(current_user, gathering.county_id):
        abort(403)
    form = GatheringForm(obj=gathering)
    status = 200
    if form.validate_on_submit():
        values = _form_values(form)
        changes = {k: v for k, v in values.items() if getattr(gathering, k) != v}
        try:
            services.update_gathering(gathering, current_user, **changes)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("The gathering is saved."), "success")
            return redirect(url_for("gatherings.show", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422
    return render_template("gatherings/form.html", form=form, gathering=gathering), status


@bp.post("/<int:gathering_id>/status")
@login_required
def set_status(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    form = StatusForm()
    form.status.choices = [(s, s) for s in ("draft", "open", "closed", "held", "reported")]
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(gathering, current_user, form.status.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The status is now “%(status)s”.", status=status_label(gathering.status)),
              "success")
    return redirect(url_for("gatherings.show", gathering_id=gathering.id))


@bp.app_template_global("may_manage")
def may_manage_global(gathering: Gathering) -> bool:
    """The county host of the gathering's county."""
    return may_manage_county(current_user, gathering.county_id)


@bp.app_template_global("may_edit_programme")
def may_edit_programme_global(gathering: Gathering) -> bool:
    return services.may_edit_programme(current_user, gathering)


# --- the public page -------------------------------------------------------------------------

def _published_or_404(gathering_id: int) -> Gathering:
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return gathering


@bp.get("/<int:gathering_id>/public")
def public(gathering_id: int):
    """Anyone may read a published gathering's page and programme, without logging in."""
    gathering = _published_or_404(gathering_id)
    return render_template("gatherings/public.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label)


@bp.get("/<int:gathering_id>/programme/print")
def printable(gathering_id: int):
    """The programme to print: public once published, else for those who may see it."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None:
        abort(404)
    if not gathering.published:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        gathering = get_scoped_or_404(Gathering, gathering_id)
    return render_template("gatherings/print.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label)


# --- the programme editor --------------------------------------------------------------------

def _editable(gathering_id: int) -> Gathering:
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not services.may_edit_programme(current_user, gathering):
        abort(403)
    return gathering


def _item_form(gathering: Gathering, item: ProgrammeItem | None = None) -> ItemForm:
    if item is not None and request.method != "POST":
        form = ItemForm(obj=None, data=_item_data(gathering, item))
    else:
        form = ItemForm()
    form.day.choices = [
        (day, _("Day %(n)d (%(date)s)", n=day, date=gathering.date_of_day(day).strftime("%d.%m.%Y")))
        for day in range(1, gathering.days + 1)
    ]
    form.kind.choices = [(k, item_kind_label(k)) for k, _label in form.kind.choices]
    for entry in form.speakers:
        entry.form.organisation_kind.choices = [
            (k, organisation_kind_label(k)) for k, _label in entry.form.organisation_kind.choices
        ]
    return form


def _item_data(gathering: Gathering, item: ProgrammeItem) -> dict:
    speakers = [{"name": s.name, "organisation": s.organisation,
                 "organisation_kind": s.organisation_kind} for s in item.speakers]
    speakers += [{"name": "", "organisation": "", "organisation_kind": "other"}] * max(
        0, 3 - len(speakers))
    return {
        "day": gathering.day_of(item.starts_at), "start": item.starts_at.astimezone(OSLO).time(),
        "end": item.ends_at.astimezone(OSLO).time(), "kind": item.kind, "title": item.title,
        "description": item.description or "", "room": item.room or "",
        "question_minutes": item.question_minutes, "speakers": speakers,
    }


def _data_from(form: ItemForm) -> services.ItemData:
    return services.ItemData(
        day=form.day.data, start=form.start.data, end=form.end.data, kind=form.kind.data,
        title=form.title.data or "", description=form.description.data or "",
        room=form.room.data or "", question_minutes=form.question_minutes.data or 0,
        speakers=[
            services.SpeakerData(name=e.form.name.data.strip(),
                                 organisation=e.form.organisation.data or "",
                                 organisation_kind=e.form.organisation_kind.data)
            for e in form.speakers if (e.form.name.data or "").strip()
        ],
    )


def _editor(gathering: Gathering, form: ItemForm, item: ProgrammeItem | None = None,
            status: int = 200):
    context = {
        "gathering": gathering, "form": form, "editing": item,
        "days": services.programme_by_day(gathering), "kind_label": item_kind_label,
        "org_label": organisation_kind_label, "action": FlaskForm(),
        "may_edit": services.may_edit_programme(current_user, gathering),
    }
    context["checks"] = services.programme_checks(gathering)
    return render_template("gatherings/programme.html", **context), status


@bp.route("/<int:gathering_id>/programme", methods=["GET", "POST"])
@login_required
def programme(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    may_edit = services.may_edit_programme(current_user, gathering)
    if request.method == "POST" and not may_edit:
        abort(403)
    form = _item_form(gathering)
    if form.validate_on_submit():
        try:
            item = services.add_item(gathering, current_user, _data_from(form))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _editor(gathering, form, status=422)
        db.session.commit()
        flash(_("“%(title)s” is added to the programme.", title=item.title), "success")
        return redirect(url_for("gatherings.programme", gathering_id=gathering.id) + f"#item-{item.id}")
    return _editor(gathering, form, status=422 if form.is_submitted() else 200)


def _item_or_404(gathering: Gathering, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.gathering_id != gathering.id or item.cancelled_at is not None:
        abort(404)
    return item


@bp.route("/<int:gathering_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(gathering_id: int, item_id: int):
    gathering = _editable(gathering_id)
    item = _item_or_404(gathering, item_id)
    form = _item_form(gathering, item)
    if form.validate_on_submit():
        try:
            services.update_item(item, current_user, _data_from(form))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _editor(gathering, form, item, status=422)
        db.session.commit()
        flash(_("“%(title)s” is saved.", title=item.title), "success")
        return redirect(url_for("gatherings.programme", gathering_id=gathering.id) + f"#item-{item.id}")
    return _editor(gathering, form, item, status=422 if form.is_submitted() else 200)


@bp.post("/<int:gathering_id>/programme/<int:item_id>/cancel")
@login_required
def cancel_item(gathering_id: int, item_id: int):
    gathering = _editable(gathering_id)
    item = _item_or_404(gathering, item_id)
    if FlaskForm().validate_on_submit():
        services.cancel_item(item, current_user)
        db.session.commit()
        flash(_("“%(title)s” is removed from the programme. Calendars that subscribe will show "
                "it as cancelled.", title=item.title), "success")
    return redirect(url_for("gatherings.programme", gathering_id=gathering.id))


@bp.get("/<int:gathering_id>/programme/changes")
@login_required
def changes(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    return render_template("gatherings/changes.html", gathering=gathering,
                           changes=services.change_log(gathering, limit=500))


# --- committee and municipal input -----------------------------------------------------------

from eventapp.extensions import limiter as _limiter  # noqa: E402


def _place_label(unit) -> str:
    return f"{unit.name} ({unit.number})"


@bp.route("/<int:gathering_id>/committee", methods=["GET", "POST"])
@login_required
def committee(gathering_id: int):
    """The programme committee: anyone who may see the gathering reads it; the host adds."""
    from sqlalchemy.exc import IntegrityError

    from eventapp.gatherings.forms import CommitteeMemberForm
    from eventapp.places.models import Municipality

    gathering = get_scoped_or_404(Gathering, gathering_id)
    is_host = may_manage_county(current_user, gathering.county_id)
    if request.method == "POST" and not is_host:
        abort(403)
    form, status = None, 200
    if is_host:
        form = CommitteeMemberForm()
        form.municipality.choices = [("", _("None: county staff"))] + [
            (str(m.id), _place_label(m)) for m in services.input_places(gathering)
        ]
        if form.validate_on_submit():
            chosen = form.municipality.data
            municipality = db.session.get(Municipality, int(chosen)) if chosen else None
            try:
                member = services.add_committee_member(
                    gathering, current_user, email=form.email.data, name=form.name.data or "",
                    municipality=municipality,
                )
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = 422
            except IntegrityError:
                # Two hosts added the same person at once; the database kept one.
                db.session.rollback()
                form.email.errors = [*form.email.errors, _("This person is already on the committee.")]
                status = 422
            else:
                if member.user.active:
                    flash(_("%(name)s is on the committee.", name=member.user.name), "success")
                else:
                    flash(_("%(name)s is on the committee and gets an email to activate the account.",
                            name=member.user.name), "success")
                return redirect(url_for("gatherings.committee", gathering_id=gathering.id))
        elif form.is_submitted():
            status = 422
    members = list(gathering.committee)
    municipal = [m for m in members if m.is_municipal]
    return render_template(
        "gatherings/committee.html", gathering=gathering, members=members, municipal=municipal,
        form=form, is_host=is_host, action=FlaskForm(),
    ), status


@bp.post("/<int:gathering_id>/committee/<int:member_id>/remove")
@login_required
def remove_member(gathering_id: int, member_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not may_manage_county(current_user, gathering.county_id):
        abort(403)
    member = next((m for m in gathering.committee if m.id == member_id), None)
    if member is None:
        abort(404)
    if FlaskForm().validate_on_submit():
        name = member.user.name
        services.remove_committee_member(gathering, current_user, member_id)
        db.session.commit()
        flash(_("%(name)s is no longer on the committee.", name=name), "success")
    return redirect(url_for("gatherings.committee", gathering_id=gathering.id))


def _input_limit() -> str:
    from flask import current_app

    return current_app.config.get("INPUT_RATE_LIMIT", "20 per hour")


def _by_input_token(token: str) -> Gathering:
    gathering = db.session.scalars(select(Gathering).where(Gathering.input_token == token)).first()
    if gathering is None:
        abort(404)
    return gathering


def _own_municipality(gathering: Gathering):
    """A logged-in municipal contact of the gathering's county answers for their municipality."""
    if (current_user.is_authenticated and current_user.role == Role.MUNICIPAL_CONTACT
            and current_user.municipality is not None
            and current_user.municipality.county_id == gathering.county_id):
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
            (str(m.id), _place_label(m)) for m in services.input_places(gathering)
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
@_limiter.limit(_input_limit, methods=["POST"])
def input_form(token: str):
    """The input form behind the gathering's input link: no login needed, so asking is cheap."""
    return _input_page(_by_input_token(token), public=True)


@bp.route("/<int:gathering_id>/input", methods=["GET", "POST"])
@login_required
def my_input(gathering_id: int):
    """The same form for a logged-in municipal contact, with their municipality filled in."""
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if _own_municipality(gathering) is None:
        abort(403)
    return _input_page(gathering, public=False)


@bp.get("/input/<token>/thanks")
def input_thanks(token: str):
    gathering = _by_input_token(token)
    return render_template("gatherings/input_thanks.html", gathering=gathering,
                           own=_own_municipality(gathering))


def _reviewable(gathering_id: int) -> Gathering:
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not services.may_edit_programme(current_user, gathering):
        abort(403)
    return gathering


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
        title=gathering.title, dates=dates, venue=gathering.venue, link=link,
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
    link = external_url("gatherings.input_form", token=gathering.input_token)
    subject, body = _ask_text(gathering, link)
    is_host = may_manage_county(current_user, gathering.county_id)
    mailto = None
    if is_host:
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
@login_required
def inputs(gathering_id: int):
    """The committee reads what the municipalities asked for."""
    return _inputs_page(_reviewable(gathering_id))


@bp.post("/<int:gathering_id>/inputs/<int:input_id>")
@login_required
def review_input(gathering_id: int, input_id: int):
    from eventapp.gatherings.models import MunicipalInput

    gathering = _reviewable(gathering_id)
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


# --- programme checks ------------------------------------------------------------------------
# The live checklist (eventapp/gatherings/checks.py): every page load runs the checks on the
# programme as it is now. Links to where a check is fixed go only to those who may fix it.

_CHECK_FIX_PAGES = {
    "programme": ("gatherings.programme", "#item-form"),
    "committee": ("gatherings.committee", ""),
    "inputs": ("gatherings.inputs", ""),
}


def check_fix_url(gathering: Gathering, fix: str | None, external: bool = False) -> str | None:
    """Where a check's ``fix`` key points: the programme editor, the committee, the municipal
    input, or one item's edit form. Falls back to the gathering's page if that page is missing."""
    from flask import current_app
    from werkzeug.routing import BuildError

    from eventapp.core.web import external_url

    if not fix:
        return None
    values: dict = {"gathering_id": gathering.id}
    if fix.startswith("item:") and fix[5:].isdigit():
        endpoint, anchor = "gatherings.edit_item", "#item-form"
        values["item_id"] = int(fix[5:])
    else:
        endpoint, anchor = _CHECK_FIX_PAGES.get(fix, ("gatherings.show", ""))
    if endpoint not in current_app.view_functions:
        endpoint, anchor, values = "gatherings.show", "", {"gathering_id": gathering.id}
    build = external_url if external else url_for
    try:
        return build(endpoint, **values) + anchor
    except BuildError:
        return build("gatherings.show", gathering_id=gathering.id)


@bp.app_template_global("check_links")
def check_links(gathering: Gathering, check) -> list[tuple[str, str]]:
    """(url, text) links to fix a failing check, for the programme's editors; else none."""
    if check.ok or not services.may_edit_programme(current_user, gathering):
        return []
    links = []
    fix = check.fix or ""
    if fix.startswith("item:"):
        title = next((i.title for i in check.items if f"item:{i.id}" == fix), "")
        links.append((check_fix_url(gathering, fix), _("Edit “%(title)s”", title=title)))
    elif fix:
        text = {"programme": _("Add or change items in the programme"),
                "committee": _("Go to the committee"),
                "inputs": _("Go to the municipal input")}.get(fix, _("Go to the gathering"))
        links.append((check_fix_url(gathering, fix), text))
    for ref in check.items:
        if ref.id is not None and f"item:{ref.id}" != fix:
            links.append((check_fix_url(gathering, f"item:{ref.id}"),
                          _("Edit “%(title)s”", title=ref.title)))
    return links


@bp.get("/<int:gathering_id>/checks")
@login_required
def checks(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    return render_template("gatherings/checks.html", gathering=gathering,
                           checks=services.programme_checks(gathering))


# --- calendars and other events --------------------------------------------------------------

def _ics_response(data: bytes, filename: str, attachment: bool = True):
    from flask import Response

    response = Response(data, content_type="text/calendar; charset=utf-8")
    kind = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    # Calendar programs poll the subscription; each answer is the programme as it is now.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<int:gathering_id>/programme.ics")
@login_required
def programme_ics(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    return _ics_response(services.programme_ics(gathering), "programme.ics")


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """The subscription link: the same URL always gives the current programme."""
    gathering = services.gathering_by_calendar_token(token)
    if gathering is None:
        abort(404)
    return _ics_response(services.programme_ics(gathering), "programme.ics", attachment=False)


@bp.get("/<int:gathering_id>/gathering.ics")
def gathering_ics(gathering_id: int):
    """The "add to calendar" file: public once published, else for those who may see it."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        if not current_user.is_authenticated:
            # The same answer whether or not a draft has this number.
            return redirect(url_for("accounts.login", next=request.path))
        gathering = get_scoped_or_404(Gathering, gathering_id)
    return _ics_response(services.gathering_ics(gathering), "gathering.ics")


def _events_page(gathering: Gathering, event_form=None, import_form=None, status: int = 200):
    from eventapp.gatherings.forms import ImportEventsForm, OtherEventForm

    is_host = may_manage_county(current_user, gathering.county_id)
    if is_host:
        event_form = event_form or OtherEventForm(formdata=None)
        import_form = import_form or ImportEventsForm(formdata=None)
    events = [(e, e.days_from(gathering)) for e in services.other_events(gathering)]
    return render_template(
        "gatherings/events.html", gathering=gathering, events=events, is_host=is_host,
        event_form=event_form if is_host else None, import_form=import_form if is_host else None,
        action=FlaskForm(), clash_days=services.CLASH_DAYS,
        clashes=services.clashes(gathering),
        gathering_clashes=services.gathering_clashes(gathering, viewer=current_user),
    ), status


@bp.route("/<int:gathering_id>/events", methods=["GET", "POST"])
@login_required
def events(gathering_id: int):
    """Other events for the same audience: typed in or imported from an .ics file."""
    from eventapp.gatherings.forms import ImportEventsForm, OtherEventForm

    gathering = get_scoped_or_404(Gathering, gathering_id)
    if request.method == "GET":
        return _events_page(gathering)
    if not may_manage_county(current_user, gathering.county_id):
        abort(403)
    if request.form.get("form") == "import":
        form = ImportEventsForm()
        if not form.validate_on_submit():
            return _events_page(gathering, import_form=form, status=422)
        try:
            data = form.file.data.read(services.MAX_ICS_BYTES + 1)
            counts = services.import_other_events(gathering, current_user, data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _events_page(gathering, import_form=form, status=422)
        db.session.commit()
        flash(_("Imported from the file: %(added)d new, %(updated)d updated, %(unchanged)d "
                "unchanged, %(removed)d removed as cancelled.", **counts), "success")
    else:
        form = OtherEventForm()
        if not form.validate_on_submit():
            return _events_page(gathering, event_form=form, status=422)
        try:
            event = services.add_other_event(
                gathering, current_user, title=form.title.data, organiser=form.organiser.data,
                location=form.location.data, start_date=form.start_date.data,
                end_date=form.end_date.data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _events_page(gathering, event_form=form, status=422)
        db.session.commit()
        flash(_("“%(title)s” is added.", title=event.title), "success")
    return redirect(url_for("gatherings.events", gathering_id=gathering.id))


@bp.post("/<int:gathering_id>/events/<int:event_id>/delete")
@login_required
def delete_event(gathering_id: int, event_id: int):
    from eventapp.gatherings.models import OtherEvent

    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not may_manage_county(current_user, gathering.county_id):
        abort(403)
    event = db.session.get(OtherEvent, event_id)
    if event is None or event.gathering_id != gathering.id:
        abort(404)
    title = event.title
    services.delete_other_event(gathering, current_user, event.id)
    db.session.commit()
    flash(_("“%(title)s” is removed from the list.", title=title), "success")
    return redirect(url_for("gatherings.events", gathering_id=gathering.id))


@bp.get("/national-calendar")
@roles_required(Role.DIRECTORATE)
def national_calendar():
    """All counties' gatherings in a year, with clashes marked: the directorate's overview."""
    from datetime import datetime as _datetime

    this_year = _datetime.now(OSLO).year
    years = sorted(set(services.calendar_years()) | {this_year})
    asked = request.args.get("year")
    year = request.args.get("year", type=int)
    problem = None
    if asked is not None and (year is None or not 1900 <= year <= 2200):
        problem = _("“%(year)s” is not a year. Showing %(shown)d.", year=asked, shown=this_year)
        year = None
    year = year or this_year
    rows = services.national_calendar(year)
    return render_template(
        "gatherings/national_calendar.html", rows=rows, year=year, years=years, problem=problem,
        clashing=sum(1 for r in rows if r["overlaps"] or r["events"]), clash_days=services.CLASH_DAYS,
    ), 422 if problem else 200
