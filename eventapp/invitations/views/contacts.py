"""The county's contacts by municipality: the county's host edits, its counsellors read.
Import: upload → preview of every row (nothing saved) → confirm with the signed good rows."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.invitations import bp, services
from eventapp.invitations.forms import (
    ContactForm,
    ContactImportConfirmForm,
    ContactImportForm,
    contact_role_choices,
)
from eventapp.invitations.models import Contact


def _contact_form(places, formdata=None, obj=None, municipality_id=None):
    form = ContactForm(formdata=formdata, obj=obj) if formdata is not None else ContactForm(obj=obj)
    form.municipality.choices = [("", _("Choose …"))] + [
        (str(m.id), f"{m.number} {m.name}") for m in places]
    form.role.choices = contact_role_choices()
    if obj is not None and not form.is_submitted():
        form.municipality.data = str(obj.municipality_id)
    elif municipality_id and not form.is_submitted():
        form.municipality.data = str(municipality_id)
    return form


def _chosen_place(form, places):
    chosen = form.municipality.data
    return next((m for m in places if str(m.id) == str(chosen)), None)


def _contacts_page(form=None, status: int = 200):
    county_id = current_user.county_id
    is_host = policy.can(current_user, "contacts.manage", county_id)
    places = services.contact_places(county_id)
    chosen_id = request.args.get("municipality", type=int)
    chosen = next((m for m in places if m.id == chosen_id), None)
    contacts = services.list_contacts(current_user, municipality_id=chosen.id if chosen else None)
    by_place: dict[int, list] = {}
    for contact in contacts:
        by_place.setdefault(contact.municipality_id, []).append(contact)
    # Municipalities with contacts get a section each; those without are listed compactly.
    shown = [chosen] if chosen else [m for m in places if m.id in by_place]
    groups = [(m, by_place.get(m.id, [])) for m in shown]
    empty = [m for m in places if m.id not in by_place] if not chosen else []
    if is_host and form is None:
        form = _contact_form(places, municipality_id=chosen.id if chosen else None)
    without = [m for m in places if not any(c.active for c in by_place.get(m.id, []))] \
        if not chosen else []
    return render_template(
        "invitations/contacts.html", groups=groups, places=places, chosen=chosen,
        counsellors=services.contact_counsellors(county_id), is_host=is_host,
        form=form if is_host else None, action=FlaskForm(), without=without, empty=empty,
        active_count=sum(1 for c in contacts if c.active),
        contact_role_label=services.contact_role_label,
        filter_problem=chosen_id is not None and chosen is None,
    ), status


@bp.route("/contacts", methods=["GET", "POST"])
@policy.requires("contacts.read")
def contacts():
    """The people to invite, by municipality; the host adds them here or imports a file."""
    policy.authorize(current_user, "contacts.read", current_user.county_id)
    if request.method == "GET":
        return _contacts_page()
    policy.authorize(current_user, "contacts.manage", current_user.county_id)
    places = services.contact_places(current_user.county_id)
    form = _contact_form(places, formdata=request.form)
    if not form.validate_on_submit():
        return _contacts_page(form, 422)
    try:
        contact = services.add_contact(
            current_user, municipality=_chosen_place(form, places), name=form.name.data,
            email=form.email.data, role=form.role.data, phone=form.phone.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return _contacts_page(form, 422)
    except IntegrityError:
        # Someone added the same address at the same moment; the database kept one.
        db.session.rollback()
        form.email.errors = [*form.email.errors,
                             _("This municipality already has a contact with this email address.")]
        return _contacts_page(form, 422)
    flash(_("%(name)s is added as a contact in %(place)s.", name=contact.name,
            place=contact.municipality.name), "success")
    return redirect(url_for("invitations.contacts", municipality=contact.municipality_id)
                    + f"#contact-{contact.id}")


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@policy.requires("contacts.manage")
def edit_contact(contact_id: int):
    contact = policy.load(Contact, contact_id)
    places = services.contact_places(contact.county_id)
    form = _contact_form(places, obj=contact)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_contact(
                current_user, contact, municipality=_chosen_place(form, places), name=form.name.data,
                email=form.email.data, role=form.role.data, phone=form.phone.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        except IntegrityError:
            db.session.rollback()
            form.email.errors = [*form.email.errors,
                                 _("This municipality already has a contact with this email address.")]
            status = 422
        else:
            flash(_("The contact %(name)s is saved.", name=contact.name), "success")
            return redirect(url_for("invitations.contacts", municipality=contact.municipality_id)
                            + f"#contact-{contact.id}")
    elif form.is_submitted():
        status = 422
    return render_template("invitations/contacts.html", edit=contact, form=form,
                           contact_role_label=services.contact_role_label), status


@bp.post("/contacts/<int:contact_id>/toggle")
@policy.requires("contacts.manage")
def toggle_contact(contact_id: int):
    contact = policy.load(Contact, contact_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.set_contact_active(current_user, contact, not contact.active)
    db.session.commit()
    if contact.active:
        flash(_("%(name)s is active again and will be invited.", name=contact.name), "success")
    else:
        flash(_("%(name)s is deactivated and gets no more invitations.", name=contact.name), "success")
    return redirect(url_for("invitations.contacts", municipality=contact.municipality_id)
                    + f"#contact-{contact.id}")


def _import_page(form=None, problem: str | None = None, status: int = 200):
    form = form or ContactImportForm(formdata=None)
    if problem:
        form.form_errors.append(problem)
    return render_template("invitations/contacts_import.html", form=form,
                           max_rows=services.CONTACT_IMPORT_MAX_ROWS), status


@bp.route("/contacts/import", methods=["GET", "POST"])
@policy.requires("contacts.manage")
def import_contacts():
    """Upload a CSV or XLSX file and see, row by row, what importing it would do."""
    policy.authorize(current_user, "contacts.manage", current_user.county_id)
    if request.method == "GET":
        return _import_page()
    form = ContactImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=422)
    upload = form.file.data
    try:
        data = upload.read(services.CONTACT_IMPORT_MAX_BYTES + 1)
        plan = services.plan_contact_import(current_user, upload.filename or "", data)
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return _import_page(form, status=422)
    confirm = ContactImportConfirmForm(formdata=None)
    confirm.payload.data = services.sign_contact_import(current_user, plan)
    # A preview changes nothing.
    db.session.rollback()
    return render_template("invitations/contacts_preview.html", plan=plan, counts=plan.counts,
                           confirm=confirm, contact_role_label=services.contact_role_label)


@bp.post("/contacts/import/confirm")
@policy.requires("contacts.manage")
def confirm_contact_import():
    policy.authorize(current_user, "contacts.manage", current_user.county_id)
    form = ContactImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = services.load_contact_import(current_user, form.payload.data)
        counts = services.apply_contact_import(current_user, plan)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _import_page(problem=exc.message, status=400)
    except IntegrityError:
        db.session.rollback()
        return _import_page(problem=_("The contacts were changed by someone else at the same time. "
                                      "Nothing was imported; upload the file again."), status=409)
    skipped = plan.count("unchanged") + plan.count("refused")
    message = _("Imported from %(file)s: %(added)d added, %(changed)d changed.",
                file=plan.filename or _("the file"), **counts)
    if skipped:
        message += " " + _("%(n)d rows had changed since the preview and were skipped.", n=skipped)
    flash(message, "success")
    return redirect(url_for("invitations.contacts"))
