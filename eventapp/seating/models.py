"""Tables, group-work rounds, the host's pins and keep-apart pairs, and the current plan."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

MODES = ("mixed", "regional")


class SeatingSettings(db.Model):
    """The gathering's seating rules and what the last solve reported (0 switches a rule off)."""

    __tablename__ = "seating_settings"
    __table_args__ = (
        CheckConstraint("min_counsellors_per_table BETWEEN 0 AND 10", name="min_counsellors_range"),
        CheckConstraint("max_county_staff_per_table BETWEEN 0 AND 30", name="max_county_range"),
        CheckConstraint("max_per_organisation BETWEEN 0 AND 30", name="max_organisation_range"),
        CheckConstraint("time_limit_s BETWEEN 1 AND 60", name="time_limit_range"),
    )

    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True)
    min_counsellors_per_table: Mapped[int] = mapped_column(default=1)
    max_county_staff_per_table: Mapped[int] = mapped_column(default=2)
    max_per_organisation: Mapped[int] = mapped_column(default=1)
    seed: Mapped[int] = mapped_column(default=0)
    time_limit_s: Mapped[int] = mapped_column(default=10)
    # The solver's metrics and broken rules for the stored plan, as it returned them (JSON).
    plan_report: Mapped[str | None] = mapped_column(Text)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SeatingTable(db.Model):
    __tablename__ = "seating_tables"
    __table_args__ = (
        UniqueConstraint("gathering_id", "name"),
        CheckConstraint("seats BETWEEN 1 AND 30", name="seats_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    seats: Mapped[int] = mapped_column(default=8)
    position: Mapped[int] = mapped_column(default=0)


class SeatingRound(db.Model):
    """A round of group work, tied to a group-work item of the programme where there is one."""

    __tablename__ = "seating_rounds"
    __table_args__ = (
        UniqueConstraint("gathering_id", "position"),
        CheckConstraint("mode IN ('mixed', 'regional')", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    mode: Mapped[str] = mapped_column(String(10), default="mixed")
    programme_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL"))

    programme_item = relationship("ProgrammeItem")


class SeatingPin(db.Model):
    """The host seats someone at a table in a round, whatever the solver would do."""

    __tablename__ = "seating_pins"
    __table_args__ = (UniqueConstraint("round_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("seating_rounds.id", ondelete="CASCADE"),
                                          index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("seating_tables.id", ondelete="CASCADE"))

    round = relationship("SeatingRound")
    registration = relationship("Registration")
    table = relationship("SeatingTable")


class SeatingApart(db.Model):
    """Two people who should not share a table in any round (e.g. neighbour municipalities)."""

    __tablename__ = "seating_apart"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))

    first = relationship("Registration", foreign_keys=[first_id])
    second = relationship("Registration", foreign_keys=[second_id])


class Seat(db.Model):
    """The plan: who sits at which table in which round."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("round_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("seating_rounds.id", ondelete="CASCADE"),
                                          index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("seating_tables.id", ondelete="CASCADE"))
    moved_by_hand: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round = relationship("SeatingRound")
    registration = relationship("Registration")
    table = relationship("SeatingTable")
