"""Counties and municipalities, and importing an updated list of them.

A municipality's own page lists its people, so it lives with the accounts
(``eventapp.accounts.views.municipality``), which are above places.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.places import bp, services
from eventapp.places.forms import ImportConfirmForm, ImportUploadForm
from eventapp.places.models import County, Municipality


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
