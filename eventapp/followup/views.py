"""The follow-up log's pages: the log with filters, adding and editing an item, a quick status
change, and sending the answers to all participants after a preview.

Who may do what is the policy's (``core.policy``): the directorate, the county's host and
career counsellors read the whole log (``followup.view``); the county's municipal contacts and
the programme committee read its answers and actions without the internal fields
(``followup.read``; anyone outside the county gets 404 through the scoping helpers); only the
host changes it (``followup.edit``), and the directorate or the host records an action's status
at the evaluation meeting (``followup.evaluate``).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.web import act, attempt, errors_to_form
from eventapp.extensions import db
from eventapp.followup import bp, services
from eventapp.followup.forms import (
    ConfirmForm,
    EvaluationForm,
    ItemForm,
    StatusForm,
    kind_label,
    status_label,
)
from eventapp.followup.models import KINDS, STATUSES, FollowUpItem
from eventapp.gatherings.models import Gathering


def _gathering(gathering_id: int) -> Gathering:
    """The route's gathering: 404 outside the user's scope, 403 unless its action allows."""
    return policy.load(Gathering, gathering_id)


def _item(gathering: Gathering, item_id: int) -> FollowUpItem:
    item = db.session.get(FollowUpItem, item_id)
    if item is None or item.gathering_id != gathering.id:
        abort(404)
    return item


def _data(form: ItemForm) -> services.ItemData:
    return services.ItemData(kind=form.kind.data or "", raised=form.raised.data or "",
                             raised_by=form.raised_by.data, answer=form.answer.data,
                             action=form.action.data, owner=form.owner.data,
                             status=form.status.data or "", due_on=form.due_on.data)


def _item_form(gathering: Gathering, **kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    # The date picker starts at the gathering; the service says why an earlier day is refused.
    form.due_on.render_kw = {"min": gathering.start_date.isoformat()}
    return form


def _labels() -> dict:
    return {"kind_label": kind_label, "status_label": status_label, "is_news": services.is_news,
            "is_overdue": services.is_overdue}


def _log_page(gathering: Gathering, *, add_form=None, status: int = 200):
    wanted_status = request.args.get("status")
    wanted_kind = request.args.get("kind")
    wanted_status = wanted_status if wanted_status in STATUSES else None
    wanted_kind = wanted_kind if wanted_kind in KINDS else None
    host = policy.can(current_user, "followup.edit", gathering)
    editable = host and not services.locked(gathering)
    # The internal fields, for those who read the whole log; the others read what is sent.
    full = policy.can(current_user, "followup.view", gathering)
    # A refusal on a form the page no longer shows (the log locked meanwhile) goes on top.
    refusals = list(add_form.form_errors) if add_form is not None and not editable else []
    if add_form is None and editable:
        add_form = _item_form(gathering, formdata=None)
    items = services.items_for(gathering, status=wanted_status, kind=wanted_kind)
    today = services.today()
    overdue = sum(1 for item in services.items_for(gathering)
                  if services.is_overdue(item, today))
    # A status changes also after the approved report: the actions go on.
    status_forms = {item.id: StatusForm(formdata=None, prefix=f"item{item.id}",
                                        status=item.status)
                    for item in items} if host else {}
    people = services.recipients(gathering) if host else []
    return render_template(
        "followup/log.html", gathering=gathering, items=items, counts=services.counts(gathering),
        wanted_status=wanted_status, wanted_kind=wanted_kind, editable=editable,
        locked=services.locked(gathering), add_form=add_form if editable else None,
        status_forms=status_forms, refusals=refusals, today=today, overdue=overdue,
        mailable=len(services.mailable(gathering)), host=host, full=full,
        evaluator=policy.can(current_user, "followup.evaluate", gathering),
        recipients=len(people), statuses=STATUSES, kinds=KINDS, **_labels()), status


@bp.get("/gatherings/<int:gathering_id>/follow-up")
@policy.requires("followup.read")
def log(gathering_id: int):
    return _log_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/follow-up")
@policy.requires("followup.edit")
def add(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = _item_form(gathering)
    item, status = attempt(form, lambda: services.add_item(gathering, current_user, _data(form)))
    if item is None:
        return _log_page(gathering, add_form=form, status=status)
    flash(_("The item is added to the follow-up log."), "success")
    return redirect(url_for("followup.log", gathering_id=gathering.id) + f"#item-{item.id}")


@bp.route("/gatherings/<int:gathering_id>/follow-up/<int:item_id>", methods=["GET", "POST"])
@policy.requires("followup.edit")
def edit(gathering_id: int, item_id: int):
    gathering = _gathering(gathering_id)
    item = _item(gathering, item_id)
    form = _item_form(gathering, obj=item)
    status = 200
    if form.is_submitted():
        saved, status = attempt(form, lambda: services.update_item(item, current_user,
                                                                    _data(form)))
        if saved is not None:
            flash(_("The item is saved."), "success")
            return redirect(url_for("followup.log", gathering_id=gathering.id)
                            + f"#item-{saved.id}")
    return _item_page(gathering, item, form, status)


def _item_page(gathering: Gathering, item, form, status: int):
    return render_template("followup/item.html", gathering=gathering, item=item, form=form,
                           locked=services.locked(gathering), delete_form=ConfirmForm(),
                           **_labels()), status


@bp.post("/gatherings/<int:gathering_id>/follow-up/<int:item_id>/status")
@policy.requires("followup.edit")
def change_status(gathering_id: int, item_id: int):
    gathering = _gathering(gathering_id)
    item = _item(gathering, item_id)
    form = StatusForm(prefix=f"item{item.id}")
    refusals = []
    saved, status = attempt(form, lambda: services.set_status(item, current_user,
                                                              form.status.data or ""),
                            place=lambda _form, exc: refusals.append(exc))
    if saved is not None:
        flash(_("The status is now «%(status)s».", status=status_label(saved.status)), "success")
        return redirect(url_for("followup.log", gathering_id=gathering.id) + f"#item-{item.id}")
    if not refusals:
        flash(_("Nothing was changed: the form had expired. Try again."), "error")
        return redirect(url_for("followup.log", gathering_id=gathering.id))
    # The refusal names the answer or the action, which this small form lacks: the full form
    # shows it beside the right field, with the status the host chose.
    full = _item_form(gathering, formdata=None, obj=item)
    full.status.data = form.status.data
    errors_to_form(full, refusals[0])
    return _item_page(gathering, item, full, status)


@bp.post("/gatherings/<int:gathering_id>/follow-up/<int:item_id>/delete")
@policy.requires("followup.edit")
def delete(gathering_id: int, item_id: int):
    gathering = _gathering(gathering_id)
    item = _item(gathering, item_id)
    act(lambda: services.delete_item(item, current_user),
        lambda _result: _("The item is deleted from the follow-up log."),
        _("Nothing was deleted: the form had expired. Try again."))
    return redirect(url_for("followup.log", gathering_id=gathering.id))


@bp.route("/gatherings/<int:gathering_id>/follow-up/mail", methods=["GET", "POST"])
@policy.requires("followup.edit")
def mail(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = ConfirmForm()
    status = 200
    people = services.recipients(gathering)
    if form.is_submitted():
        sent, status = attempt(form, lambda: services.mail_answers(gathering, current_user))
        if sent is not None:
            flash(ngettext("The answers are on their way to %(num)d recipient.",
                           "The answers are on their way to %(num)d recipients.", sent),
                  "success")
            return redirect(url_for("followup.log", gathering_id=gathering.id))
    return render_template(
        "followup/mail.html", gathering=gathering, form=form,
        preview=services.preview(gathering, current_user), recipients=len(people),
        recipient_counts=services.recipient_counts(people),
        items=services.items_for(gathering), mailable=services.mailable(gathering),
        locked=services.locked(gathering), after=services.after_gathering(gathering),
        **_labels()), status


@bp.route("/gatherings/<int:gathering_id>/follow-up/<int:item_id>/evaluation",
          methods=["GET", "POST"])
@policy.requires("followup.evaluate")
def evaluation(gathering_id: int, item_id: int):
    gathering = _gathering(gathering_id)
    item = _item(gathering, item_id)
    form = EvaluationForm(obj=item)
    status = 200
    if form.is_submitted():
        saved, status = attempt(form, lambda: services.record_evaluation(
            item, current_user, status=form.evaluation_status.data or None,
            on=form.evaluated_on.data, note=form.evaluation_note.data))
        if saved is not None:
            flash(_("The status at the evaluation meeting is recorded.")
                  if saved.evaluation_status else
                  _("The status at the evaluation meeting is cleared."), "success")
            return redirect(url_for("followup.log", gathering_id=gathering.id)
                            + f"#item-{saved.id}")
    return render_template("followup/evaluation.html", gathering=gathering, item=item,
                           form=form, **_labels()), status
