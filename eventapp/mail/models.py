"""The outbox: every mail is a row written in the transaction of the change that caused it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    to_address: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str | None] = mapped_column(String(200))
    from_address: Mapped[str | None] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Fixed when queued, so a retried delivery carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    # Mail to a participant about one gathering, so the gathering's purge finds all of it, also
    # mail to an address that has since been swapped away.
    gathering_id: Mapped[int | None] = mapped_column(
        ForeignKey("gatherings.id", ondelete="SET NULL"), index=True)
    # The send a survey mail came in ("send invitations", "send a reminder"): the host sees
    # survey mail per batch, never per recipient, since who a reminder reaches is who has not
    # answered (see mail.views).
    batch: Mapped[str | None] = mapped_column(String(64), index=True)

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )
    created_by = relationship("User")

    # Bodies can hold personal links: a message is seen by whoever caused it, the county host
    # of its county, and the directorate.
    @classmethod
    def scope_county(cls):
        return cls.county_id

    @classmethod
    def scope_owner(cls):
        return cls.created_by_id

    def mark_sent(self, now: datetime) -> None:
        self.status = "sent"
        self.sent_at = now
        self.claimed_until = None
        self.last_error = None

    def mark_temporary_failure(self, error: str, retry_at: datetime, give_up: bool) -> None:
        """Try again at ``retry_at``, or, once the retry schedule has run out, mark it failed."""
        self.last_error = error[:2000]
        self.claimed_until = None
        if give_up:
            self.status = "failed"
        else:
            self.status = "pending"
            self.next_attempt_at = retry_at

    def mark_permanent_failure(self, error: str) -> None:
        self.status = "failed"
        self.last_error = error[:2000]
        self.claimed_until = None

    def retry_now(self, now: datetime) -> None:
        """A person asked to try a failed message again."""
        self.status = "pending"
        self.next_attempt_at = now
        self.attempts = 0


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
