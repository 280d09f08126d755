"""What happened to the mail a person caused: sent, waiting, or failed (with the reason).

Survey mail is shown per batch, never per recipient (see ``mail.services.survey_batches``)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_

from eventapp.core import policy
from eventapp.core.listing import matches, parse_sort, query_text
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail import bp
from eventapp.mail.models import STATUSES, OutboxMessage
from eventapp.mail.services import (
    SURVEY_KIND_PREFIX,
    failed_count,
    retry_all_failed,
    retry_batch,
    survey_batches,
    visible_messages,
)


@bp.get("/")
@policy.requires("mail.view")
def outbox():
    status = request.args.get("status")
    status = status if status in STATUSES else None
    q = query_text(request.args.get("q"))
    sort = parse_sort(request.args.get("sort"), OUTBOX_SORTS, "-queued")
    stmt = (visible_messages(current_user)
            .where(OutboxMessage.kind.not_like(f"{SURVEY_KIND_PREFIX}%"))
            .order_by(OutboxMessage.id.desc()).limit(SHOWN))
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    for word in q.lower().split():
        # In the database, so the newest SHOWN that match are shown, not matches among them;
        # autoescape keeps % and _ in a search literal.
        stmt = stmt.where(or_(*(func.lower(column).contains(word, autoescape=True)
                                for column in (OutboxMessage.to_address, OutboxMessage.to_name,
                                               OutboxMessage.subject))))
    messages = db.session.scalars(stmt).all()
    batches = [b for b in survey_batches(current_user, status) if not q or matches(q, b.subject)]
    # One list, newest first: a batch sits where its first mail was queued.
    entries = sorted([("message", m.created_at, m) for m in messages]
                     + [("batch", b.created_at, b) for b in batches],
                     key=lambda entry: entry[1], reverse=True)
    if sort.key != "queued" or not sort.desc:
        entries.sort(key=OUTBOX_SORTS[sort.key], reverse=sort.desc)
    return render_template("mail/outbox.html", entries=entries, status=status,
                           statuses=STATUSES, action=FlaskForm(), q=q, sort=sort,
                           failed=failed_count(current_user))


SHOWN = 200  # the newest; the search reaches older ones
OUTBOX_SORTS = {
    "queued": lambda entry: entry[1],
    "subject": lambda entry: (entry[2].subject or "").casefold(),
    "to": lambda entry: ((entry[2].to_name or entry[2].to_address).casefold()
                         if entry[0] == "message" else ""),
}


@bp.post("/<int:message_id>/retry")
@policy.requires("mail.retry")
def retry(message_id: int):
    # Survey mail is retried per batch only: one message's address would say who had not
    # answered.
    message = db.session.scalars(
        visible_messages(current_user).where(OutboxMessage.id == message_id,
                                             OutboxMessage.kind.not_like(
                                                 f"{SURVEY_KIND_PREFIX}%"))
    ).first()
    if message is None:
        abort(404)
    if FlaskForm().validate_on_submit() and message.status == "failed":
        message.retry_now(utcnow())
        db.session.commit()
        flash(_("The message to %(to)s will be tried again.", to=message.to_address), "success")
    return redirect(url_for("mail.outbox"))


@bp.post("/batches/<batch>/retry")
@policy.requires("mail.retry")
def retry_survey_batch(batch: str):
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was changed: the form had expired. Try again."), "error")
        return redirect(url_for("mail.outbox"))
    count = retry_batch(current_user, batch, utcnow())
    if not count:
        abort(404)
    db.session.commit()
    flash(ngettext("%(num)d survey mail will be tried again.",
                   "%(num)d survey mails will be tried again.", count), "success")
    return redirect(url_for("mail.outbox"))


@bp.post("/retry-failed")
@policy.requires("mail.retry")
def retry_failed():
    """Every failed mail the user may see, however many, back in the queue in one action. The
    message gives a count only: survey mail is among them, and names no one."""
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was changed: the form had expired. Try again."), "error")
        return redirect(url_for("mail.outbox"))
    count = retry_all_failed(current_user, utcnow())
    db.session.commit()
    flash(ngettext("%(num)d failed mail will be tried again.",
                   "%(num)d failed mails will be tried again.", count), "success")
    return redirect(url_for("mail.outbox"))
