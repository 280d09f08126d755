"""Registering by the public link, the registrant's own page (by the private link in the
confirmation) to see, change or cancel; the host's lists, exports, badges and check-in; the
host's and a municipal contact's registrations. The personal invitation link's page lives with
the invitations (``invitations.views.personal_link``) and uses ``register_page``."""

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError
from eventapp.core.listing import parse_sort, query_text
from eventapp.core.web import errors_to_form
from eventapp.extensions import db, limiter
from eventapp.gatherings.models import Gathering
from eventapp.partners.services import active_partners
from eventapp.registration import bp, services
from eventapp.registration.forms import (
    CheckinForm,
    EditOwnForm,
    ParticipantForm,
    RegistrationForm,
    SwapForm,
    page_role_label,
    role_label,
)
from eventapp.registration.models import STATUSES, Registration
from eventapp.registration.services.day import CheckinBeforeGathering
from eventapp.registration.services.hosting import REGISTRATION_SORTS

REGISTER_LIMIT = "30 per minute"


def _form(gathering: Gathering, unit=None, person: tuple[str, str] | None = None, *,
          participant: bool = False, partner=None) -> RegistrationForm:
    """The registration form; with ``unit`` the municipality is fixed (a personal link) and
    ``person`` (name, email) fills in who it was sent to. ``participant``: someone registers
    another (the host, a municipal contact), so the form speaks of the participant.
    ``partner``: the partner organisation a personal link was sent to, chosen to begin with."""
    form = ParticipantForm() if participant else RegistrationForm()
    units = services.registration_units(gathering)
    form.municipality.choices = [("", _("Choose"))] + [(u.number, u.name) for u in units]
    form.partner_id.choices = [("", _("Not in the list (write the name below)"))] + [
        (str(p.id), f"{p.name} ({p.kind_label})") for p in active_partners(gathering.county_id)]
    if not form.is_submitted() and partner is not None and partner.active \
            and partner.county_id == gathering.county_id:
        form.organisation_kind.data = "partner"
        form.partner_id.data = str(partner.id)
        if person is not None:
            form.name.data, form.email.data = person
    if unit is not None:
        # The personal link fixes the municipality; the form shows it but does not ask.
        form.organisation_kind.choices = [("municipality", _("A municipality or city district"))]
        form.municipality.choices = [(unit.number, unit.name)]
        if person is not None and not form.is_submitted():
            form.name.data, form.email.data = person
    else:
        form.organisation_kind.choices = [
            ("municipality", _("A municipality or city district")),
            ("county", _("%(county)s county council", county=gathering.county.name)),
            ("partner", _("A partner organisation (NAV, adult education, IMDi …)")),
        ]
    form.role.choices = [(value, role_label(value)) for value, _label in form.role.choices]
    if gathering.days == 1:
        del form.day2
    if gathering.mode != "hybrid":
        del form.attends_digitally
    return form


def _data(form: RegistrationForm, unit=None) -> services.RegistrationData:
    return services.RegistrationData(
        name=form.name.data or "", email=form.email.data or "",
        organisation_kind=form.organisation_kind.data,
        municipality_number=unit.number if unit is not None else form.municipality.data,
        partner_name=form.partner_name.data,
        partner_id=form.partner_id.data if form.organisation_kind.data == "partner" else None,
        role=form.role.data, phone=form.phone.data or "",
        day1=form.day1.data, day2=getattr(form, "day2", None) is not None and form.day2.data,
        attends_dinner=form.attends_dinner.data, dietary_needs=form.dietary_needs.data or "",
        dietary_consent=form.dietary_consent.data,
        accessibility_needs=form.accessibility_needs.data or "",
        accommodation=form.accommodation.data,
        travel_support_requested=form.travel_support_requested.data,
        list_consent=form.list_consent.data,
        attends_digitally=getattr(form, "attends_digitally", None) is not None
        and form.attends_digitally.data,
        seating_wish=form.seating_wish.data or None,
    )


def _submit(form, register) -> tuple:
    """Validate the form and call ``register``; commit on success. Returns the registration
    (or None) and the status to answer with: refusals are shown beside the fields."""
    if not form.validate_on_submit():
        return None, 422 if form.is_submitted() else 200
    try:
        registration = register()
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return None, exc.status if exc.status in (403, 404, 409) else 422
    db.session.commit()
    return registration, 200


def register_page(gathering: Gathering, *, channel: str, unit=None,
                  person: tuple[str, str] | None = None, invitation_id: int | None = None,
                  partner=None):
    """The registration page for anyone with the link: the public link, or (with ``unit``, the
    ``person`` it was sent to and ``invitation_id``) a personal invitation link; one sent to a
    partner's contact gives ``partner`` instead of ``unit``."""
    form = _form(gathering, unit, person, partner=partner)
    registration, status = _submit(form, lambda: services.register(
        gathering, _data(form, unit), channel=channel, invitation_id=invitation_id))
    if registration is not None:
        if registration.status == "confirmed":
            flash(_("You are registered. A confirmation is on its way to %(email)s.",
                    email=registration.email), "success")
        else:
            flash(_("All places for %(organisation)s are taken. You are on the waitlist, and "
                    "we will email you if a place becomes free.",
                    organisation=registration.organisation_name), "info")
        return redirect(url_for("registration.manage", token=registration.manage_token))
    return render_template("registration/register.html", gathering=gathering, form=form,
                           unit=unit, is_open=services.registration_open(gathering)), status


@bp.route("/gatherings/<int:gathering_id>/register", methods=["GET", "POST"])
@policy.public
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def public(gathering_id: int):
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return register_page(gathering, channel="public_link")


@bp.get("/registration/<token>")
@policy.public
def manage(token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    return render_template("registration/manage.html", registration=registration,
                           gathering=registration.gathering, action=FlaskForm(),
                           reg_role_label=page_role_label(),
                           position=services.waitlist_position(registration))


@bp.route("/registration/<token>/cancel", methods=["GET", "POST"])
@policy.public
def cancel_own(token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    back = url_for("registration.manage", token=token)
    if registration.status == "cancelled":
        flash(_("This registration is already cancelled."), "info")
        return redirect(back)
    if not confirm.given():
        return confirm.ask(_cancel_question(registration, url_for(
            "registration.cancel_own", token=token), back, own=True))
    if FlaskForm().validate_on_submit():
        services.cancel(registration)
        db.session.commit()
        flash(_("Your registration is cancelled, and your place goes to the next in line."),
              "success")
    else:
        flash(_("Nothing was changed: the form had expired. Please try again."), "error")
    return redirect(back)


def _cancel_question(registration, action: str, back: str, *, own: bool) -> confirm.Question:
    """What cancelling ``registration`` does, said to the participant (``own``) or the host;
    the participant is not told who is next in line."""
    from eventapp.registration.services.cancel_preview import next_in_line

    gathering = registration.gathering
    nxt = next_in_line(registration)
    if own:
        if registration.status == "confirmed":
            lines = [_("You lose your place at %(gathering)s, and cannot take it back: to come "
                       "after all, you register again and may end up on the waitlist.",
                       gathering=gathering.title)]
            lines.append(_("Your place goes to the first on the waitlist for %(organisation)s, "
                           "if anyone is waiting.", organisation=registration.organisation_name))
        else:
            lines = [_("You leave the waitlist for %(gathering)s and lose your place in the "
                       "queue.", gathering=gathering.title)]
        return confirm.Question(
            title=_("Cancel your registration?"), consequences=lines, action=action,
            yes=_("Yes, cancel my registration"), back=back)
    lines = [_("%(name)s (%(organisation)s) loses their place at %(gathering)s.",
               name=registration.name, organisation=registration.organisation_name,
               gathering=gathering.title) if registration.status == "confirmed" else
             _("%(name)s (%(organisation)s) leaves the waitlist.", name=registration.name,
               organisation=registration.organisation_name)]
    if nxt is not None:
        lines.append(_("The first on the waitlist, %(name)s (%(organisation)s), gets the place "
                       "and is emailed.", name=nxt.name, organisation=nxt.organisation_name))
    elif registration.status == "confirmed":
        lines.append(_("Nobody on the waitlist moves up: the place stays free."))
    lines.append(_("This cannot be undone: to come after all, they register again."))
    return confirm.Question(
        title=_("Cancel %(name)s's registration?", name=registration.name), consequences=lines,
        action=action, yes=_("Yes, cancel the registration"), back=back, gathering=gathering)


@bp.route("/registration/<token>/edit", methods=["GET", "POST"])
@policy.public
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def edit_own(token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    gathering = registration.gathering
    form = EditOwnForm(obj=None if FlaskForm().is_submitted() else registration)
    if gathering.days == 1:
        del form.day2
    status = 200
    editable = services.editable(registration)
    if editable and form.validate_on_submit():
        try:
            services.update_own(registration, services.OwnChanges(
                phone=form.phone.data or "", day1=form.day1.data,
                day2=getattr(form, "day2", None) is not None and form.day2.data,
                attends_dinner=form.attends_dinner.data,
                dietary_needs=form.dietary_needs.data or "",
                dietary_consent=form.dietary_consent.data,
                accessibility_needs=form.accessibility_needs.data or "",
                accommodation=form.accommodation.data,
                travel_support_requested=form.travel_support_requested.data,
                list_consent=form.list_consent.data,
                seating_wish=form.seating_wish.data or None))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    elif form.is_submitted():
        status = 422
    return render_template("registration/edit_own.html", gathering=gathering,
                           registration=registration, form=form, editable=editable), status


# --- lists and the day ---------------------------------------------------------------------
# The venue summary and exports (county host only: they hold dietary and accessibility needs),
# name badges and check-in (host and counsellors), and the public participant list.

@bp.get("/gatherings/<int:gathering_id>/summary")
@policy.requires("registration.needs")
def summary(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    show_names = request.args.get("names") == "1"
    return render_template("registration/summary.html", gathering=gathering,
                           show_names=show_names, summary=services.venue_summary(gathering))


@bp.get("/gatherings/<int:gathering_id>/registrations.<any(csv, xlsx):fmt>")
@policy.requires("registration.needs")
def export(gathering_id: int, fmt: str):
    gathering = policy.load(Gathering, gathering_id)
    if fmt == "csv":
        body, mimetype = services.export_csv(gathering), "text/csv; charset=utf-8"
    else:
        body = services.export_xlsx(gathering)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="registrations-{gathering.id}.{fmt}"'
    return response


@bp.get("/gatherings/<int:gathering_id>/badges")
@policy.requires("badges.print")
def badges(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    people = sorted(services.confirmed_registrations(gathering),
                    key=lambda r: (r.organisation_name.casefold(), r.name.casefold()))
    return render_template("registration/badges.html", gathering=gathering, people=people,
                           reg_role_label=page_role_label())


def _checkin_day(gathering: Gathering, raw) -> int:
    """The day asked for in the address, or today's day of the gathering."""
    days = services.attendance_days(gathering)
    if raw is not None and str(raw).strip() in {str(d) for d in days}:
        return int(raw)
    return services.default_checkin_day(gathering)


def _checkin_url(gathering: Gathering, day: int, q: str) -> str:
    return url_for("registration.checkin", gathering_id=gathering.id,
                   day=day if gathering.days > 1 else None, q=q or None)


def _checkin_page(gathering: Gathering, q: str, day: int, status: int = 200):
    counts = services.checkin_counts(gathering)
    return render_template(
        "registration/checkin.html", gathering=gathering, q=q, day=day, counts=counts,
        today=next(c for c in counts if c.day == day),
        people=services.confirmed_registrations(gathering, q),
        confirmed=len(services.confirmed_registrations(gathering)),
        action=FlaskForm(), reg_role_label=page_role_label(),
    ), status


def _wants_json() -> bool:
    """The check-in script asks for JSON (``Accept: application/json``); a plain form post
    (no script) gets the page again."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def _checkin_json(gathering: Gathering, registration, day: int, q: str, message: str,
                  status: int = 200):
    """The ticked row as the page draws it, and the counts, for the script to swap in."""
    counts = services.checkin_counts(gathering)
    row = render_template("registration/checkin_row.html", r=registration, gathering=gathering,
                          day=day, q=q, two_days=len(counts) > 1, action=FlaskForm(),
                          reg_role_label=page_role_label())
    today = next(c for c in counts if c.day == day)
    return jsonify({
        "ok": status == 200, "message": message, "row": row, "registration_id": registration.id,
        "counts": {"day": day, "attended": today.attended, "expected": today.expected,
                   "confirmed": len(services.confirmed_registrations(gathering)),
                   "days": [{"day": c.day, "attended": c.attended, "expected": c.expected}
                            for c in counts]},
    }), status


@bp.get("/gatherings/<int:gathering_id>/checkin")
@policy.requires("checkin.record")
def checkin(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return _checkin_page(gathering, (request.args.get("q") or "").strip()[:100],
                         _checkin_day(gathering, request.args.get("day")))


@bp.post("/gatherings/<int:gathering_id>/checkin/<int:registration_id>")
@policy.requires("checkin.record")
def checkin_tick(gathering_id: int, registration_id: int):
    gathering = policy.load(Gathering, gathering_id)
    registration = services.registration_for_the_day(current_user, registration_id)
    if registration is None or registration.gathering_id != gathering.id:
        abort(404)
    form = CheckinForm()
    q = (form.q.data or "").strip()[:100]
    back = _checkin_day(gathering, form.day.data)
    as_json = _wants_json()
    if not form.validate_on_submit():
        message = _("Nothing was changed: the check-in could not be read. Try again.")
        if as_json:
            return jsonify({"ok": False, "error": {"code": "invalid", "message": message}}), 400
        flash(message, "error")
        return redirect(_checkin_url(gathering, back, q))
    # No day: the person came (or did not) on the days they registered for.
    day = int(form.day.data) if form.day.data else None
    early = confirm.given()
    try:
        services.record_attendance(registration, form.attended.data == "1", current_user,
                                   day=day, early=early)
    except CheckinBeforeGathering as exc:
        db.session.rollback()
        if as_json:  # the script sends the form the plain way, and this page asks
            return jsonify({"ok": False, "confirm": True,
                            "error": {"code": exc.code, "message": exc.message}}), exc.status
        return confirm.ask(confirm.Question(
            title=_("Note %(name)s's arrival before the gathering?", name=registration.name),
            consequences=[exc.message],
            action=url_for("registration.checkin_tick", gathering_id=gathering.id,
                           registration_id=registration.id),
            yes=_("Yes, note the arrival"), back=_checkin_url(gathering, back, q),
            carry={"q": q, "day": form.day.data or "", "attended": "1"},
            gathering=gathering, danger=False))
    except DomainError as exc:
        db.session.rollback()
        message = _("Nothing was changed: %(reason)s", reason=exc.message)
        if as_json:
            return jsonify({"ok": False, "error": {"code": "refused", "message": message}}), \
                exc.status
        flash(message, "error")
    else:
        db.session.commit()
        came = registration.attended if day is None \
            else getattr(registration, f"attended_day{day}")
        if early and not came:
            message, kind = _("%(name)s's arrival is noted. Check them in again on the day for "
                              "it to count.", name=registration.name), "info"
        elif gathering.days > 1 and day is not None:
            if came:
                message, kind = _("%(name)s is checked in for day %(day)d.",
                                  name=registration.name, day=day), "success"
            else:
                message, kind = _("%(name)s is no longer checked in for day %(day)d.",
                                  name=registration.name, day=day), "info"
        elif came:
            message, kind = _("%(name)s is checked in.", name=registration.name), "success"
        else:
            message, kind = _("%(name)s is no longer checked in.", name=registration.name), "info"
        if as_json:
            return _checkin_json(gathering, registration, day or back, q, message)
        flash(message, kind)
    return redirect(_checkin_url(gathering, back, q) + f"#r-{registration.id}")


@bp.get("/gatherings/<int:gathering_id>/participants")
@policy.public
def participants(gathering_id: int):
    """Public for a published gathering: name and organisation of those who agreed."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return render_template("registration/participants_public.html", gathering=gathering,
                           people=services.public_participants(gathering))


# --- host and municipal registration ---
# The host's participant list with caps, mix guidance and the county delegation; the host
# registers anyone; a municipal contact registers and swaps their own people.

def _contact_unit(gathering_id: int):
    """The gathering and the municipality the municipal contact registers for: 404 outside
    their scope, 403 when they register for no municipality of it."""
    gathering = policy.load(Gathering, gathering_id)
    unit = services.own_unit(gathering, current_user)
    if unit is None:
        abort(403)
    return gathering, unit


@bp.get("/gatherings/<int:gathering_id>/registrations")
@policy.requires("registration.manage")
def registrations(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    units = services.registration_units(gathering)
    municipality = next((u for u in units if str(u.id) == request.args.get("municipality")), None)
    day = int(request.args["day"]) if gathering.days > 1 and request.args.get("day") in ("1", "2") \
        else None
    q = query_text(request.args.get("q"))
    sort = parse_sort(request.args.get("sort"), REGISTRATION_SORTS, "created")
    lines, pool = services.cap_overview(gathering, units)
    return render_template(
        "registration/registrations.html", gathering=gathering, status=status,
        statuses=STATUSES, municipality=municipality, units=units, q=q, day=day, sort=sort,
        checkin_days=services.attendance_days(gathering),
        rows=services.host_registrations(gathering, status=status,
                                         municipality_id=municipality.id if municipality else None,
                                         q=q, day=day, sort=sort),
        active_lines=[c for c in lines if c.confirmed or c.waitlisted or c.overridden],
        quiet_lines=[c for c in lines if not (c.confirmed or c.waitlisted or c.overridden)],
        pool=pool, delegation=services.delegation_check(gathering),
        hints=services.mix_hints(gathering), action=FlaskForm(), reg_role_label=page_role_label(),
        is_open=services.registration_open(gathering),
    )


def _host_row(gathering_id: int, registration_id: int):
    """A row of the host's list: its gathering, the registration (404 if not the host's) and
    the list to go back to."""
    gathering = policy.load(Gathering, gathering_id)
    try:
        registration = services.registration_for_host(gathering, registration_id, current_user)
    except DomainError:
        abort(404)
    return gathering, registration, url_for("registration.registrations",
                                            gathering_id=gathering.id)


@bp.route("/gatherings/<int:gathering_id>/registrations/<int:registration_id>/cancel",
          methods=["GET", "POST"])
@policy.requires("registration.cancel")
def host_cancel(gathering_id: int, registration_id: int):
    gathering, registration, back = _host_row(gathering_id, registration_id)
    if registration.status == "cancelled":
        flash(_("This registration is already cancelled."), "info")
        return redirect(back)
    return _cancel_after_question(
        _cancel_question(registration, url_for(
            "registration.host_cancel", gathering_id=gathering.id,
            registration_id=registration.id), back, own=False),
        lambda: services.host_cancel(registration, current_user), back,
        _("%(name)s is cancelled.", name=registration.name))


def _cancel_after_question(question, cancel, back: str, done_message: str):
    """Ask first; on "yes" cancel, commit and say who moved up from the waitlist."""
    if not confirm.given():
        return confirm.ask(question)
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was changed: the form had expired. Please try again."), "error")
        return redirect(back)
    try:
        promoted = cancel()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(done_message, "success")
    for person in promoted:
        flash(_("%(name)s moved up from the waitlist and has been emailed.", name=person.name),
              "info")
    return redirect(back)


# --- bulk actions on the host's list ---
# Ticked rows are sent as ``ids`` (one value per row, or comma-joined when carried through the
# confirmation page). Everything chosen is done in one transaction or nothing is.

BULK_MAX = 500  # more than any gathering has; a longer list is hostile, not a selection


def _chosen(gathering: Gathering) -> list[Registration] | None:
    """The ticked registrations of this gathering in a fixed order (municipality, then id, so
    concurrent bulk actions take the municipalities' locks in one order); None when the
    selection cannot be read or names a registration not on this gathering's list."""
    raw = ",".join(request.form.getlist("ids")).split(",")
    ids = {p.strip() for p in raw if p.strip()}
    if not ids or len(ids) > BULK_MAX or not all(p.isdigit() and len(p) < 10 for p in ids):
        return None
    rows = services.chosen_registrations(gathering, {int(p) for p in ids})
    return rows if len(rows) == len(ids) else None


def _bulk_refused(back: str, message: str):
    db.session.rollback()
    flash(message, "error")
    return redirect(back)


@bp.post("/gatherings/<int:gathering_id>/registrations/bulk-cancel")
@policy.requires("registration.cancel")
def bulk_cancel(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    back = url_for("registration.registrations", gathering_id=gathering.id) + "#participants"
    chosen = _chosen(gathering)
    if chosen is None:
        return _bulk_refused(back, _("Nothing was changed: choose one or more participants "
                                     "from the list."))
    if not confirm.given():
        names = ", ".join(r.name for r in chosen)
        lines = [ngettext("%(num)d registration is cancelled: %(names)s.",
                          "%(num)d registrations are cancelled: %(names)s.", len(chosen),
                          names=names),
                 _("Each of them is emailed that the host has cancelled their registration."),
                 _("The first on each waitlist gets the freed places and is emailed."),
                 _("This cannot be undone: to come after all, they register again.")]
        return confirm.ask(confirm.Question(
            title=ngettext("Cancel %(num)d registration?", "Cancel %(num)d registrations?",
                           len(chosen)),
            consequences=lines,
            action=url_for("registration.bulk_cancel", gathering_id=gathering.id),
            yes=ngettext("Yes, cancel %(num)d registration", "Yes, cancel %(num)d registrations",
                         len(chosen)),
            back=back, carry={"ids": ",".join(str(r.id) for r in chosen)}, gathering=gathering))
    if not FlaskForm().validate_on_submit():
        return _bulk_refused(back, _("Nothing was changed: the form had expired. Please try "
                                     "again."))
    promoted = []
    for registration in chosen:
        try:
            promoted += services.host_cancel(registration, current_user)
        except DomainError as exc:
            return _bulk_refused(back, _("Nothing was changed: %(name)s: %(reason)s",
                                         name=registration.name, reason=exc.message))
    db.session.commit()
    flash(ngettext("%(num)d registration is cancelled.", "%(num)d registrations are cancelled.",
                   len(chosen)), "success")
    for person in promoted:
        flash(_("%(name)s moved up from the waitlist and has been emailed.", name=person.name),
              "info")
    return redirect(back)


@bp.post("/gatherings/<int:gathering_id>/registrations/bulk-checkin")
@policy.requires("checkin.record")
def bulk_checkin(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    back = url_for("registration.registrations", gathering_id=gathering.id) + "#participants"
    if not FlaskForm().validate_on_submit():
        return _bulk_refused(back, _("Nothing was changed: the form had expired. Please try "
                                     "again."))
    chosen = _chosen(gathering)
    if chosen is None:
        return _bulk_refused(back, _("Nothing was changed: choose one or more participants "
                                     "from the list."))
    raw_day = request.form.get("day") or ""
    days = services.attendance_days(gathering)
    if raw_day not in {str(d) for d in days}:
        return _bulk_refused(back, _("Nothing was changed: choose the day to check in for."))
    day = int(raw_day)
    for registration in chosen:
        try:
            services.record_attendance(registration, True, current_user, day=day)
        except CheckinBeforeGathering:
            # The single tick asks first and counts nothing; a whole list is not noted early.
            return _bulk_refused(back, _(
                "Nothing was changed: the gathering begins %(date)s, and a check-in before then "
                "does not count. Check people in on the day.",
                date=format_date(gathering.start_date, "long")))
        except DomainError as exc:
            return _bulk_refused(back, _("Nothing was changed: %(name)s: %(reason)s",
                                         name=registration.name, reason=exc.message))
    db.session.commit()
    if len(days) > 1:
        flash(ngettext("%(num)d person is checked in for day %(day)d.",
                       "%(num)d people are checked in for day %(day)d.", len(chosen), day=day),
              "success")
    else:
        flash(ngettext("%(num)d person is checked in.", "%(num)d people are checked in.",
                       len(chosen)), "success")
    return redirect(back)


@bp.route("/gatherings/<int:gathering_id>/registrations/new", methods=["GET", "POST"])
@policy.requires("registration.manage")
def host_register(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    form = _form(gathering, participant=True)
    registration, status = _submit(
        form, lambda: services.host_register(gathering, current_user, _data(form)))
    if registration is not None:
        if registration.status == "confirmed":
            flash(_("%(name)s is registered and has been emailed a confirmation.",
                    name=registration.name), "success")
        else:
            flash(_("All places for %(organisation)s are taken: %(name)s is on the waitlist "
                    "and has been told so.", organisation=registration.organisation_name,
                    name=registration.name), "info")
        return redirect(url_for("registration.registrations", gathering_id=gathering.id))
    return render_template("registration/host_register.html", gathering=gathering, form=form,
                           is_open=services.registration_open(gathering)), status


def _municipal_form(gathering: Gathering, unit):
    form = _form(gathering, participant=True)
    form.organisation_kind.choices = [("municipality", _("A municipality or city district"))]
    form.municipality.choices = [(unit.number, unit.name)]
    if not form.is_submitted():
        form.organisation_kind.data = "municipality"
        form.municipality.data = unit.number
    return form


@bp.route("/gatherings/<int:gathering_id>/our-registrations", methods=["GET", "POST"])
@policy.requires("registration.municipal")
def municipal_register(gathering_id: int):
    gathering, unit = _contact_unit(gathering_id)
    form = _municipal_form(gathering, unit)

    def register():
        data = _data(form)
        data.organisation_kind = "municipality"
        return services.municipal_register(gathering, current_user, data)

    registration, status = _submit(form, register)
    if registration is not None:
        if registration.status == "confirmed":
            flash(_("%(name)s has a place and has been emailed a confirmation.",
                    name=registration.name), "success")
        else:
            flash(_("All places for %(organisation)s are taken: %(name)s is on the waitlist "
                    "and has been told so.", organisation=unit.name, name=registration.name),
                  "info")
        return redirect(url_for("registration.municipal_register", gathering_id=gathering.id))
    return render_template(
        "registration/host_register.html", gathering=gathering, form=form, unit=unit,
        is_open=services.registration_open(gathering),
        people=services.unit_registrations(gathering, unit),
        line=services.cap_lines(gathering, unit)[0],
        hints=services.mix_hints(gathering).get(unit.id, []), reg_role_label=page_role_label(),
    ), status


@bp.route("/gatherings/<int:gathering_id>/our-registrations/<int:registration_id>/swap",
          methods=["GET", "POST"])
@policy.requires("registration.municipal")
def swap(gathering_id: int, registration_id: int):
    gathering, unit = _contact_unit(gathering_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.gathering_id != gathering.id \
            or registration.municipality_id != unit.id:
        abort(404)
    if registration.status == "cancelled":
        flash(_("A cancelled registration cannot be swapped."), "error")
        return redirect(url_for("registration.municipal_register", gathering_id=gathering.id))
    form = SwapForm()
    form.role.choices = [(value, role_label(value)) for value, _label in form.role.choices]
    if not form.is_submitted():
        form.role.data = registration.role
    status = 200
    if form.validate_on_submit():
        old_name = registration.name
        try:
            services.swap(registration, current_user, services.PersonData(
                name=form.name.data or "", email=form.email.data or "", role=form.role.data,
                phone=form.phone.data or ""))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = exc.status if exc.status in (403, 404) else 422
        else:
            db.session.commit()
            flash(_("%(new)s takes over the place from %(old)s. Both have been emailed.",
                    new=registration.name, old=old_name), "success")
            return redirect(url_for("registration.municipal_register", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422
    return render_template("registration/swap.html", gathering=gathering, unit=unit, form=form,
                           registration=registration, reg_role_label=page_role_label()), status


@bp.route("/gatherings/<int:gathering_id>/our-registrations/<int:registration_id>/cancel",
          methods=["GET", "POST"])
@policy.requires("registration.municipal")
def municipal_cancel(gathering_id: int, registration_id: int):
    """A municipal contact withdraws one of their own people, after a confirmation."""
    gathering, unit = _contact_unit(gathering_id)
    try:
        registration = services.municipal_registration(gathering, registration_id, current_user)
    except DomainError:
        abort(404)
    back = url_for("registration.municipal_register", gathering_id=gathering.id)
    if registration.status == "cancelled":
        flash(_("This registration is already cancelled."), "info")
        return redirect(back)
    return _cancel_after_question(
        _withdraw_question(registration, unit, url_for(
            "registration.municipal_cancel", gathering_id=gathering.id,
            registration_id=registration.id), back),
        lambda: services.municipal_cancel(registration, current_user), back,
        _("%(name)s is withdrawn and has been emailed.", name=registration.name))


def _withdraw_question(registration, unit, action: str, back: str) -> confirm.Question:
    """What withdrawing does, said to the municipal contact: the waitlist they see is their
    own municipality's, so they may be told who moves up."""
    from eventapp.registration.services.cancel_preview import next_in_line

    gathering = registration.gathering
    lines = [_("%(name)s loses their place at %(gathering)s.", name=registration.name,
               gathering=gathering.title) if registration.status == "confirmed" else
             _("%(name)s leaves the waitlist.", name=registration.name),
             _("%(name)s is emailed that %(unit)s has withdrawn the registration.",
               name=registration.name, unit=unit.name)]
    nxt = next_in_line(registration)
    if nxt is not None:
        lines.append(_("The first on the waitlist for %(unit)s, %(name)s, gets the place and is "
                       "emailed.", unit=unit.name, name=nxt.name))
    elif registration.status == "confirmed":
        lines.append(_("Nobody on the waitlist moves up: the place stays free for %(unit)s.",
                       unit=unit.name))
    lines.append(_("This cannot be undone: to come after all, they register again."))
    return confirm.Question(
        title=_("Withdraw %(name)s?", name=registration.name), consequences=lines,
        action=action, yes=_("Yes, withdraw %(name)s", name=registration.name), back=back,
        gathering=gathering)


@bp.route("/gatherings/<int:gathering_id>/registrations/<int:registration_id>/promote",
          methods=["GET", "POST"])
@policy.requires("registration.manage")
def host_promote(gathering_id: int, registration_id: int):
    """The host gives someone on the waitlist a place by hand, within the caps."""
    gathering, registration, back = _host_row(gathering_id, registration_id)
    if registration.status != "waitlisted":
        flash(_("%(name)s is not on the waitlist.", name=registration.name), "info")
        return redirect(back)
    if not confirm.given():
        position = services.waitlist_position(registration)
        lines = [_("%(name)s (%(organisation)s) gets a place at %(gathering)s and is emailed a "
                   "confirmation with the calendar file.", name=registration.name,
                   organisation=registration.organisation_name, gathering=gathering.title)]
        if position and position > 1:
            lines.append(ngettext(
                "They are number %(num)d in the queue: the one ahead of them keeps waiting.",
                "They are number %(num)d in the queue: the %(ahead)d ahead of them keep waiting.",
                position, ahead=position - 1))
        lines.append(_("The place counts against the cap of %(organisation)s and the venue's "
                       "capacity; if none is free, nothing changes.",
                       organisation=registration.organisation_name))
        return confirm.ask(confirm.Question(
            title=_("Give %(name)s a place?", name=registration.name), consequences=lines,
            action=url_for("registration.host_promote", gathering_id=gathering.id,
                           registration_id=registration.id),
            yes=_("Yes, give %(name)s a place", name=registration.name), back=back,
            gathering=gathering, danger=False))
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was changed: the form had expired. Please try again."), "error")
        return redirect(back)
    try:
        services.host_promote(registration, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(_("Nothing was changed: %(reason)s", reason=exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s has a place and has been emailed a confirmation.", name=registration.name),
          "success")
    return redirect(back)
