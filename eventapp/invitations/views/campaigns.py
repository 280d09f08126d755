"""Email campaigns and the one-click reminder. The county's host writes and sends; the county's
counsellors read. Sending queues the mail (one per new recipient) in the request's transaction;
the outbox sender delivers after commit, and the campaign page shows the progress."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError, ValidationFailed
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import answering_units
from eventapp.invitations import bp, services
from eventapp.invitations.forms import CampaignForm, ReminderForm, SendCampaignForm
from eventapp.invitations.models import Campaign

CAMPAIGN_REFRESH_SECONDS = 5


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
                for user in services.county_counsellors(gathering)]
    return choices


def _campaign_form(form_class, gathering: Gathering, kind: str = "invitation"):
    form = form_class()
    form.sender_kind.choices = _campaign_sender_choices(gathering)
    if not form.is_submitted():
        subject, body = services.default_campaign_texts(gathering, kind)
        form.subject.data, form.body.data = subject, body
    return form


def _campaign_sender(form, gathering: Gathering) -> dict:
    """The service's sender arguments from the form's choice."""
    value = form.sender_kind.data or ""
    if value.startswith("counsellor-"):
        counsellor = next((u for u in services.county_counsellors(gathering)
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
    problems = {"subject": services.campaign_text_problem(subject or ""),
                "body": services.campaign_text_problem(body or "", need_link=True)}
    if any(problems.values()):
        if form is not None:
            for name, problem in problems.items():
                if problem:
                    getattr(form, name).errors = [*getattr(form, name).errors, problem]
        return None
    sample = services.campaign_sample_recipient(gathering)
    values = services.campaign_values(gathering, **sample)
    return {"to": sample["name"], "municipality": sample["municipality"],
            "subject": services.render_campaign_text(subject, values),
            "body": services.render_campaign_text(body, values)}


@bp.get("/<int:gathering_id>/campaigns")
@policy.requires("campaign.view")
def campaigns(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return _campaigns_page(gathering)


def _campaigns_page(gathering: Gathering, reminder_form=None, status: int = 200):
    is_host = policy.can(current_user, "campaign.send", gathering)
    rows = list(db.session.scalars(
        select(Campaign).where(Campaign.gathering_id == gathering.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ))
    progress = services.campaign_progress([c.id for c in rows])
    states = services.municipality_states(gathering)
    tally = {state: sum(1 for s in states.values() if s == state)
             for state in services.MUNICIPALITY_STATES}
    targets, target_contacts = services.reminder_targets(gathering)
    if is_host and reminder_form is None:
        reminder_form = _campaign_form(ReminderForm, gathering, kind="reminder")
    response = make_response(render_template(
        "invitations/campaigns.html", gathering=gathering, campaigns=rows, progress=progress,
        tally=tally, targets=targets, target_contacts=target_contacts, is_host=is_host,
        reminder_form=reminder_form if is_host else None,
        sender_label=campaign_sender_label, state_label=services.municipality_state_label,
        last_reminder=services.latest_reminder(gathering),
    ), status)
    if any(p["waiting"] for p in progress.values()):
        response.headers["Refresh"] = str(CAMPAIGN_REFRESH_SECONDS)
    return response


@bp.route("/<int:gathering_id>/campaigns/new", methods=["GET", "POST"])
@policy.requires("campaign.send")
def new_campaign(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    form = _campaign_form(CampaignForm, gathering)
    status = 200
    check = None  # the form whose text the preview checks, when asked for a preview
    if form.validate_on_submit():
        if form.save.data:
            try:
                campaign = services.create_campaign(
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
                           placeholders=services.campaign_placeholder_help()), status


@bp.get("/<int:gathering_id>/campaigns/<int:campaign_id>")
@policy.requires("campaign.view")
def campaign(gathering_id: int, campaign_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return _campaign_page(gathering, _campaign_of(gathering, campaign_id))


def _send_form(gathering: Gathering) -> SendCampaignForm:
    form = SendCampaignForm()
    form.municipalities.choices = [(unit.id, unit.name) for unit in answering_units(gathering)]
    form.partners.choices = [(p.id, f"{p.name} ({p.kind_label})")
                             for p in services.campaign_partners(gathering)]
    return form


def _campaign_page(gathering: Gathering, campaign: Campaign, send_form=None, status: int = 200):
    is_host = policy.can(current_user, "campaign.send", gathering)
    progress = services.campaign_progress([campaign.id])[campaign.id]
    states = services.municipality_states(gathering)
    if is_host and send_form is None:
        send_form = _send_form(gathering)
    sample = services.campaign_sample_recipient(gathering)
    values = services.campaign_values(gathering, **sample)
    missing = services.units_without_contacts(gathering)
    response = make_response(render_template(
        "invitations/campaign.html", gathering=gathering, campaign=campaign, progress=progress,
        without_contacts=missing, missing_ids={u.id for u in missing},
        contact_count=services.active_contact_count(gathering),
        recipients=services.campaign_recipients(campaign), is_host=is_host,
        send_form=send_form if is_host else None, states=states,
        state_label=services.municipality_state_label,
        sender_label=campaign_sender_label, sample=sample,
        sample_subject=services.render_campaign_text(campaign.subject, values),
        sample_body=services.render_campaign_text(campaign.body, values),
        refresh=CAMPAIGN_REFRESH_SECONDS if progress["waiting"] else None,
    ), status)
    if progress["waiting"]:
        response.headers["Refresh"] = str(CAMPAIGN_REFRESH_SECONDS)
    return response


def _flash_send(counts) -> None:
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


def _chosen_ids(form) -> list[int] | None:
    """The municipalities chosen on the campaign page, or carried by the confirmation page as
    "1,2,3"; None for "every municipality not registered yet"."""
    if form.recipients.data != "chosen":
        return None
    if form.municipalities.data:
        return list(form.municipalities.data)
    carried = (request.form.get("places") or "").split(",")
    return [int(p) for p in carried if p.isdigit() and len(p) < 10]


def _chosen_partners(form) -> list[int]:
    """The partner organisations chosen on the campaign page, or carried by the confirmation
    page as "1,2,3"."""
    if form.partners.data:
        return list(form.partners.data)
    carried = (request.form.get("partner_ids") or "").split(",")
    return [int(p) for p in carried if p.isdigit() and len(p) < 10]


def _send_question(gathering: Gathering, campaign: Campaign, plan, chosen,
                   partners=()) -> confirm.Question:
    """The confirmation page's words: what is sent, to how many, and who is left out."""
    people, places = plan.recipients, plan.municipalities
    if campaign.kind == "reminder":
        to_whom = ngettext("The reminder is sent to %(num)d contact person",
                           "The reminder is sent to %(num)d contact persons", people)
    else:
        to_whom = ngettext("The invitation is sent to %(num)d contact person",
                           "The invitation is sent to %(num)d contact persons", people)
    lead = to_whom + " " + ngettext("in %(num)d municipality", "in %(num)d municipalities", places)
    if plan.partners:
        lead += " " + ngettext("and at %(num)d partner organisation",
                               "and at %(num)d partner organisations", plan.partners)
    if plan.without_contacts:
        lead += "; " + ngettext("%(num)d municipality has no contact person",
                                "%(num)d municipalities have no contact person",
                                len(plan.without_contacts))
    consequences = [_("Each of them gets the mail “%(subject)s” from %(sender)s, with "
                      "a personal registration link and the calendar file.",
                      subject=campaign.subject, sender=campaign.sender_name)]
    if plan.without_contacts:
        consequences.append(_("Nobody is mailed in: %(places)s. Add contacts to reach them.",
                              places=", ".join(m.name for m in plan.without_contacts)))
    if plan.already_sent:
        consequences.append(ngettext(
            "%(num)d recipient already has this campaign and gets nothing new.",
            "%(num)d recipients already have this campaign and get nothing new.",
            plan.already_sent))
    consequences.append(_("A mail that has been sent cannot be called back."))
    carry = {"recipients": "chosen" if chosen is not None else "not_registered"}
    if chosen is not None:
        carry["places"] = ",".join(str(m) for m in chosen)
    if partners:
        carry["partner_ids"] = ",".join(str(p) for p in partners)
    back = url_for("invitations.campaign", gathering_id=gathering.id, campaign_id=campaign.id)
    return confirm.Question(
        title=_("Send “%(subject)s”?", subject=campaign.subject), lead=lead + ".",
        consequences=consequences, yes=ngettext("Yes, send to %(num)d person",
                                                "Yes, send to %(num)d people", people),
        action=url_for("invitations.send_campaign", gathering_id=gathering.id,
                       campaign_id=campaign.id),
        back=back, carry=carry, gathering=gathering, danger=False)


@bp.post("/<int:gathering_id>/campaigns/<int:campaign_id>/send")
@policy.requires("campaign.send")
def send_campaign(gathering_id: int, campaign_id: int):
    """Without ``confirmed`` this only asks: the confirmation page says who gets the mail and
    who is left out, and its "Yes" posts here again with the same choice."""
    gathering = policy.load(Gathering, gathering_id)
    campaign = _campaign_of(gathering, campaign_id)
    form = _send_form(gathering)
    if form.validate_on_submit():
        chosen = _chosen_ids(form)
        partners = _chosen_partners(form)
        if chosen is not None and not chosen and not partners:
            form.municipalities.errors = [_("Choose at least one municipality.")]
        else:
            try:
                if not confirm.given():
                    plan = services.campaign_send_plan(
                        campaign, municipalities=chosen, only_not_registered=chosen is None,
                        partners=partners)
                    if not plan.recipients:
                        raise _nobody_to_send(plan)
                    return confirm.ask(_send_question(gathering, campaign, plan, chosen,
                                                      partners))
                counts = services.send_campaign(
                    campaign, current_user, municipalities=chosen,
                    only_not_registered=chosen is None, partners=partners)
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
            else:
                db.session.commit()
                _flash_send(counts)
                return redirect(url_for("invitations.campaign", gathering_id=gathering.id,
                                        campaign_id=campaign.id))
    return _campaign_page(gathering, campaign, send_form=form, status=422)


def _nobody_to_send(plan) -> DomainError:
    if plan.already_sent:
        return ValidationFailed(_("Everyone in the chosen municipalities already has this "
                                  "campaign: there is nobody new to send to."),
                                field="municipalities")
    return ValidationFailed(_("None of the chosen municipalities has an active contact to send "
                              "to. Add contacts first."), field="municipalities")


def _reminder_question(gathering: Gathering, form, units, contacts) -> confirm.Question:
    """The reminder's confirmation: to how many, in which municipalities; the text written on
    the campaigns page is carried to the "Yes" unchanged."""
    lead = ngettext("The reminder is sent to %(num)d contact person",
                    "The reminder is sent to %(num)d contact persons", contacts) + " " + \
        ngettext("in %(num)d municipality", "in %(num)d municipalities", len(units)) + "."
    consequences = [
        _("Each of them gets the mail “%(subject)s”, with a personal registration link and the "
          "calendar file.", subject=form.subject.data),
        _("Reminded: %(places)s (reached, not registered yet).",
          places=", ".join(u.name for u in units)),
        _("A mail that has been sent cannot be called back."),
    ]
    carry = {name: request.form.get(name, "") for name in
             ("sender_kind", "sender_name", "sender_email", "subject", "body")}
    return confirm.Question(
        title=_("Send the reminder?"), lead=lead, consequences=consequences,
        yes=ngettext("Yes, remind %(num)d person", "Yes, remind %(num)d people", contacts),
        action=url_for("invitations.send_reminder", gathering_id=gathering.id),
        back=url_for("invitations.campaigns", gathering_id=gathering.id), carry=carry,
        gathering=gathering, danger=False)


@bp.post("/<int:gathering_id>/campaigns/reminder")
@policy.requires("campaign.send")
def send_reminder(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    form = _campaign_form(ReminderForm, gathering, kind="reminder")
    if form.validate_on_submit():
        if not confirm.given():
            # Ask first, like sending a campaign: who is reminded, and who cannot be.
            units, contacts = services.reminder_targets(gathering)
            if units and contacts:
                return confirm.ask(_reminder_question(gathering, form, units, contacts))
        try:
            reminder, counts = services.send_reminder(
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
