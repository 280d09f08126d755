"""A gathering's pages: the list, creating and editing one, its status, its public page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.forms import (
    GatheringForm,
    StatusForm,
    item_kind_label,
    organisation_kind_label,
)
from eventapp.gatherings.models import Gathering, status_label

GATHERING_FIELDS = ("title", "start_date", "end_date", "venue", "address", "description",
                    "registration_opens", "registration_closes", "capacity", "municipal_cap",
                    "pool_cap")


@bp.get("/")
@policy.requires("gathering.list")
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
@policy.requires("gathering.create")
def new():
    policy.authorize(current_user, "gathering.create", current_user.county_id)
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
@policy.requires("gathering.view")
def show(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template("gatherings/show.html", **_hub(gathering))


def _hub(gathering: Gathering) -> dict:
    """What the gathering's page shows: its facts, what the viewer may do, and warnings."""
    status_form = None
    is_host = policy.can(current_user, "gathering.manage", gathering)
    if is_host:
        from eventapp.gatherings.models import TRANSITIONS

        status_form = StatusForm()
        status_form.status.choices = [(s, status_label(s)) for s in TRANSITIONS[gathering.status]]
    context = {
        "gathering": gathering,
        "status_form": status_form,
        "is_host": is_host,
        "may_edit": policy.can(current_user, "programme.edit", gathering),
    }
    context["clashes"] = services.clashes(gathering)
    context["gathering_clashes"] = services.gathering_clashes(gathering, viewer=current_user)
    return context


@bp.route("/<int:gathering_id>/edit", methods=["GET", "POST"])
@policy.requires("gathering.manage")
def edit(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
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
@policy.requires("gathering.manage")
def set_status(gathering_id: int):
    # The form is checked before the service asks the policy (a broken form is a 400 for all).
    gathering = policy.load(Gathering, gathering_id, "gathering.view")
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


# --- the public page -------------------------------------------------------------------------

def _published_or_404(gathering_id: int) -> Gathering:
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return gathering


@bp.get("/<int:gathering_id>/public")
@policy.public
def public(gathering_id: int):
    """Anyone may read a published gathering's page and programme, without logging in."""
    gathering = _published_or_404(gathering_id)
    return render_template("gatherings/public.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label)


@bp.get("/<int:gathering_id>/programme/print")
@policy.public
def printable(gathering_id: int):
    """The programme to print: public once published, else for those who may see it."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None:
        abort(404)
    if not gathering.published:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        gathering = policy.load(Gathering, gathering_id, "gathering.view")
    return render_template("gatherings/print.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label)
