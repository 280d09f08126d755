"""Tables, group-work rounds, the host's pins and keep-apart pairs, and the current plan."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
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
    # The soft rules hosts asked for (issue 19). New settings spread NAV and adult education;
    # settings that existed before keep planning as they did (the migration's default is off).
    spread_partner_kinds: Mapped[bool] = mapped_column(default=True, server_default=false())
    apart_neighbours: Mapped[bool] = mapped_column(default=False, server_default=false())
    spread_large: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Re-planning once check-in has started seats people on the days they were checked in.
    follow_attendance: Mapped[bool] = mapped_column(default=False, server_default=false())
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


class SeatingNeighbour(db.Model):
    """Two municipalities of a county the host marked as neighbours. Kept per county, not per
    gathering, so the next gathering starts with the same marks; stored in number order."""

    __tablename__ = "seating_neighbours"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id", ondelete="CASCADE"),
                                           index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))

    first = relationship("Municipality", foreign_keys=[first_id])
    second = relationship("Municipality", foreign_keys=[second_id])


class SeatingApartRegion(db.Model):
    """A region (the municipalities one career counsellor serves) whose municipalities the host
    keeps at different tables at this gathering."""

    __tablename__ = "seating_apart_regions"
    __table_args__ = (UniqueConstraint("gathering_id", "counsellor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    counsellor = relationship("User")


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


JOB_STATUSES = ("queued", "running", "done", "stopped", "conflict", "failed")
JOB_ACTIVE = ("queued", "running")


class SeatingJob(db.Model):
    """A plan being made in the background: its state for the page (the job library only moves
    the work). At most one queued or running job per gathering, held by a partial unique index;
    a finished job stays as the record of how it ended."""

    __tablename__ = "seating_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'stopped', 'conflict', "
                        "'failed')", name="known_status"),
        db.Index("uq_seating_jobs_one_active", "gathering_id", unique=True,
                 postgresql_where=db.text("status IN ('queued', 'running')"),
                 sqlite_where=db.text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replan: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    stop_requested: Mapped[bool] = mapped_column(default=False)
    time_limit_s: Mapped[int] = mapped_column(default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last sign of life from the worker (start, progress): a running job silent for long
    # past its time limit has died with its worker and may be started over.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest progress report: seconds, iterations, the best so far and the lower bound.
    progress: Mapped[str | None] = mapped_column(Text)
    # The best plan so far in the solver's output shape (JSON), kept for a stop or a crash.
    best_plan: Mapped[str | None] = mapped_column(Text)
    # Why it ended as it did (a conflict, a failure), in the words shown to the host.
    message: Mapped[str | None] = mapped_column(Text)

    gathering = relationship("Gathering")
