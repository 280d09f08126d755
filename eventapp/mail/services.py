"""Queue mail with the change that causes it; deliver it after commit, exactly once as far as
SMTP allows.

A sender claims one message at a time by a compare-and-set UPDATE (status pending -> sending)
and commits the claim before talking to the mail server, so two senders never deliver the same
row. On PostgreSQL the candidate row is read with ``FOR UPDATE SKIP LOCKED`` so concurrent
senders take different rows instead of waiting on each other. The claim is a short lease
(``OUTBOX_CLAIM_SECONDS``, a minute) that a helper thread renews while the delivery lasts, so a
slow delivery is never taken over, and a sender that dies holds at most the one message it was
delivering, for at most a minute. Each claim raises ``attempts``, which serves as the claim's
token: only the holder of the token renews the lease.

Each message goes on its own SMTP connection, and its outcome is committed right after the
server's answer, before the next message. A 250 read is "sent" and never sent again. A reply
that is lost after the whole message went out (``ReplyLost``) leaves unknown whether the server
took it: it is tried again once, later, with the same Message-ID, and the round stops there,
since a server that drops one conversation after DATA would likely drop the next ones too and
each would cost a copy. Temporary failures are retried with growing waits until those waits
together reach ``OUTBOX_RETRY_HOURS``.
"""

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select, update

from eventapp.core.access import scope
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail.models import OutboxAttachment, OutboxMessage
from eventapp.mail.transports import (
    PermanentFailure,
    ReplyLost,
    TemporaryFailure,
    transport_from_config,
)

MAX_RETRY_DELAY = timedelta(hours=6)

log = logging.getLogger(__name__)


def _one_line(value: str | None) -> str | None:
    """A header value on one line: a line break would end the header and start another."""
    return None if value is None else " ".join(value.splitlines()).strip()


def queue_mail(
    *,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    to_name: str | None = None,
    from_address: str | None = None,
    reply_to: str | None = None,
    created_by=None,
    county_id: int | None = None,
    gathering_id: int | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    batch: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; nothing is sent until commit."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].rstrip(">") or None
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        to_name=_one_line(to_name),
        from_address=from_address,
        reply_to=reply_to,
        subject=_one_line(subject),
        body_text=body_text,
        body_html=body_html,
        message_id=make_msgid(domain=domain),
        created_by_id=getattr(created_by, "id", None),
        county_id=county_id,
        gathering_id=gathering_id,
        batch=batch,
        next_attempt_at=utcnow(),
    )
    for filename, content_type, data in attachments:
        message.attachments.append(
            OutboxAttachment(filename=filename, content_type=content_type, data=data)
        )
    db.session.add(message)
    db.session.flush()
    return message


def render_mail(template: str, locale: str | None = None, **context) -> tuple[str, str]:
    """Subject and text body from ``templates/<template>.txt`` in the recipient's language.

    The template has two blocks, ``subject`` and ``body``.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        tmpl = current_app.jinja_env.get_template(f"{template}.txt")
        ctx = tmpl.new_context(dict(context, config=current_app.config))
        subject = "".join(tmpl.blocks["subject"](ctx)).strip()
        body = "".join(tmpl.blocks["body"](ctx)).strip() + "\n"
    return subject, body


def queue_template(kind: str, template: str, *, to: str, locale: str | None = None,
                   to_name: str | None = None, reply_to: str | None = None, created_by=None,
                   county_id=None, gathering_id=None, attachments=(),
                   **context) -> OutboxMessage:
    subject, body = render_mail(template, locale, **context)
    return queue_mail(
        kind=kind, to=to, to_name=to_name, subject=subject, body_text=body,
        reply_to=reply_to, created_by=created_by, county_id=county_id,
        gathering_id=gathering_id, attachments=attachments,
    )


def build_email(message: OutboxMessage, default_sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message.from_address or default_sender
    email["To"] = formataddr((message.to_name or "", message.to_address))
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


def _due(now):
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
    )


def _claim(limit: int) -> tuple[list[tuple[int, int]], datetime]:
    """Claim up to ``limit`` due messages and commit.

    Returns (id, attempts) for each message taken, and when the claim runs out.

    A claim counts as an attempt, so ``attempts`` after the claim is this sender's token: a
    sender that takes the message over after the claim expired raises it again.
    """
    while True:
        now = utcnow()
        claim_until = now + timedelta(seconds=current_app.config["OUTBOX_CLAIM_SECONDS"])
        candidates = db.session.scalars(
            select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for ident in candidates:
            token = db.session.scalar(
                update(OutboxMessage)
                .where(OutboxMessage.id == ident, _due(now))
                .values(
                    status="sending",
                    claimed_until=claim_until,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage.attempts)
                .execution_options(synchronize_session=False)
            )
            if token is not None:
                claimed.append((ident, token))
        db.session.commit()
        # Where rows cannot be skipped while locked (SQLite), another sender may have taken
        # every candidate between our read and our update: look again rather than report
        # nothing due while mail waits. Each pass means another sender took rows, so it ends.
        if claimed or not candidates:
            return claimed, claim_until


def claim_due(limit: int) -> list[int]:
    """Take up to ``limit`` due messages for this sender and commit the claim."""
    claimed, _claim_until = _claim(limit)
    return [ident for ident, _token in claimed]


@contextmanager
def _lease(ident: int, token: int):
    """Keep this sender's claim on a message alive while the block runs.

    A thread renews the claim every third of ``OUTBOX_CLAIM_SECONDS`` on its own connection, and
    only while the token is still this sender's. If the process dies the renewals stop with it,
    and the claim runs out within ``OUTBOX_CLAIM_SECONDS``.
    """
    seconds = current_app.config["OUTBOX_CLAIM_SECONDS"]
    engine = db.engine
    done = threading.Event()

    def renew():
        while not done.wait(seconds / 3):
            try:
                with engine.begin() as conn:
                    conn.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == ident, OutboxMessage.status == "sending",
                               OutboxMessage.attempts == token)
                        .values(claimed_until=utcnow() + timedelta(seconds=seconds))
                    )
            except Exception:  # noqa: BLE001 - the next renewal may work; say why this one did not
                log.exception("outbox: could not renew the claim on message %s", ident)

    thread = threading.Thread(target=renew, name=f"outbox-lease-{ident}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def retry_delay(attempts: int) -> timedelta:
    base = current_app.config["OUTBOX_RETRY_BASE_SECONDS"]
    # Capping the exponent keeps timedelta from overflowing after many attempts.
    doublings = min(max(attempts - 1, 0), 40)
    return min(timedelta(seconds=base * 2**doublings), MAX_RETRY_DELAY)


def schedule_exhausted(attempts: int) -> bool:
    """Whether a message that has just failed for the ``attempts``-th time has been retried
    long enough: the waits of its schedule before this try together reach
    ``OUTBOX_RETRY_HOURS``. So the last try comes at or after that many hours.

    Counted in the schedule's own waits, not the wall clock: while no sender runs, or the
    claim of a sender that died runs out, nothing is used up.
    """
    window = timedelta(hours=float(current_app.config["OUTBOX_RETRY_HOURS"]))
    waited = timedelta()
    for n in range(1, attempts):
        waited += retry_delay(n)
        if waited >= window:
            return True
    return False


# A survey mail's link is the respondent's personal token: once delivered, the outbox keeps no
# copy of it, so the database never holds what joins a person to their answers.
SURVEY_KIND_PREFIX = "survey."
SCRUBBED_BODY = ("Lenken til spørreundersøkelsen er fjernet fra kopien etter sending.\n"
                 "The survey link was removed from this copy once sent.\n")


def scrub_if_survey(message: OutboxMessage) -> None:
    if message.kind.startswith(SURVEY_KIND_PREFIX):
        message.body_text = SCRUBBED_BODY
        message.body_html = None


# An account link (activation, password reset) is taken out of the kept copy once it no longer
# works: used, expired or replaced by a newer one. Sent or not: an unsent copy of a dead link
# is no use to its recipient either.
LINK_REMOVED = "[lenken er fjernet: brukt eller utløpt / link removed: used or expired]"


def blank_links(message_ids, pattern) -> None:
    """Replace what ``pattern`` (a compiled regular expression) matches in these messages'
    bodies with a note, keeping the rest of the message."""
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(list(message_ids)))
    ):
        message.body_text = pattern.sub(LINK_REMOVED, message.body_text)
        if message.body_html:
            message.body_html = pattern.sub(LINK_REMOVED, message.body_html)


# A registration's confirmation and an invitation carry the recipient's own link. Once
# delivered, the stored copy loses it: the county's hosts read the outbox, and the database must
# hold nothing that opens someone's registration (the rows keep only hashes, see core.links).
# Until delivered the row must keep it. Migration 0010 scrubbed the mail sent before alike.
PERSONAL_LINK_KINDS = ("registration.", "campaign_")
SECRET_LINK = re.compile(r"https?://[^\s<>\"']+/[A-Za-z0-9_-]{32,}[^\s<>\"']*")
REMOVED_LINK = "[lenken er fjernet fra kopien / link removed from this copy]"


def scrub_personal_links(message: OutboxMessage) -> None:
    if message.kind.startswith(PERSONAL_LINK_KINDS):
        message.body_text = SECRET_LINK.sub(REMOVED_LINK, message.body_text)
        if message.body_html:
            message.body_html = SECRET_LINK.sub(REMOVED_LINK, message.body_html)


def send_due(limit: int = 100, transport=None) -> SendReport:
    """Deliver up to ``limit`` messages that are due now, one at a time: claim one, deliver it,
    commit its outcome, then the next. Commits: it runs outside any request, in the sender.

    One message that cannot be built or sent never stops the rest; a lost reply ends the round
    (see the module's docstring).
    """
    transport = transport or transport_from_config(current_app)
    report = SendReport()
    for _ in range(limit):
        claimed, _claim_until = _claim(1)
        if not claimed:
            break
        ident, token = claimed[0]
        if not _deliver(ident, token, transport, report):
            break
    return report


def _deliver(ident: int, token: int, transport, report: SendReport) -> bool:
    """Deliver one claimed message and commit what became of it; False to end the round."""
    config = current_app.config
    message = db.session.get(OutboxMessage, ident)
    try:
        email = build_email(message, config["MAIL_DEFAULT_SENDER"])
    except Exception as exc:  # noqa: BLE001 - trying again builds the same broken mail
        message.mark_permanent_failure(f"cannot build the message: {exc}")
        report.failed += 1
        db.session.commit()
        return True
    go_on = True
    try:
        with _lease(ident, token):
            transport.send(email)
    except PermanentFailure as exc:
        message.mark_permanent_failure(str(exc))
        report.failed += 1
    except Exception as exc:  # noqa: BLE001 - TemporaryFailure, or a fault of the transport
        if not isinstance(exc, TemporaryFailure):
            log.exception("outbox: unexpected error delivering message %s", ident)
        # A lost reply: the next try is the one retry this loss allows, and it comes later.
        go_on = not isinstance(exc, ReplyLost)
        message.mark_temporary_failure(
            str(exc) or type(exc).__name__,
            utcnow() + retry_delay(message.attempts),
            give_up=schedule_exhausted(message.attempts),
        )
        if message.status == "failed":
            report.failed += 1
        else:
            report.retried += 1
    else:
        message.mark_sent(utcnow())
        scrub_if_survey(message)
        scrub_personal_links(message)
        report.sent += 1
    db.session.commit()
    return go_on


def visible_messages(user):
    return scope(select(OutboxMessage), OutboxMessage, user)


def failed_count(user) -> int:
    stmt = visible_messages(user).where(OutboxMessage.status == "failed")
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


# --- survey mail, shown as batches ---------------------------------------------------------------
#
# Who a survey reminder reaches is who has not answered, so two reminders' recipients would tell
# who answered in between. Survey mail is therefore shown, counted and retried per batch (one
# press of "send invitations" or "send a reminder"), never per recipient: no address, name or
# delivery error of one survey mail reaches a page. A host still sees how many of a batch
# failed and can try them again; an address that does not work is found through the
# registration's own mail, which went to the same address and is listed by name.


@dataclass
class MailBatch:
    key: str
    kind: str
    subject: str
    created_at: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _batch_key():
    return func.coalesce(OutboxMessage.batch, OutboxMessage.kind)


def survey_batches(user, status: str | None = None) -> list[MailBatch]:
    """The survey mail ``user`` may see, one entry per batch with its count per status; with
    ``status``, the batches that hold a message in it."""
    key = _batch_key()
    visible = visible_messages(user).where(OutboxMessage.kind.startswith(SURVEY_KIND_PREFIX))
    rows = db.session.execute(
        select(key.label("key"), OutboxMessage.kind, OutboxMessage.status,
               func.count(OutboxMessage.id), func.min(OutboxMessage.subject),
               func.min(OutboxMessage.created_at))
        .where(OutboxMessage.id.in_(visible.with_only_columns(OutboxMessage.id)))
        .group_by(key, OutboxMessage.kind, OutboxMessage.status)).all()
    batches: dict[tuple, MailBatch] = {}
    for batch_key, kind, state, n, subject, created in rows:
        batch = batches.setdefault((batch_key, kind), MailBatch(batch_key, kind, subject,
                                                                created, {}))
        batch.counts[state] = n
        batch.subject = min(batch.subject, subject)
        batch.created_at = min(batch.created_at, created)
    found = [b for b in batches.values() if status is None or b.counts.get(status)]
    return sorted(found, key=lambda b: b.created_at, reverse=True)


RETRY_PAGE = 500


def retry_all_failed(user, now: datetime) -> int:
    """Put every failed mail ``user`` may see back in the queue, survey mail included; how many.

    Goes through them a page at a time by id, so any number fits in memory and in one
    statement's parameters.
    """
    count, after = 0, 0
    while True:
        page = db.session.scalars(
            visible_messages(user)
            .with_only_columns(OutboxMessage.id)
            .where(OutboxMessage.status == "failed", OutboxMessage.id > after)
            .order_by(OutboxMessage.id)
            .limit(RETRY_PAGE)
        ).all()
        if not page:
            return count
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(page), OutboxMessage.status == "failed")
            .values(status="pending", next_attempt_at=now, attempts=0)
            .execution_options(synchronize_session=False)
        )
        count += len(page)
        after = page[-1]


def retry_batch(user, key: str, now: datetime) -> int:
    """Put every failed mail of the batch that ``user`` may see back in the queue; how many."""
    messages = db.session.scalars(
        visible_messages(user).where(OutboxMessage.kind.startswith(SURVEY_KIND_PREFIX),
                                     _batch_key() == key, OutboxMessage.status == "failed")
    ).all()
    for message in messages:
        message.retry_now(now)
    db.session.flush()
    return len(messages)
