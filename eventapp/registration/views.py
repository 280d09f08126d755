"""Registering from a personal invitation link or the public link, and the registrant's own
page (by the private link in the confirmation) to see or cancel."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from eventapp.core.errors import DomainError
from eventapp.core.time import utcnow
from eventapp.core.web import errors_to_form
from eventapp.extensions import db, limiter
from eventapp.gatherings.models import Gathering
from eventapp.registration import bp, services
from eventapp.registration.forms import RegistrationForm, role_label

REGISTER_LIMIT = "30 per minute"


def _form(gathering: Gathering, invitation=None) -> RegistrationForm:
    form = RegistrationForm()
    units = services.registration_units(gathering)
    form.municipality.choices = [("", _("Choose"))] + [(u.number, u.name) for u in units]
    if invitation is not None:
        # The personal link fixes the municipality; the form shows it but does not ask.
        form.organisation_kind.choices = [("municipality", _("A municipality or city district"))]
        form.municipality.choices = [(invitation.municipality.number, invitation.municipality.name)]
        if not form.is_submitted():
            form.name.data = invitation.name
            form.email.data = invitation.email
    else:
        form.organisation_kind.choices = [
            ("municipality", _("A municipality or city district")),
            ("county", _("%(county)s county council", county=gathering.county.name)),
            ("partner", _("A partner organisation (NAV, adult education, IMDi …)")),
        ]
    form.role.choices = [(value, role_label(value)) for value, _label in form.role.choices]
    if gathering.days == 1:
        del form.day2
    return form


def _data(form: RegistrationForm, invitation=None) -> services.RegistrationData:
    return services.RegistrationData(
        name=form.name.data or "", email=form.email.data or "",
        organisation_kind=form.organisation_kind.data,
        municipality_number=(invitation.municipality.number if invitation is not None
                             else form.municipality.data),
        partner_name=form.partner_name.data, role=form.role.data, phone=form.phone.data or "",
        day1=form.day1.data, day2=getattr(form, "day2", None) is not None and form.day2.data,
        attends_dinner=form.attends_dinner.data, dietary_needs=form.dietary_needs.data or "",
        dietary_consent=form.dietary_consent.data,
        accessibility_needs=form.accessibility_needs.data or "",
        accommodation=form.accommodation.data,
        travel_support_requested=form.travel_support_requested.data,
        list_consent=form.list_consent.data,
    )


def _register_page(gathering: Gathering, *, channel: str, invitation=None):
    form = _form(gathering, invitation)
    status = 200
    if form.validate_on_submit():
        try:
            registration = services.register(gathering, _data(form, invitation), channel=channel,
                                              invitation=invitation)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            if registration.status == "confirmed":
                flash(_("You are registered. A confirmation is on its way to %(email)s.",
                        email=registration.email), "success")
            else:
                flash(_("All places for %(organisation)s are taken. You are on the waitlist, and "
                        "we will email you if a place becomes free.",
                        organisation=registration.organisation_name), "info")
            return redirect(url_for("registration.manage", token=registration.manage_token))
    elif form.is_submitted():
        status = 422
    return render_template("registration/register.html", gathering=gathering, form=form,
                           invitation=invitation, is_open=services.registration_open(gathering)), status


@bp.route("/r/<token>", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def personal(token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None:
        abort(404)
    gathering = db.session.get(Gathering, invitation.gathering_id)
    if not FlaskForm().is_submitted():
        invitation.mark_opened(utcnow())
        db.session.commit()
    return _register_page(gathering, channel="personal_link", invitation=invitation)


@bp.route("/gatherings/<int:gathering_id>/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def public(gathering_id: int):
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return _register_page(gathering, channel="public_link")


@bp.get("/registration/<token>")
def manage(token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    return render_template("registration/manage.html", registration=registration,
                           gathering=registration.gathering, action=FlaskForm(),
                           role_label=role_label)


@bp.post("/registration/<token>/cancel")
def cancel_own(token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    if FlaskForm().validate_on_submit() and registration.status != "cancelled":
        services.cancel(registration)
        db.session.commit()
        flash(_("Your registration is cancelled, and your place goes to the next in line."),
              "success")
    return redirect(url_for("registration.manage", token=token))
