"""The municipality board, one municipality's page, the outreach log and the channel report.
The county's host and counsellors work the board and the directorate reads it
(``board.view``); a counsellor logs outreach and follow-up for their own municipalities, the
host for all (``board.act_for``); only the host changes a municipality's places
(``caps.set``)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError, Forbidden
from eventapp.core.listing import parse_sort, query_text
from eventapp.core.time import OSLO, utcnow
from eventapp.core.web import act, attempt, errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.invitations import bp, services
from eventapp.invitations.forms import CapForm, FollowUpForm, OutreachForm
from eventapp.invitations.services import board as board_facts
from eventapp.registration.services.caps import over_cap_note


def board_labels() -> dict:
    """What the board's templates show codes as."""
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


@bp.get("/<int:gathering_id>/board")
@policy.requires("board.view")
def board(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    state = request.args.get("state")
    if state not in services.BOARD_STATES:
        state = None
    q = query_text(request.args.get("q"))
    sort = parse_sort(request.args.get("sort"), services.BOARD_SORTS, "state")
    rows = services.board_rows(gathering)
    counts = services.board_state_counts(rows)
    shown = services.search_board([r for r in rows if r.state == state] if state else rows,
                                  q, sort)
    sets_caps = policy.can(current_user, "caps.set", gathering)
    return render_template(
        "invitations/board.html", gathering=gathering, rows=shown, counts=counts, state=state,
        q=q, sort=sort,
        total=len(rows), is_host=policy.can(current_user, "campaign.send", gathering),
        coverage=board_facts.board_coverage(gathering, rows),
        suggestions=board_facts.cap_suggestions(gathering, rows) if sets_caps else [],
        size_label=board_facts.size_class_label, **board_labels(),
    )


@bp.route("/<int:gathering_id>/board/caps", methods=["GET", "POST"])
@policy.requires("caps.set")
def apply_cap_suggestions(gathering_id: int):
    """The board's suggested places for the large settlers: asks first, then applies them
    all through the cap service."""
    gathering = policy.load(Gathering, gathering_id)
    back = url_for("invitations.board", gathering_id=gathering.id)
    suggestions = board_facts.cap_suggestions(gathering)
    if confirm.given():
        wanted = [part for part in request.form.get("municipalities", "").split(",")
                  if part.isdigit()]
        done = act(lambda: board_facts.apply_cap_suggestions(gathering, current_user, wanted),
                   lambda result: ngettext(
                       "Places raised for %(num)d municipality. %(promoted)d moved from the "
                       "waitlist to confirmed and got a mail.",
                       "Places raised for %(num)d municipalities. %(promoted)d moved from the "
                       "waitlist to confirmed and got a mail.", len(result[0]),
                       promoted=len(result[1])),
                   _("The form had expired. Please send it again."))
        if done:
            return redirect(back)
    if not suggestions:
        flash(_("There are no suggested places to apply."), "info")
        return redirect(back)
    return confirm.ask(confirm.Question(
        title=_("Raise the places for the large settlers?"),
        lead=_("The figures for %(year)s class these municipalities as large settlers of "
               "refugees.", year=board_facts.gathering_year(gathering)),
        consequences=[
            *(_("%(name)s: from %(cap)d to %(suggested)d places.", name=s.municipality.name,
                cap=s.cap, suggested=s.suggested) for s in suggestions),
            _("Those first on each municipality's waitlist get the new places and a mail."),
            _("You can change each municipality's places afterwards on its page."),
        ],
        action=url_for("invitations.apply_cap_suggestions", gathering_id=gathering.id),
        yes=_("Yes, raise the places"), back=back,
        carry={"municipalities": ",".join(str(s.municipality.id) for s in suggestions)},
        gathering=gathering, danger=False))


@bp.route("/<int:gathering_id>/board/<int:municipality_id>", methods=["GET", "POST"])
@policy.requires("board.view")
def municipality(gathering_id: int, municipality_id: int):
    gathering = policy.load(Gathering, gathering_id)
    unit = services.board_unit(gathering, municipality_id)
    if unit is None:
        abort(404)
    sets_cap = policy.can(current_user, "caps.set", gathering)
    may_follow_up = policy.can(current_user, "board.act_for", unit)
    follow_up_form, cap_form = FollowUpForm(), CapForm()
    status = 200
    if request.method == "POST":
        which = request.form.get("which")
        if which == "cap":
            policy.authorize(current_user, "caps.set", gathering)
        else:
            policy.authorize(current_user, "board.act_for", unit)
        form = cap_form if which == "cap" else follow_up_form
        if form.validate_on_submit():
            try:
                if which == "cap":
                    promoted = services.set_municipality_cap(gathering, current_user, unit,
                                                             cap_form.cap.data)
                else:
                    services.save_follow_up(
                        gathering, current_user, unit, barriers=follow_up_form.barriers(),
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
                    flash(_("The places for %(name)s are saved.", name=unit.name), "success")
                    if promoted:
                        flash(_("%(n)d moved from the waitlist to confirmed and got a mail.",
                                n=len(promoted)), "success")
                    note = over_cap_note(gathering, unit)
                    if note:
                        flash(note, "info")
                else:
                    flash(_("The follow-up for %(name)s is saved.", name=unit.name), "success")
                return redirect(url_for("invitations.municipality", gathering_id=gathering.id,
                                        municipality_id=unit.id))
        else:
            status = 422
    detail = services.municipality_detail(gathering, unit)
    if request.method == "GET" or request.form.get("which") == "cap":
        follow_up_form.fill(detail["follow_up"])
    if request.method == "GET" or request.form.get("which") != "cap":
        cap_form.cap.data = detail["follow_up"].cap if detail["follow_up"] else None
    return render_template(
        "invitations/municipality.html", gathering=gathering, unit=unit, detail=detail,
        follow_up_form=follow_up_form if may_follow_up else None,
        cap_form=cap_form if sets_cap else None, **board_labels(),
    ), status


@bp.route("/<int:gathering_id>/outreach", methods=["GET", "POST"])
@policy.requires("board.view")
def outreach(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    units = services.outreach_units(current_user, gathering)
    form = OutreachForm(units=units)
    status = 200
    if request.method == "POST":
        if not units:
            raise Forbidden(_("You may log outreach only to the municipalities you are the "
                              "contact counsellor for."))
        if form.validate_on_submit():
            unit = services.board_unit(gathering, form.municipality.data)
            try:
                entry = services.log_outreach(
                    gathering, current_user, municipality=unit, channel=form.channel.data,
                    happened_on=form.happened_on.data, note=form.note.data or "")
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = 403 if exc.status == 403 else 422
            else:
                db.session.commit()
                flash(_("Logged: %(channel)s with %(name)s.",
                        channel=services.outreach_channel_label(entry.channel),
                        name=unit.name), "success")
                return redirect(url_for("invitations.outreach", gathering_id=gathering.id))
        else:
            status = 422
    elif form.happened_on.data is None:
        form.happened_on.data = utcnow().astimezone(OSLO).date()
        if request.args.get("municipality", "").isdigit():
            form.municipality.data = int(request.args["municipality"])
    versions, deleted = services.outreach_history(gathering)
    return render_template(
        "invitations/outreach.html", gathering=gathering, section="outreach",
        form=form if units else None,
        log=services.outreach_log(gathering), mine={u.id for u in units}, versions=versions,
        deleted=deleted, **board_labels(),
    ), status


def _entry_of(gathering_id: int, entry_id: int):
    """The gathering (the board's reader may open it) and its current entry, which the user
    must be allowed to change: 404 for another gathering's or a deleted one, 403 for someone
    else's."""
    gathering = policy.load(Gathering, gathering_id, "board.view")
    entry = services.outreach_entry(gathering, entry_id)
    if entry is None:
        abort(404)
    policy.authorize(current_user, "outreach.edit", entry)
    return gathering, entry


@bp.route("/<int:gathering_id>/outreach/<int:entry_id>/edit", methods=["GET", "POST"])
@policy.requires("outreach.edit")
def edit_outreach(gathering_id: int, entry_id: int):
    gathering, entry = _entry_of(gathering_id, entry_id)
    units = services.outreach_units(current_user, gathering)
    if entry.municipality_id not in {u.id for u in units}:
        units = [entry.municipality, *units]
    form = OutreachForm(units=units, obj=None if request.method == "POST" else entry)
    if request.method == "GET":
        form.municipality.data = entry.municipality_id
    changed, status = attempt(form, lambda: services.edit_outreach(
        entry, current_user, municipality=services.board_unit(gathering, form.municipality.data),
        channel=form.channel.data, happened_on=form.happened_on.data, note=form.note.data or ""))
    if status == 200 and request.method == "POST":
        flash(_("The entry is changed. What it said before is kept in its history.")
              if changed else _("Nothing was changed."), "success" if changed else "info")
        return redirect(url_for("invitations.outreach", gathering_id=gathering.id)
                        + f"#outreach-{entry.id}")
    return render_template(
        "invitations/outreach_edit.html", gathering=gathering, entry=entry, form=form,
        **board_labels(),
    ), (200 if request.method == "GET" else status)


@bp.route("/<int:gathering_id>/outreach/<int:entry_id>/delete", methods=["GET", "POST"])
@policy.requires("outreach.edit")
def delete_outreach(gathering_id: int, entry_id: int):
    """Asks first (the confirmation page); deletes only on its "Yes"."""
    gathering, entry = _entry_of(gathering_id, entry_id)
    back = url_for("invitations.outreach", gathering_id=gathering.id)
    if confirm.given():
        done = act(lambda: services.delete_outreach(entry, current_user),
                   lambda _entry: _("The entry is deleted. The log keeps it under deleted "
                                    "entries."),
                   _("The form had expired. Please send it again."))
        if done:
            return redirect(back)
    when = format_date(entry.happened_on, "medium")
    return confirm.ask(confirm.Question(
        title=_("Delete this outreach entry?"),
        lead=_("%(channel)s with %(name)s on %(date)s, logged by %(who)s.",
               channel=services.outreach_channel_label(entry.channel),
               name=entry.municipality.name, date=when,
               who=entry.user.name if entry.user else "–"),
        consequences=[
            _("The entry no longer counts on the board: if it was the only contact with "
              "%(name)s, the municipality shows as not reached.", name=entry.municipality.name),
            _("The log keeps it under deleted entries, with who deleted it and when."),
        ],
        action=url_for("invitations.delete_outreach", gathering_id=gathering.id,
                       entry_id=entry.id),
        yes=_("Yes, delete the entry"), back=back + f"#outreach-{entry.id}",
        gathering=gathering))


@bp.get("/<int:gathering_id>/channels")
@policy.requires("board.view")
def channels(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template("invitations/channels.html", gathering=gathering,
                           report=services.channel_report(gathering), **board_labels())
