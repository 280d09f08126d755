"""The conversation's comments and the evaluation meeting. The quality-assured mark is a
column pair on the gathering (``Gathering.quality_assured_at``/``_by_id``), since the checklist,
below this feature, shows it."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

TOPICS = ("programme", "application", "report")
# Which side wrote a comment: the mail goes to the other one. Kept apart from the author, whose
# account may be deleted while the conversation stays.
SIDES = ("county", "directorate")


class DialogueComment(db.Model):
    """One comment in a gathering's conversation between the county's hosts and the
    directorate. Nobody else reads it (not the counsellors, the municipal contacts or the
    committee): it is where the grant and the report are discussed before they are decided."""

    __tablename__ = "dialogue_comments"
    __table_args__ = (
        CheckConstraint(f"topic IN ({sql_in(TOPICS)})", name="topic_known"),
        CheckConstraint(f"side IN ({sql_in(SIDES)})", name="side_known"),
        CheckConstraint("length(trim(body)) > 0", name="body_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering = relationship("Gathering")
    author = relationship("User")


class EvaluationMeeting(db.Model):
    """The directorate's evaluation meeting with the organisers after the gathering, one per
    gathering: the day, the notes and the agreed actions (one a line). Shown with the final
    report and to the county's hosts; each follow-up action's status at the meeting is kept in
    the follow-up log (``FollowUpItem.evaluation_status``), which the meeting's page links to."""

    __tablename__ = "evaluation_meetings"
    __table_args__ = (
        CheckConstraint("length(trim(notes)) > 0", name="notes_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), unique=True)
    held_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text)
    agreed_actions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering = relationship("Gathering")
    recorded_by = relationship("User")

    @property
    def actions(self) -> list[str]:
        return [line for line in (self.agreed_actions or "").splitlines() if line.strip()]
