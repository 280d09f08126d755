"""What happened to the mail a person caused: sent, waiting, or failed (with the reason)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import policy
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail import bp
from eventapp.mail.models import STATUSES, OutboxMessage
from eventapp.mail.services import visible_messages


@bp.get("/")
@policy.requires("mail.view")
def outbox():
    status = request.args.get("status")
    stmt = visible_messages(current_user).order_by(OutboxMessage.id.desc()).limit(200)
    if status in STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    return render_template("mail/outbox.html", messages=db.session.scalars(stmt).all(),
                           status=status, statuses=STATUSES, action=FlaskForm())


@bp.post("/<int:message_id>/retry")
@policy.requires("mail.retry")
def retry(message_id: int):
    message = db.session.scalars(
        visible_messages(current_user).where(OutboxMessage.id == message_id)
    ).first()
    if message is None:
        abort(404)
    if FlaskForm().validate_on_submit() and message.status == "failed":
        message.retry_now(utcnow())
        db.session.commit()
        flash(_("The message to %(to)s will be tried again.", to=message.to_address), "success")
    return redirect(url_for("mail.outbox"))

