"""Invitations: views."""


# --- contacts ---------------------------------------------------------------------------------
# The county's contacts by municipality: county hosts edit, the county's counsellors read.
# Import: upload → preview of every row (nothing saved) → confirm with the signed good rows.
from flask import abort, flash, redirect, render_template, request, url_for  # noqa: E402,F811
from flask_babel import gettext as _  # noqa: E402,F811
from flask_login import current_user, login_required  # noqa: E402,F811
from flask_wtf import FlaskForm  # noqa: E402,F811
from sqlalchemy.exc import IntegrityError  # noqa: E402,F811

from eventapp.core.access import Role, get_scoped_or_404, may_manage_county, roles_required  # noqa: E402,F811
from eventapp.core.errors import DomainError  # noqa: E402,F811
from eventapp.core.web import errors_to_form  # noqa: E402,F811
from eventapp.extensions import db  # noqa: E402,F811
from eventapp.invitations import bp  # noqa: E402,F811
from eventapp.invitations import services as contact_services  # noqa: E402


def _contact_form(places, formdata=None, obj=None, municipality_id=None):
    from eventapp.invitations.forms import ContactForm, contact_role_choices

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
    is_host = may_manage_county(current_user, county_id)
    places = contact_services.contact_places(county_id)
    chosen_id = request.args.get("municipality", type=int)
    chosen = next((m for m in places if m.id == chosen_id), None)
    contacts = contact_services.list_contacts(current_user,
                                              municipality_id=chosen.id if chosen else None)
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
        counsellors=contact_services.contact_counsellors(county_id), is_host=is_host,
        form=form if is_host else None, action=FlaskForm(), without=without, empty=empty,
        active_count=sum(1 for c in contacts if c.active),
        contact_role_label=contact_services.contact_role_label,
        filter_problem=chosen_id is not None and chosen is None,
    ), status


@bp.route("/contacts", methods=["GET", "POST"])
@roles_required(Role.COUNTY_HOST, Role.COUNSELLOR)
def contacts():
    """The people to invite, by municipality; the host adds them here or imports a file."""
    if request.method == "GET":
        return _contacts_page()
    if not may_manage_county(current_user, current_user.county_id):
        abort(403)
    places = contact_services.contact_places(current_user.county_id)
    form = _contact_form(places, formdata=request.form)
    if not form.validate_on_submit():
        return _contacts_page(form, 422)
    try:
        contact = contact_services.add_contact(
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


def _own_contact(contact_id: int):
    from eventapp.invitations.models import Contact

    contact = get_scoped_or_404(Contact, contact_id)
    if not may_manage_county(current_user, contact.county_id):
        abort(403)
    return contact


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit_contact(contact_id: int):
    contact = _own_contact(contact_id)
    places = contact_services.contact_places(contact.county_id)
    form = _contact_form(places, obj=contact)
    status = 200
    if form.validate_on_submit():
        try:
            contact_services.update_contact(
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
                           contact_role_label=contact_services.contact_role_label), status


@bp.post("/contacts/<int:contact_id>/toggle")
@login_required
def toggle_contact(contact_id: int):
    contact = _own_contact(contact_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    contact_services.set_contact_active(current_user, contact, not contact.active)
    db.session.commit()
    if contact.active:
        flash(_("%(name)s is active again and will be invited.", name=contact.name), "success")
    else:
        flash(_("%(name)s is deactivated and gets no more invitations.", name=contact.name), "success")
    return redirect(url_for("invitations.contacts", municipality=contact.municipality_id)
                    + f"#contact-{contact.id}")


def _import_page(form=None, problem: str | None = None, status: int = 200):
    from eventapp.invitations.forms import ContactImportForm

    form = form or ContactImportForm(formdata=None)
    if problem:
        form.form_errors.append(problem)
    return render_template("invitations/contacts_import.html", form=form,
                           max_rows=contact_services.CONTACT_IMPORT_MAX_ROWS), status


@bp.route("/contacts/import", methods=["GET", "POST"])
@roles_required(Role.COUNTY_HOST)
def import_contacts():
    """Upload a CSV or XLSX file and see, row by row, what importing it would do."""
    from eventapp.invitations.forms import ContactImportConfirmForm, ContactImportForm

    if not may_manage_county(current_user, current_user.county_id):
        abort(403)
    if request.method == "GET":
        return _import_page()
    form = ContactImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=422)
    upload = form.file.data
    try:
        data = upload.read(contact_services.CONTACT_IMPORT_MAX_BYTES + 1)
        plan = contact_services.plan_contact_import(current_user, upload.filename or "", data)
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return _import_page(form, status=422)
    confirm = ContactImportConfirmForm(formdata=None)
    confirm.payload.data = contact_services.sign_contact_import(current_user, plan)
    # A preview changes nothing.
    db.session.rollback()
    return render_template("invitations/contacts_preview.html", plan=plan, counts=plan.counts,
                           confirm=confirm, contact_role_label=contact_services.contact_role_label)


@bp.post("/contacts/import/confirm")
@roles_required(Role.COUNTY_HOST)
def confirm_contact_import():
    from eventapp.invitations.forms import ContactImportConfirmForm

    if not may_manage_county(current_user, current_user.county_id):
        abort(403)
    form = ContactImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = contact_services.load_contact_import(current_user, form.payload.data)
        counts = contact_services.apply_contact_import(current_user, plan)
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


# --- campaigns ---
# Email campaigns and the one-click reminder. The county's host writes and sends; the county's
# counsellors read. Sending queues the mail (one per new recipient) in the request's transaction;
# the outbox sender delivers after commit, and the campaign page shows the progress.
from flask import abort, flash, make_response, redirect, render_template, url_for  # noqa: E402,F811
from flask_babel import gettext as _  # noqa: E402,F811
from flask_login import current_user, login_required  # noqa: E402,F811
from sqlalchemy import select  # noqa: E402,F811

from eventapp.core.access import Role, get_scoped_or_404, may_manage_county  # noqa: E402,F811
from eventapp.core.errors import DomainError  # noqa: E402,F811
from eventapp.core.web import errors_to_form  # noqa: E402,F811
from eventapp.extensions import db  # noqa: E402,F811
from eventapp.gatherings.models import Gathering  # noqa: E402,F811
from eventapp.invitations import bp  # noqa: E402,F811
from eventapp.invitations import services as campaign_services  # noqa: E402
from eventapp.invitations.forms import CampaignForm, ReminderForm, SendCampaignForm  # noqa: E402
from eventapp.invitations.models import Campaign  # noqa: E402,F811

CAMPAIGN_REFRESH_SECONDS = 5


def _campaign_gathering(gathering_id: int, write: bool = False) -> Gathering:
    """The gathering if the viewer may see it (else 404), and may read campaigns (the county's
    host and counsellors) or, for ``write``, run them (the county's host); else 403."""
    gathering = get_scoped_or_404(Gathering, gathering_id)
    if write:
        allowed = may_manage_county(current_user, gathering.county_id)
    else:
        allowed = (current_user.role in (Role.COUNTY_HOST, Role.COUNSELLOR)
                   and current_user.county_id == gathering.county_id)
    if not allowed:
        abort(403)
    return gathering


def _campaign_of(gathering: Gathering, campaign_id: int) -> Campaign:
    campaign = db.session.scalars(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.gathering_id == gathering.id)
    ).first()
    if campaign is None:
        abort(404)
    return campaign


def campaign_sender_label(campaign: Campaign) -> str:
    labels = {"career_centre": _("The career centre"),
              "integration_adviser": _("The county's integration adviser"),
              "counsellor": _("Career counsellor")}
    return labels.get(campaign.sender_kind, campaign.sender_kind)


def _campaign_sender_choices(gathering: Gathering) -> list[tuple[str, str]]:
    choices = [("career_centre", _("The career centre")),
               ("integration_adviser", _("The county's integration adviser"))]
    choices += [(f"counsellor-{user.id}", _("Career counsellor %(name)s", name=user.name))
                for user in campaign_services.county_counsellors(gathering)]
    return choices


def _campaign_form(form_class, gathering: Gathering, kind: str = "invitation"):
    form = form_class()
    form.sender_kind.choices = _campaign_sender_choices(gathering)
    if not form.is_submitted():
        subject, body = campaign_services.default_campaign_texts(gathering, kind)
        form.subject.data, form.body.data = subject, body
    return form


def _campaign_sender(form, gathering: Gathering) -> dict:
    """The service's sender arguments from the form's choice."""
    value = form.sender_kind.data or ""
    if value.startswith("counsellor-"):
        counsellor = next((u for u in campaign_services.county_counsellors(gathering)
                           if f"counsellor-{u.id}" == value), None)
        return {"sender_kind": "counsellor", "counsellor": counsellor}
    return {"sender_kind": value}


def _campaign_args(form, gathering: Gathering) -> dict:
    return {**_campaign_sender(form, gathering), "sender_name": form.sender_name.data,
            "sender_email": form.sender_email.data, "subject": form.subject.data or "",
            "body": form.body.data or ""}


def _campaign_preview(gathering: Gathering, subject: str, body: str, form=None) -> dict | None:
    """The mail as a sample recipient would get it, or None (and the problems beside the
    form's fields) when the text cannot be used."""
    problems = {"subject": campaign_services.campaign_text_problem(subject or ""),
                "body": campaign_services.campaign_text_problem(body or "", need_link=True)}
    if any(problems.values()):
        if form is not None:
            for name, problem in problems.items():
                if problem:
                    getattr(form, name).errors = [*getattr(form, name).errors, problem]
        return None
    sample = campaign_services.campaign_sample_recipient(gathering)
    values = campaign_services.campaign_values(gathering, **sample)
    return {"to": sample["name"], "municipality": sample["municipality"],
            "subject": campaign_services.render_campaign_text(subject, values),
            "body": campaign_services.render_campaign_text(body, values)}


@bp.get("/<int:gathering_id>/campaigns")
@login_required
def campaigns(gathering_id: int):
    gathering = _campaign_gathering(gathering_id)
    return _campaigns_page(gathering)


def _campaigns_page(gathering: Gathering, reminder_form=None, status: int = 200):
    is_host = may_manage_county(current_user, gathering.county_id)
    rows = list(db.session.scalars(
        select(Campaign).where(Campaign.gathering_id == gathering.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ))
    progress = campaign_services.campaign_progress([c.id for c in rows])
    states = campaign_services.municipality_states(gathering)
    tally = {state: sum(1 for s in states.values() if s == state)
             for state in campaign_services.MUNICIPALITY_STATES}
    targets, target_contacts = campaign_services.reminder_targets(gathering)
    if is_host and reminder_form is None:
        reminder_form = _campaign_form(ReminderForm, gathering, kind="reminder")
    values = campaign_services.campaign_values(
        gathering, **campaign_services.campaign_sample_recipient(gathering))
    response = make_response(render_template(
        "invitations/campaigns.html", gathering=gathering, campaigns=rows, progress=progress,
        tally=tally, targets=targets, target_contacts=target_contacts, is_host=is_host,
        reminder_form=reminder_form if is_host else None,
        sender_label=campaign_sender_label, state_label=campaign_services.municipality_state_label,
        subject_of=lambda c: campaign_services.render_campaign_text(c.subject, values),
        last_reminder=campaign_services.latest_reminder(gathering),
    ), status)
    if any(p["waiting"] for p in progress.values()):
        response.headers["Refresh"] = str(CAMPAIGN_REFRESH_SECONDS)
    return response


@bp.route("/<int:gathering_id>/campaigns/new", methods=["GET", "POST"])
@login_required
def new_campaign(gathering_id: int):
    gathering = _campaign_gathering(gathering_id, write=True)
    form = _campaign_form(CampaignForm, gathering)
    status = 200
    check = None  # the form whose text the preview checks, when asked for a preview
    if form.validate_on_submit():
        if form.save.data:
            try:
                campaign = campaign_services.create_campaign(
                    gathering, current_user, kind="invitation", **_campaign_args(form, gathering))
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = 422
            else:
                db.session.commit()
                flash(_("The campaign is saved. Choose who gets it, then send."), "success")
                return redirect(url_for("invitations.campaign", gathering_id=gathering.id,
                                        campaign_id=campaign.id))
        else:
            check = form
    elif form.is_submitted():
        status = 422
    preview = _campaign_preview(gathering, form.subject.data, form.body.data, check)
    if preview is None and check is not None:
        status = 422
    return render_template("invitations/campaign_new.html", gathering=gathering, form=form,
                           preview=preview,
                           placeholders=campaign_services.CAMPAIGN_PLACEHOLDERS), status


@bp.get("/<int:gathering_id>/campaigns/<int:campaign_id>")
@login_required
def campaign(gathering_id: int, campaign_id: int):
    gathering = _campaign_gathering(gathering_id)
    return _campaign_page(gathering, _campaign_of(gathering, campaign_id))


def _send_form(gathering: Gathering) -> SendCampaignForm:
    from eventapp.gatherings.services import answering_units

    form = SendCampaignForm()
    form.municipalities.choices = [(unit.id, unit.name) for unit in answering_units(gathering)]
    return form


def _campaign_page(gathering: Gathering, campaign: Campaign, send_form=None, status: int = 200):
    is_host = may_manage_county(current_user, gathering.county_id)
    progress = campaign_services.campaign_progress([campaign.id])[campaign.id]
    states = campaign_services.municipality_states(gathering)
    if is_host and send_form is None:
        send_form = _send_form(gathering)
    sample = campaign_services.campaign_sample_recipient(gathering)
    values = campaign_services.campaign_values(gathering, **sample)
    response = make_response(render_template(
        "invitations/campaign.html", gathering=gathering, campaign=campaign, progress=progress,
        recipients=campaign_services.campaign_recipients(campaign), is_host=is_host,
        send_form=send_form if is_host else None, states=states,
        state_label=campaign_services.municipality_state_label,
        sender_label=campaign_sender_label, sample=sample,
        sample_subject=campaign_services.render_campaign_text(campaign.subject, values),
        sample_body=campaign_services.render_campaign_text(campaign.body, values),
        refresh=CAMPAIGN_REFRESH_SECONDS if progress["waiting"] else None,
    ), status)
    if progress["waiting"]:
        response.headers["Refresh"] = str(CAMPAIGN_REFRESH_SECONDS)
    return response


def _flash_send(counts) -> None:
    from flask_babel import ngettext

    if counts.queued:
        flash(ngettext("%(num)d mail is on its way.", "%(num)d mails are on their way.",
                       counts.queued), "success")
    if counts.already_sent:
        flash(ngettext("%(num)d recipient already had this campaign and gets nothing new.",
                       "%(num)d recipients already had this campaign and get nothing new.",
                       counts.already_sent), "info")
    if counts.without_contacts:
        flash(_("No active contact in: %(places)s. Add contacts to reach them.",
                places=", ".join(m.name for m in counts.without_contacts)), "info")


@bp.post("/<int:gathering_id>/campaigns/<int:campaign_id>/send")
@login_required
def send_campaign(gathering_id: int, campaign_id: int):
    gathering = _campaign_gathering(gathering_id, write=True)
    campaign = _campaign_of(gathering, campaign_id)
    form = _send_form(gathering)
    if form.validate_on_submit():
        chosen = form.recipients.data == "chosen"
        if chosen and not form.municipalities.data:
            form.municipalities.errors = [_("Choose at least one municipality.")]
        else:
            try:
                counts = campaign_services.send_campaign(
                    campaign, current_user,
                    municipalities=form.municipalities.data if chosen else None,
                    only_not_registered=not chosen)
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
            else:
                db.session.commit()
                _flash_send(counts)
                return redirect(url_for("invitations.campaign", gathering_id=gathering.id,
                                        campaign_id=campaign.id))
    return _campaign_page(gathering, campaign, send_form=form, status=422)


@bp.post("/<int:gathering_id>/campaigns/reminder")
@login_required
def send_reminder(gathering_id: int):
    gathering = _campaign_gathering(gathering_id, write=True)
    form = _campaign_form(ReminderForm, gathering, kind="reminder")
    if form.validate_on_submit():
        try:
            reminder, counts = campaign_services.send_reminder(
                gathering, current_user, **_campaign_args(form, gathering))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
        else:
            db.session.commit()
            _flash_send(counts)
            return redirect(url_for("invitations.campaign", gathering_id=gathering.id,
                                    campaign_id=reminder.id))
    return _campaigns_page(gathering, reminder_form=form, status=422)


# --- board ---------------------------------------------------------------------------------
# The municipality board, one municipality's page, the outreach log, the public link with its
# QR code, and the channel report.
from flask import Response as _BoardResponse  # noqa: E402
from flask import abort as _board_abort  # noqa: E402
from flask import flash as _board_flash  # noqa: E402
from flask import redirect as _board_redirect  # noqa: E402
from flask import render_template as _board_render  # noqa: E402
from flask import request as _board_request  # noqa: E402
from flask import url_for as _board_url_for  # noqa: E402
from flask_login import current_user as _board_user  # noqa: E402
from flask_login import login_required as _board_login_required  # noqa: E402

from eventapp.invitations import bp as _board_bp  # noqa: E402


def _board_gathering(gathering_id: int):
    """The gathering if it is in the user's scope (else 404) and they may work the board
    (else 403)."""
    from eventapp.core.access import get_scoped_or_404
    from eventapp.gatherings.models import Gathering
    from eventapp.invitations import services

    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not services.may_view_board(_board_user, gathering):
        _board_abort(403)
    return gathering


def _board_labels() -> dict:
    from eventapp.invitations import services

    return {
        "state_label": services.municipality_state_label,
        "channel_label": services.board_channel_label,
        "outreach_label": services.outreach_channel_label,
        "barrier_label": services.barrier_label,
        "offer_label": services.offer_label,
        "registration_channel_label": services.registration_channel_label,
        "person_role_label": services.board_role_label,
        "record_status_label": services.board_status_label,
        "states": services.BOARD_STATES,
    }


@_board_bp.get("/<int:gathering_id>/board")
@_board_login_required
def board(gathering_id: int):
    from eventapp.core.access import may_manage_county
    from eventapp.invitations import services

    gathering = _board_gathering(gathering_id)
    state = _board_request.args.get("state")
    if state not in services.BOARD_STATES:
        state = None
    rows = services.board_rows(gathering)
    counts = services.board_state_counts(rows)
    shown = [r for r in rows if r.state == state] if state else rows
    return _board_render(
        "invitations/board.html", gathering=gathering, rows=shown, counts=counts, state=state,
        total=len(rows), is_host=may_manage_county(_board_user, gathering.county_id),
        **_board_labels(),
    )


@_board_bp.route("/<int:gathering_id>/board/<int:municipality_id>", methods=["GET", "POST"])
@_board_login_required
def municipality(gathering_id: int, municipality_id: int):
    from eventapp.core.access import may_manage_county
    from eventapp.core.errors import DomainError
    from eventapp.core.web import errors_to_form
    from eventapp.extensions import db
    from eventapp.invitations import services
    from eventapp.invitations.forms import CapForm, FollowUpForm

    gathering = _board_gathering(gathering_id)
    unit = services.board_unit(gathering, municipality_id)
    if unit is None:
        _board_abort(404)
    is_host = may_manage_county(_board_user, gathering.county_id)
    may_follow_up = services.may_act_for(_board_user, gathering, unit)
    follow_up_form, cap_form = FollowUpForm(), CapForm()
    status = 200
    if _board_request.method == "POST":
        which = _board_request.form.get("which")
        if (which == "cap" and not is_host) or (which != "cap" and not may_follow_up):
            _board_abort(403)
        form = cap_form if which == "cap" else follow_up_form
        if form.validate_on_submit():
            try:
                if which == "cap":
                    promoted = services.set_municipality_cap(gathering, _board_user, unit,
                                                             cap_form.cap.data)
                else:
                    services.save_follow_up(
                        gathering, _board_user, unit, barriers=follow_up_form.barriers(),
                        barrier_other=follow_up_form.barrier_other.data,
                        offers=follow_up_form.offers(), next_step=follow_up_form.next_step.data)
                    promoted = []
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = exc.status if exc.status in (403, 409) else 422
            else:
                db.session.commit()
                if which == "cap":
                    _board_flash(_("The places for %(name)s are saved.", name=unit.name),
                                 "success")
                    if promoted:
                        _board_flash(_("%(n)d moved from the waitlist to confirmed and got "
                                             "a mail.", n=len(promoted)), "success")
                else:
                    _board_flash(_("The follow-up for %(name)s is saved.", name=unit.name),
                                 "success")
                return _board_redirect(_board_url_for("invitations.municipality",
                                                      gathering_id=gathering.id,
                                                      municipality_id=unit.id))
        else:
            status = 422
    detail = services.municipality_detail(gathering, unit)
    if _board_request.method == "GET" or _board_request.form.get("which") == "cap":
        follow_up_form.fill(detail["follow_up"])
    if _board_request.method == "GET" or _board_request.form.get("which") != "cap":
        cap_form.cap.data = detail["follow_up"].cap if detail["follow_up"] else None
    return _board_render(
        "invitations/municipality.html", gathering=gathering, unit=unit, detail=detail,
        follow_up_form=follow_up_form if may_follow_up else None,
        cap_form=cap_form if is_host else None, **_board_labels(),
    ), status


@_board_bp.route("/<int:gathering_id>/outreach", methods=["GET", "POST"])
@_board_login_required
def outreach(gathering_id: int):
    from eventapp.core.errors import DomainError
    from eventapp.core.time import OSLO, utcnow
    from eventapp.core.web import errors_to_form
    from eventapp.extensions import db
    from eventapp.invitations import services
    from eventapp.invitations.forms import OutreachForm

    gathering = _board_gathering(gathering_id)
    units = services.outreach_units(_board_user, gathering)
    form = OutreachForm(units=units)
    status = 200
    if _board_request.method == "POST":
        if not units:
            _board_abort(403)
        if form.validate_on_submit():
            unit = services.board_unit(gathering, form.municipality.data)
            try:
                entry = services.log_outreach(
                    gathering, _board_user, municipality=unit, channel=form.channel.data,
                    happened_on=form.happened_on.data, note=form.note.data or "")
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = 403 if exc.status == 403 else 422
            else:
                db.session.commit()
                _board_flash(_("Logged: %(channel)s with %(name)s.",
                                     channel=services.outreach_channel_label(entry.channel),
                                     name=unit.name), "success")
                return _board_redirect(_board_url_for("invitations.outreach",
                                                      gathering_id=gathering.id))
        else:
            status = 422
    elif form.happened_on.data is None:
        form.happened_on.data = utcnow().astimezone(OSLO).date()
        if _board_request.args.get("municipality", "").isdigit():
            form.municipality.data = int(_board_request.args["municipality"])
    return _board_render(
        "invitations/outreach.html", gathering=gathering, section="outreach",
        form=form if units else None,
        log=services.outreach_log(gathering), mine={u.id for u in units}, **_board_labels(),
    ), status


def _board_public_link_gathering(gathering_id: int):
    """The host, the committee, the county's counsellors and the directorate hand out the
    public link."""
    from eventapp.core.access import get_scoped_or_404
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import may_edit_programme
    from eventapp.invitations import services

    gathering = get_scoped_or_404(Gathering, gathering_id)
    if not (services.may_view_board(_board_user, gathering)
            or may_edit_programme(_board_user, gathering)):
        _board_abort(403)
    return gathering


@_board_bp.get("/<int:gathering_id>/public-link")
@_board_login_required
def public_link(gathering_id: int):
    from eventapp.invitations import services
    from eventapp.registration.services import registration_open

    gathering = _board_public_link_gathering(gathering_id)
    return _board_render(
        "invitations/outreach.html", gathering=gathering, section="public_link",
        url=services.public_registration_url(gathering),
        qr_svg=services.public_link_svg_inline(gathering),
        is_open=registration_open(gathering),
    )


@_board_bp.get("/<int:gathering_id>/public-link.<any(svg, png):kind>")
@_board_login_required
def public_link_qr(gathering_id: int, kind: str):
    from eventapp.invitations import services

    gathering = _board_public_link_gathering(gathering_id)
    data = services.public_link_qr(gathering, kind)
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    response = _BoardResponse(data, mimetype=mimetype)
    if _board_request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="registration-qr-{gathering.id}.{kind}"')
    return response


@_board_bp.get("/<int:gathering_id>/channels")
@_board_login_required
def channels(gathering_id: int):
    from eventapp.invitations import services

    gathering = _board_gathering(gathering_id)
    return _board_render("invitations/channels.html", gathering=gathering,
                         report=services.channel_report(gathering), **_board_labels())


@_board_bp.app_template_global("may_view_board")
def _board_may_view_board_global(gathering) -> bool:
    """For the gathering's section links: whether the board, outreach and channel report
    pages are open to the current user."""
    from eventapp.invitations import services

    return services.may_view_board(_board_user, gathering)
