"""The programme editor, its change log, and the programme checks with links to fix them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO
from eventapp.core.web import act, errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.forms import (
    ItemForm,
    item_kind_label,
    organisation_kind_label,
)
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.gatherings.services import programme as programme_services

# --- the programme editor --------------------------------------------------------------------

def _item_form(gathering: Gathering, item: ProgrammeItem | None = None) -> ItemForm:
    if item is not None and request.method != "POST":
        form = ItemForm(obj=None, data=_item_data(gathering, item))
    else:
        form = ItemForm()
    form.day.choices = [
        (day, _("Day %(n)d (%(date)s)", n=day, date=gathering.date_of_day(day).strftime("%d.%m.%Y")))
        for day in range(1, gathering.days + 1)
    ]
    form.kind.choices = [(k, item_kind_label(k)) for k, _label in form.kind.choices]
    form.topics.choices = [(t.code, t.label()) for t in services.topic_choices(
        item.topics if item is not None else [])]
    for entry in form.speakers:
        entry.form.organisation_kind.choices = [
            (k, organisation_kind_label(k)) for k, _label in entry.form.organisation_kind.choices
        ]
    return form


def _item_data(gathering: Gathering, item: ProgrammeItem) -> dict:
    speakers = [{"name": s.name, "organisation": s.organisation,
                 "organisation_kind": s.organisation_kind} for s in item.speakers]
    speakers += [{"name": "", "organisation": "", "organisation_kind": "other"}] * max(
        0, 3 - len(speakers))
    return {
        "day": gathering.day_of(item.starts_at), "start": item.starts_at.astimezone(OSLO).time(),
        "end": item.ends_at.astimezone(OSLO).time(), "kind": item.kind, "title": item.title,
        "description": item.description or "", "room": item.room or "",
        "meeting_url": item.meeting_url or "",
        "question_minutes": item.question_minutes, "speakers": speakers,
        "topics": [t.code for t in item.topics],
    }


def _data_from(form: ItemForm) -> services.ItemData:
    return services.ItemData(
        day=form.day.data, start=form.start.data, end=form.end.data, kind=form.kind.data,
        title=form.title.data or "", description=form.description.data or "",
        room=form.room.data or "", question_minutes=form.question_minutes.data or 0,
        meeting_url=(form.meeting_url.data or "").strip(),
        speakers=[
            services.SpeakerData(name=e.form.name.data.strip(),
                                 organisation=e.form.organisation.data or "",
                                 organisation_kind=e.form.organisation_kind.data)
            for e in form.speakers if (e.form.name.data or "").strip()
        ],
        topics=list(form.topics.data or []),
    )


def _editor(gathering: Gathering, form: ItemForm, item: ProgrammeItem | None = None,
            status: int = 200):
    context = {
        "gathering": gathering, "form": form, "editing": item,
        "days": services.programme_by_day(gathering), "kind_label": item_kind_label,
        "org_label": organisation_kind_label, "action": FlaskForm(),
        "may_edit": policy.can(current_user, "programme.edit", gathering),
        "removed": programme_services.removed_items(gathering),
    }
    context["checks"] = services.programme_checks(gathering)
    return render_template("gatherings/programme.html", **context), status


@bp.route("/<int:gathering_id>/programme", methods=["GET", "POST"])
@policy.requires("gathering.view")
def programme(gathering_id: int):
    """Everyone who sees the gathering reads the programme; its editors add items here."""
    gathering = policy.load(Gathering, gathering_id)
    if request.method == "POST":
        policy.authorize(current_user, "programme.edit", gathering)
    form = _item_form(gathering)
    if form.validate_on_submit():
        try:
            item = services.add_item(gathering, current_user, _data_from(form))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _editor(gathering, form, status=422)
        db.session.commit()
        flash(_("“%(title)s” is added to the programme.", title=item.title), "success")
        return redirect(url_for("gatherings.programme", gathering_id=gathering.id) + f"#item-{item.id}")
    return _editor(gathering, form, status=422 if form.is_submitted() else 200)


def _item_or_404(gathering: Gathering, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.gathering_id != gathering.id or item.cancelled_at is not None:
        abort(404)
    return item


@bp.route("/<int:gathering_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
@policy.requires("programme.edit")
def edit_item(gathering_id: int, item_id: int):
    gathering = policy.load(Gathering, gathering_id)
    item = _item_or_404(gathering, item_id)
    form = _item_form(gathering, item)
    if form.validate_on_submit():
        try:
            services.update_item(item, current_user, _data_from(form))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _editor(gathering, form, item, status=422)
        db.session.commit()
        flash(_("“%(title)s” is saved.", title=item.title), "success")
        return redirect(url_for("gatherings.programme", gathering_id=gathering.id) + f"#item-{item.id}")
    return _editor(gathering, form, item, status=422 if form.is_submitted() else 200)


@bp.route("/<int:gathering_id>/programme/<int:item_id>/cancel", methods=["GET", "POST"])
@policy.requires("programme.edit")
def cancel_item(gathering_id: int, item_id: int):
    gathering = policy.load(Gathering, gathering_id)
    item = _item_or_404(gathering, item_id)
    back = url_for("gatherings.programme", gathering_id=gathering.id)
    if not confirm.given():
        return confirm.ask(_remove_question(gathering, item))
    if FlaskForm().validate_on_submit():
        services.cancel_item(item, current_user)
        db.session.commit()
        flash(_("“%(title)s” is removed from the programme. Calendars that subscribe will show "
                "it as cancelled. You can restore it under «Removed from the programme».",
                title=item.title), "success")
    else:
        flash(_("Nothing was changed: the form had expired. Please try again."), "error")
    return redirect(back)


def _remove_question(gathering: Gathering, item: ProgrammeItem) -> confirm.Question:
    from flask_babel import format_time

    when = _("day %(n)d, %(start)s–%(end)s", n=gathering.day_of(item.starts_at) or 0,
             start=format_time(item.starts_at, "HH:mm"), end=format_time(item.ends_at, "HH:mm"))
    lines = [_("“%(title)s” (%(when)s) is taken off the programme and the printable programme.",
               title=item.title, when=when),
             _("Calendars that subscribe to the programme show it as cancelled.")]
    if item.speakers:
        lines.append(_("Tell the speakers yourself: %(names)s. The app does not mail them.",
                       names=", ".join(s.name for s in item.speakers)))
    lines.append(_("You can restore it later under «Removed from the programme», as long as no "
                   "other item has taken its time in the same room."))
    return confirm.Question(
        title=_("Remove “%(title)s” from the programme?", title=item.title), consequences=lines,
        action=url_for("gatherings.cancel_item", gathering_id=gathering.id, item_id=item.id),
        yes=_("Yes, remove the item"),
        back=url_for("gatherings.programme", gathering_id=gathering.id) + f"#item-{item.id}",
        gathering=gathering)


@bp.post("/<int:gathering_id>/programme/<int:item_id>/restore")
@policy.requires("programme.edit")
def restore_item(gathering_id: int, item_id: int):
    gathering = policy.load(Gathering, gathering_id)
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.gathering_id != gathering.id:
        abort(404)
    title = item.title
    if act(lambda: programme_services.restore_item(item, current_user),
           lambda _r: _("“%(title)s” is back on the programme.", title=title),
           _("Nothing was changed: the form had expired. Please try again.")):
        return redirect(url_for("gatherings.programme", gathering_id=gathering.id)
                        + f"#item-{item.id}")
    return redirect(url_for("gatherings.programme", gathering_id=gathering.id) + "#removed")


@bp.get("/<int:gathering_id>/programme/changes")
@policy.requires("gathering.view")
def changes(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template("gatherings/changes.html", gathering=gathering,
                           changes=services.change_log(gathering, limit=500))


# --- programme checks ------------------------------------------------------------------------
# The live checklist (eventapp/gatherings/checks.py): every page load runs the checks on the
# programme as it is now. Links to where a check is fixed go only to those who may fix it.

_CHECK_FIX_PAGES = {
    "programme": ("gatherings.programme", "#item-form"),
    "committee": ("gatherings.committee", ""),
    "inputs": ("gatherings.inputs", ""),
}


def check_fix_url(gathering: Gathering, fix: str | None, external: bool = False) -> str | None:
    """Where a check's ``fix`` key points: the programme editor, the committee, the municipal
    input, or one item's edit form. Falls back to the gathering's page if that page is missing."""
    from flask import current_app
    from werkzeug.routing import BuildError

    from eventapp.core.web import external_url

    if not fix:
        return None
    values: dict = {"gathering_id": gathering.id}
    if fix.startswith("item:") and fix[5:].isdigit():
        endpoint, anchor = "gatherings.edit_item", "#item-form"
        values["item_id"] = int(fix[5:])
    else:
        endpoint, anchor = _CHECK_FIX_PAGES.get(fix, ("gatherings.show", ""))
    if endpoint not in current_app.view_functions:
        endpoint, anchor, values = "gatherings.show", "", {"gathering_id": gathering.id}
    build = external_url if external else url_for
    try:
        return build(endpoint, **values) + anchor
    except BuildError:
        return build("gatherings.show", gathering_id=gathering.id)


@bp.app_template_global("check_links")
def check_links(gathering: Gathering, check) -> list[tuple[str, str]]:
    """(url, text) links to fix a failing check, for the programme's editors; else none."""
    if check.ok or not policy.can(current_user, "programme.edit", gathering):
        return []
    links = []
    fix = check.fix or ""
    if fix.startswith("item:"):
        title = next((i.title for i in check.items if f"item:{i.id}" == fix), "")
        links.append((check_fix_url(gathering, fix), _("Edit “%(title)s”", title=title)))
    elif fix:
        text = {"programme": _("Add or change items in the programme"),
                "committee": _("Go to the committee"),
                "inputs": _("Go to the municipal input")}.get(fix, _("Go to the gathering"))
        links.append((check_fix_url(gathering, fix), text))
    for ref in check.items:
        if ref.id is not None and f"item:{ref.id}" != fix:
            links.append((check_fix_url(gathering, f"item:{ref.id}"),
                          _("Edit “%(title)s”", title=ref.title)))
    return links


@bp.get("/<int:gathering_id>/checks")
@policy.requires("gathering.view")
def checks(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template("gatherings/checks.html", gathering=gathering,
                           checks=services.programme_checks(gathering))
