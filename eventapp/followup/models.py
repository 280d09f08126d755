"""The follow-up log's table."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

# question: asked at the gathering and not answered there; input: a suggestion or a need a
# municipality raised, which the county follows up with an action.
KINDS = ("question", "input")
STATUSES = ("open", "in_progress", "done")


class FollowUpItem(db.Model):
    """One question or input raised at a gathering and what the county does with it.

    ``answer`` is what participants are told (mailed to all of them); ``action`` is what the
    county does, and every item with an action appears in the final report to the directorate.
    ``mailed_at`` is when the answer last went out, so the next mail can say what is new.
    Nothing here is about a person: ``raised_by`` names an organisation or a table, if anything.
    """

    __tablename__ = "follow_up_items"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(KINDS)})", name="kind_known"),
        CheckConstraint(f"status IN ({sql_in(STATUSES)})", name="status_known"),
        CheckConstraint("length(raised) > 0", name="raised_not_empty"),
        CheckConstraint(f"evaluation_status IS NULL OR evaluation_status IN ({sql_in(STATUSES)})",
                        name="evaluation_status_known"),
        CheckConstraint("(evaluation_status IS NULL) = (evaluated_on IS NULL)",
                        name="evaluation_dated"),
        CheckConstraint("evaluation_note IS NULL OR evaluation_status IS NOT NULL",
                        name="evaluation_note_with_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    raised: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(String(200))
    answer: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    # When the answer or the action is due; the directorate asks for it in the report.
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="open")
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The action's status as the directorate's evaluation meeting recorded it, on the day of the
    # meeting, with a note. Set by the directorate or the host, also after the final report
    # (whose copy keeps the status of its day). The note is internal: the municipalities who
    # read the log see the status and the day, not the note (``services.public_fields``).
    evaluation_status: Mapped[str | None] = mapped_column(String(12))
    evaluated_on: Mapped[date | None]
    evaluation_note: Mapped[str | None] = mapped_column(Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    gathering = relationship("Gathering")
