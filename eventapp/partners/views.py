"""The county's partner organisations and their contacts: the county's host keeps the list,
its counsellors and the directorate read it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventapp.core import policy
from eventapp.core.web import act, attempt
from eventapp.extensions import db
from eventapp.partners import bp, services
from eventapp.partners.forms import PartnerContactForm, PartnerForm, kind_choices
from eventapp.partners.models import Partner, PartnerContact, kind_label
from eventapp.places.models import County


def _partner_form(obj=None) -> PartnerForm:
    form = PartnerForm(obj=obj)
    form.kind.choices = kind_choices()
    return form


def _saving(form, call, taken_field: str, taken: str):
    """``attempt`` with the race the unique constraints settle (the same name or address saved
    by two at once) answered beside the field instead of as an error page."""
    try:
        return attempt(form, call)
    except IntegrityError:
        db.session.rollback()
        getattr(form, taken_field).errors = [*getattr(form, taken_field).errors, taken]
        return None, 422


def _list_page(form=None, status: int = 200):
    counties = None
    county_id = current_user.county_id
    if county_id is None:  # the directorate: every county, or the one chosen
        counties = list(db.session.scalars(select(County).order_by(County.number)))
        county_id = request.args.get("county", type=int)
        if county_id is not None and not any(c.id == county_id for c in counties):
            county_id = None
    partners = services.list_partners(current_user, county_id=county_id)
    is_host = current_user.county_id is not None and policy.can(
        current_user, "partners.manage", current_user.county_id)
    if is_host and form is None:
        form = _partner_form()
    by_county: dict[int, list] = {}
    for partner in partners:
        by_county.setdefault(partner.county_id, []).append(partner)
    return render_template(
        "partners/list.html", by_county=by_county, counties=counties, county_id=county_id,
        form=form if is_host else None, is_host=is_host, action=FlaskForm(),
        county_names={p.county_id: p.county.name for p in partners},
    ), status


@bp.route("", methods=["GET", "POST"])
@policy.requires("partners.view")
def index():
    """The county's partners by kind; the host adds them here. The directorate reads every
    county's (the rule lets it act on no county in particular)."""
    policy.authorize(current_user, "partners.view", current_user.county_id)
    if request.method == "GET":
        return _list_page()
    policy.authorize(current_user, "partners.manage", current_user.county_id)
    form = _partner_form()
    partner, status = _saving(
        form, lambda: services.create_partner(current_user, current_user.county_id,
                                              name=form.name.data, kind=form.kind.data),
        "name", _("The county already has a partner with this name."))
    if partner is None:
        return _list_page(form, status)
    flash(_("%(name)s is added. Add the people to invite below.", name=partner.name), "success")
    return redirect(url_for("partners.show", partner_id=partner.id) + "#add-contact")


def _partner_form_unposted(partner: Partner) -> PartnerForm:
    """The partner's own form, not filled from a post that was meant for the contact form."""
    form = PartnerForm(formdata=None, obj=partner)
    form.kind.choices = kind_choices()
    return form


@bp.route("/<int:partner_id>", methods=["GET", "POST"])
@policy.requires("partners.view")
def show(partner_id: int):
    """One partner and its contacts; for the host, the forms that change them (one page, two
    forms: the contact form's fields carry the prefix ``contact-``)."""
    partner = policy.load(Partner, partner_id, missing=_("No such partner."))
    is_host = policy.can(current_user, "partners.manage", partner)
    status = 200
    if request.method == "GET":
        form = _partner_form(obj=partner) if is_host else None
        contact_form = PartnerContactForm(prefix="contact") if is_host else None
    else:
        policy.authorize(current_user, "partners.manage", partner)
        if "contact-name" in request.form or "contact-email" in request.form:
            form = _partner_form_unposted(partner)
            contact_form = PartnerContactForm(prefix="contact")
            contact, status = _saving(
                contact_form, lambda: services.add_contact(
                    current_user, partner, name=contact_form.name.data,
                    email=contact_form.email.data, phone=contact_form.phone.data),
                "email", _("%(name)s already has a contact with this email address.",
                           name=partner.name))
            if contact is not None:
                flash(_("%(name)s is added as a contact at %(partner)s.", name=contact.name,
                        partner=partner.name), "success")
                return redirect(url_for("partners.show", partner_id=partner.id)
                                + f"#contact-{contact.id}")
        else:
            form = _partner_form(obj=partner)
            contact_form = PartnerContactForm(prefix="contact", formdata=None)
            saved, status = _saving(
                form, lambda: services.update_partner(current_user, partner, name=form.name.data,
                                                      kind=form.kind.data),
                "name", _("The county already has a partner with this name."))
            if saved is not None:
                flash(_("%(name)s is saved.", name=partner.name), "success")
                return redirect(url_for("partners.show", partner_id=partner.id))
    return render_template("partners/show.html", partner=partner, form=form,
                           contact_form=contact_form, is_host=is_host, action=FlaskForm(),
                           kind_label=kind_label), status


@bp.post("/<int:partner_id>/toggle")
@policy.requires("partners.manage")
def toggle(partner_id: int):
    partner = policy.load(Partner, partner_id, missing=_("No such partner."))
    act(lambda: services.set_partner_active(current_user, partner, not partner.active),
        lambda p: (_("%(name)s is active again: registrations can pick it and campaigns invite "
                     "its contacts.", name=p.name) if p.active
                   else _("%(name)s is deactivated: registrations can no longer pick it and "
                          "campaigns no longer invite its contacts.", name=p.name)),
        _("Nothing was changed: the form had expired. Please try again."))
    return redirect(url_for("partners.show", partner_id=partner.id))


def _contact(partner: Partner, contact_id: int) -> PartnerContact:
    contact = db.session.get(PartnerContact, contact_id)
    if contact is None or contact.partner_id != partner.id:
        abort(404)
    return contact


@bp.route("/<int:partner_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@policy.requires("partners.manage")
def edit_contact(partner_id: int, contact_id: int):
    partner = policy.load(Partner, partner_id, missing=_("No such partner."))
    contact = _contact(partner, contact_id)
    form = PartnerContactForm(obj=contact)
    status = 200
    if form.is_submitted():
        saved, status = _saving(
            form, lambda: services.update_contact(current_user, contact, name=form.name.data,
                                                  email=form.email.data, phone=form.phone.data),
            "email", _("%(name)s already has a contact with this email address.",
                       name=partner.name))
        if saved is not None:
            flash(_("The contact %(name)s is saved.", name=contact.name), "success")
            return redirect(url_for("partners.show", partner_id=partner.id)
                            + f"#contact-{contact.id}")
    return render_template("partners/contact.html", partner=partner, contact=contact,
                           form=form), status


@bp.post("/<int:partner_id>/contacts/<int:contact_id>/toggle")
@policy.requires("partners.manage")
def toggle_contact(partner_id: int, contact_id: int):
    partner = policy.load(Partner, partner_id, missing=_("No such partner."))
    contact = _contact(partner, contact_id)
    act(lambda: services.set_contact_active(current_user, contact, not contact.active),
        lambda c: (_("%(name)s is active again and will be invited.", name=c.name) if c.active
                   else _("%(name)s is deactivated and gets no more invitations.", name=c.name)),
        _("Nothing was changed: the form had expired. Please try again."))
    return redirect(url_for("partners.show", partner_id=partner.id) + f"#contact-{contact.id}")
