"""The materials' table: a file attached to a programme item or to a gathering."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

# slides: a programme item's slides or handout, for the committee, the directorate and (after
# the gathering) the participants. group_work: the notes of one table in one round. notes: the
# host's or the directorate's own notes. Group work and notes are read by the host and the
# directorate only.
KINDS = ("slides", "group_work", "notes")
NOTE_KINDS = ("group_work", "notes")
# What the file is, by its content (``services.files.sniff``), never by what its name says.
FILE_TYPES = ("pdf", "pptx", "docx", "xlsx", "png", "jpeg")

MAX_NAME = 120
MAX_LABEL = 40


class Material(db.Model):
    """One stored file and what it is attached to.

    The bytes live in the configured store (a folder under the instance, or an S3 bucket)
    under ``storage_key``, a random name: what the uploader called the file is only
    ``filename``, cleaned, and sent back in the download's Content-Disposition, never used as
    a path. ``personal_data``: the uploader said the file holds personal data (a list of
    names, a photo of a table's notes with names), so the purge after the final report
    deletes it with the rest.
    """

    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(KINDS)})", name="kind_known"),
        CheckConstraint(f"file_type IN ({sql_in(FILE_TYPES)})", name="file_type_known"),
        # Slides belong to an item; group work and notes to the gathering alone.
        CheckConstraint("(kind = 'slides') = (programme_item_id IS NOT NULL)",
                        name="item_for_slides"),
        CheckConstraint("kind = 'group_work' OR (table_label IS NULL AND round_label IS NULL)",
                        name="labels_for_group_work"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("length(filename) > 0", name="filename_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # Free text, not links to the seating plan's tables and rounds: a new plan replaces those
    # rows, and the notes of «Bord 3, runde 2» must still say so afterwards.
    table_label: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    round_label: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    filename: Mapped[str] = mapped_column(String(MAX_NAME))
    file_type: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    personal_data: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    gathering = relationship("Gathering")
    programme_item = relationship("ProgrammeItem")
    uploaded_by = relationship("User")

    @property
    def county_id(self) -> int:
        """The policy's relations read the county of what they are asked about."""
        return self.gathering.county_id

    @property
    def is_note(self) -> bool:
        return self.kind in NOTE_KINDS
