"""The host writes to the registered: the form, the preview with the count, sending, and the
record of what was sent (``services.messages`` does the work)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.web import attempt, errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration import bp
from eventapp.registration.services import messages, registration_units


class MessageForm(FlaskForm):
    """What the host writes and to whom. The service checks it, so its messages (in the
    user's language) stand beside the fields; the form only reads."""

    audience = RadioField(_l("Who gets it"), choices=[(a, a) for a in messages.AUDIENCES],
                          default="all", validate_choice=False)
    municipality = SelectField(_l("Municipality"), validate_choice=False,
                               description=_l("Only when the message goes to one "
                                              "municipality's people."))
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"), render_kw={"rows": 10},
                         description=_l("Each person gets it with a greeting by name, your "
                                        "name and their own link to their registration."))
    # The count the host was shown: if the group changes before sending, nothing is sent.
    expected = HiddenField()


def audience_labels(gathering: Gathering) -> dict[str, str]:
    labels = {"all": _("Everyone registered"), "municipality": _("One municipality's people"),
              "waitlist": _("Everyone on the waitlist"), "day2": _("Those coming on day 2")}
    return {a: labels[a] for a in messages.audiences(gathering)}


def _form(gathering: Gathering) -> MessageForm:
    form = MessageForm()
    form.municipality.choices = [("", _("Choose"))] + [
        (u.number, u.name) for u in registration_units(gathering)]
    form.audience.choices = list(audience_labels(gathering).items())
    return form


def _draft(form: MessageForm) -> messages.Draft:
    return messages.Draft(subject=form.subject.data or "", body=form.body.data or "",
                          audience=form.audience.data or "",
                          municipality=form.municipality.data or "")


def _expected(form: MessageForm) -> int | None:
    raw = (form.expected.data or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


@bp.get("/gatherings/<int:gathering_id>/messages")
@policy.requires("registration.message")
def message_list(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template("registration/messages.html", gathering=gathering,
                           sent=messages.sent_messages(gathering),
                           labels=audience_labels(gathering) | {
                               "day2": _("Those coming on day 2")})


@bp.route("/gatherings/<int:gathering_id>/messages/new", methods=["GET", "POST"])
@policy.requires("registration.message")
def message_new(gathering_id: int):
    """Write, then see the mail and the count ("preview"), then send; or go back to "edit"."""
    from flask import request

    gathering = policy.load(Gathering, gathering_id)
    form = _form(gathering)
    shown, status = None, 200
    if form.is_submitted() and "send" in request.form:
        message, status = attempt(form, lambda: messages.send(
            gathering, current_user, _draft(form), _expected(form)))
        if message is not None:
            flash(_("The message is on its way to %(n)d people.", n=message.recipients),
                  "success")
            return redirect(url_for("registration.message_list", gathering_id=gathering.id))
        # Show the preview again as it now stands (a changed group has a new count).
        try:
            shown = messages.preview(gathering, current_user, _draft(form))
        except DomainError:
            shown = None
    elif form.is_submitted() and "preview" in request.form:
        if not form.validate_on_submit():
            status = 422
        else:
            try:
                shown = messages.preview(gathering, current_user, _draft(form))
            except DomainError as exc:
                errors_to_form(form, exc)
                status = 422
    db.session.rollback()  # a preview reads only
    return render_template("registration/message_new.html", gathering=gathering, form=form,
                           preview=shown, labels=audience_labels(gathering)), status
