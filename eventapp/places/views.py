"""Counties and municipalities, and importing an updated list of them.

A municipality's own page lists its people, so it lives with the accounts
(``eventapp.accounts.views.municipality``), which are above places.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO, utcnow
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.places import bp, services
from eventapp.places.forms import (
    FactsConfirmForm,
    FactsUploadForm,
    ImportConfirmForm,
    ImportUploadForm,
    ThresholdsForm,
)
from eventapp.places.models import DEFAULT_THRESHOLDS, County, Municipality, SizeThresholds
from eventapp.places.services import facts, facts_import
from eventapp.places.services.facts import size_class_label


@bp.get("/")
@policy.requires("places.view")
def index():
    counts = dict(
        db.session.execute(
            select(Municipality.county_id, func.count())
            .where(Municipality.active, Municipality.kind == "municipality")
            .group_by(Municipality.county_id)
        ).all()
    )
    counties = db.session.scalars(
        scope(select(County), County, current_user).order_by(County.number)
    ).all()
    return render_template("places/index.html", counties=counties, counts=counts)


@bp.get("/counties/<int:county_id>")
@policy.requires("places.view_county")
def county(county_id: int):
    shown = policy.load(County, county_id)
    units = db.session.scalars(
        select(Municipality).where(Municipality.county_id == shown.id).order_by(Municipality.number)
    ).all()
    return render_template("places/county.html", county=shown, units=units)


@bp.route("/import", methods=["GET", "POST"])
@policy.requires("places.import")
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
            kind, rows = services.read_csv(text)
            plan = services.plan_import(kind, rows)
        except UnicodeDecodeError:
            form.file.errors.append(_("The file must be UTF-8 text (CSV)."))
        except DomainError as exc:
            errors_to_form(form, exc)
            return render_template("places/import.html", form=form, problems=exc.fields), 422
        else:
            confirm = ImportConfirmForm(formdata=None, content=text)
            return render_template("places/import_preview.html", plan=plan, confirm=confirm)
    status = 422 if form.is_submitted() else 200
    return render_template("places/import.html", form=form, problems={}), status


@bp.post("/import/confirm")
@policy.requires("places.import")
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import could not be confirmed. Upload the file again."), "error")
        return redirect(url_for("places.import_upload"))
    try:
        plan = services.import_csv(form.content.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("places.import_upload"))
    db.session.commit()
    flash(_("Imported: %(added)d added, %(changed)d changed, %(retired)d retired, "
            "%(reactivated)d reactivated, %(unchanged)d unchanged.",
            added=plan.count("added"), changed=plan.count("changed"),
            retired=plan.count("retired"), reactivated=plan.count("reactivated"),
            unchanged=plan.unchanged), "success")
    return redirect(url_for("places.index"))


# --- municipality facts per year (settlement figures, size classes) ---------------------------

def _facts_year(value, default: int | None = None) -> int:
    try:
        return facts_import.check_year(value)
    except DomainError:
        return default if default is not None else years_now()


def years_now() -> int:
    return utcnow().astimezone(OSLO).year


def _facts_page(year: int, thresholds_form=None, status: int = 200):
    manages = policy.can(current_user, "facts.manage")
    medium_from, large_from = facts.thresholds(year)
    if thresholds_form is None and manages:
        thresholds_form = ThresholdsForm(formdata=None, year=str(year), medium_from=medium_from,
                                         large_from=large_from)
    return render_template(
        "places/facts.html", year=year, rows=facts.year_facts(year),
        summary=facts.year_summary(year), years=facts.facts_years(),
        thresholds=(medium_from, large_from), own_thresholds=db.session.get(SizeThresholds, year),
        default_thresholds=DEFAULT_THRESHOLDS, thresholds_form=thresholds_form,
        upload=FactsUploadForm(formdata=None, year=year) if manages else None,
        max_rows=facts_import.FACTS_MAX_ROWS, size_label=size_class_label,
    ), status


@bp.get("/facts")
@policy.requires("facts.view")
def facts_page():
    return _facts_page(_facts_year(request.args.get("year")))


@bp.post("/facts/thresholds")
@policy.requires("facts.manage")
def facts_thresholds():
    form = ThresholdsForm()
    year = _facts_year(form.year.data)
    if form.validate_on_submit():
        try:
            changed = facts.set_thresholds(current_user, year, form.medium_from.data,
                                           form.large_from.data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
        else:
            db.session.commit()
            flash(ngettext("The thresholds for %(year)s are saved; %(num)d municipality changed "
                           "size class.",
                           "The thresholds for %(year)s are saved; %(num)d municipalities "
                           "changed size class.", changed, year=year), "success")
            return redirect(url_for("places.facts_page", year=year))
    return _facts_page(year, form, 422)


@bp.route("/facts/import", methods=["GET", "POST"])
@policy.requires("facts.manage")
def facts_upload():
    form = FactsUploadForm()
    if request.method == "GET":
        form.year.data = _facts_year(request.args.get("year"))
    problems: dict = {}
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = facts_import.read_facts(upload.filename or "", upload.read())
            plan = facts_import.plan_facts(current_user, form.year.data, rows,
                                           upload.filename or "")
        except DomainError as exc:
            problems = {k: v for k, v in exc.fields.items() if k.startswith("line ")}
            if problems:
                form.file.errors = [*form.file.errors, exc.message]
            else:
                errors_to_form(form, exc)
        else:
            confirm = FactsConfirmForm(formdata=None,
                                       token=facts_import.sign_facts(current_user, plan))
            return render_template("places/facts_preview.html", plan=plan, confirm=confirm,
                                   size_label=size_class_label)
    status = 422 if form.is_submitted() else 200
    return render_template("places/facts_import.html", form=form, problems=problems,
                           max_rows=facts_import.FACTS_MAX_ROWS), status


@bp.post("/facts/import/confirm")
@policy.requires("facts.manage")
def facts_confirm():
    form = FactsConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import could not be confirmed. Upload the file again."), "error")
        return redirect(url_for("places.facts_upload"))
    try:
        plan = facts_import.load_facts(current_user, form.token.data or "")
        counts = facts_import.apply_facts(current_user, plan)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("places.facts_upload"))
    db.session.commit()
    flash(_("The figures for %(year)s are imported: %(added)d added, %(changed)d changed, "
            "%(removed)d removed, %(unchanged)d unchanged.", year=plan.year, **counts), "success")
    return redirect(url_for("places.facts_page", year=plan.year))
