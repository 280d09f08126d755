"""The grant: the directorate's participant rule per year, the county's application, its budget
lines, and the final report the directorate approves. Money is whole NOK in integers."""

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

RATE_NOK = 4000
ATTENDANCE_RULES = ("any_day", "all_days")
# How those who took part digitally (everyone at a digital gathering; at a hybrid one, those
# registered as attending digitally) count as participants: like everyone else, or not at all.
DIGITAL_RULES = ("full", "not_counted")
PURGE_AFTER_MONTHS = 6
CATEGORIES = ("venue", "meals", "social_dinner", "accommodation", "speakers", "travel_support",
              "materials", "other")
APPLICATION_STATUSES = ("submitted", "decided")
REPORT_STATUSES = ("draft", "submitted", "returned", "approved")


class GrantRules(db.Model):
    """Who counts as a participant and at what rate, for the gatherings of one year.

    The directorate owns these; a year without a row uses the defaults below."""

    __tablename__ = "grant_rules"
    __table_args__ = (
        CheckConstraint("rate_nok > 0", name="rate_positive"),
        CheckConstraint(f"attendance IN ({sql_in(ATTENDANCE_RULES)})", name="attendance_known"),
        CheckConstraint("purge_after_months BETWEEN 1 AND 60", name="purge_months_range"),
        CheckConstraint(f"digital_counts IN ({sql_in(DIGITAL_RULES)})",
                        name="digital_counts_known"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rate_nok: Mapped[int] = mapped_column(default=RATE_NOK)
    attendance: Mapped[str] = mapped_column(String(20), default="any_day")
    include_speakers: Mapped[bool] = mapped_column(default=False)
    # "full" by default: before digital sessions every participant who came counted, and a
    # year without a row keeps that; the directorate narrows it per year.
    digital_counts: Mapped[str] = mapped_column(String(20), default="full",
                                                server_default="full")
    purge_after_months: Mapped[int] = mapped_column(default=PURGE_AFTER_MONTHS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @classmethod
    def defaults(cls, year: int) -> "GrantRules":
        return cls(year=year, rate_nok=RATE_NOK, attendance="any_day", include_speakers=False,
                   digital_counts="full", purge_after_months=PURGE_AFTER_MONTHS)


class GrantApplication(db.Model):
    """One application per gathering; the directorate decides it once."""

    __tablename__ = "grant_applications"
    __table_args__ = (
        CheckConstraint("planned_participants > 0", name="planned_positive"),
        CheckConstraint("rate_nok > 0", name="rate_positive"),
        CheckConstraint("applied_nok >= 0 AND applied_nok <= rate_nok * planned_participants",
                        name="applied_within_ceiling"),
        CheckConstraint(f"status IN ({sql_in(APPLICATION_STATUSES)})", name="status_known"),
        CheckConstraint("(status = 'decided') = (granted_nok IS NOT NULL)",
                        name="granted_when_decided"),
        CheckConstraint("granted_nok IS NULL OR (granted_nok >= 0 AND granted_nok <= applied_nok)",
                        name="granted_within_applied"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), unique=True)
    planned_participants: Mapped[int]
    rate_nok: Mapped[int]
    applied_nok: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_nok: Mapped[int | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    gathering = relationship("Gathering")

    @property
    def ceiling_nok(self) -> int:
        return self.rate_nok * self.planned_participants


budget_line_registrations = Table(
    "budget_line_registrations",
    db.metadata,
    Column("budget_line_id", ForeignKey("budget_lines.id", ondelete="CASCADE"),
           primary_key=True),
    # A registration's travel support is paid from one line only.
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"),
           primary_key=True, unique=True),
)


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint(f"category IN ({sql_in(CATEGORIES)})", name="category_known"),
        CheckConstraint("planned_nok >= 0", name="planned_not_negative"),
        CheckConstraint("actual_nok >= 0", name="actual_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200))
    planned_nok: Mapped[int] = mapped_column(default=0)
    actual_nok: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering = relationship("Gathering")
    registrations = relationship("Registration", secondary=budget_line_registrations,
                                 order_by="Registration.id")


class FinalReport(db.Model):
    """The county's report on a held gathering.

    On submission the figures are copied into the report, so what the directorate approved reads
    the same whatever changes later (late check-ins, a purge of personal data, new rules)."""

    __tablename__ = "final_reports"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(REPORT_STATUSES)})", name="status_known"),
        CheckConstraint(f"attendance IS NULL OR attendance IN ({sql_in(ATTENDANCE_RULES)})",
                        name="attendance_known"),
        CheckConstraint("status NOT IN ('submitted', 'approved') OR (participants IS NOT NULL "
                        "AND spent_nok IS NOT NULL AND granted_nok IS NOT NULL)",
                        name="figures_when_submitted"),
        CheckConstraint("purged_at IS NULL OR status = 'approved'", name="purge_after_approval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    follow_up_actions: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    review_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purge_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The figures as submitted, with the rule they were counted by.
    rate_nok: Mapped[int | None]
    attendance: Mapped[str | None] = mapped_column(String(20))
    include_speakers: Mapped[bool | None]
    participants: Mapped[int | None]
    municipal_staff: Mapped[int | None]
    county_staff: Mapped[int | None]
    partners: Mapped[int | None]
    speakers: Mapped[int | None]
    municipalities_covered: Mapped[int | None]
    municipalities_total: Mapped[int | None]
    granted_nok: Mapped[int | None]
    spent_nok: Mapped[int | None]
    # JSON: the follow-up log's actions and the survey's figures as submitted
    # ({"actions": [...], "survey": {...} | null}); see services.follow_up_snapshot.
    follow_up_snapshot: Mapped[str | None] = mapped_column(Text)

    gathering = relationship("Gathering")

    @property
    def snapshot(self) -> dict | None:
        return json.loads(self.follow_up_snapshot) if self.follow_up_snapshot else None

    @property
    def frozen(self) -> bool:
        """Submitted or approved: the figures are the copy, and the county cannot edit."""
        return self.status in ("submitted", "approved")


HISTORY_SUBJECTS = ("application", "report")
HISTORY_ACTIONS = ("decided", "approved", "returned", "reopened")


class GrantHistory(db.Model):
    """Every decision on the application, review of the report and reopening of either: who,
    when, what and why, shown on the grant and report pages. Kept when a decision is reopened,
    so the record says what was decided before. The directorate's name is copied, so the line
    reads the same after its user is deleted."""

    __tablename__ = "grant_history"
    __table_args__ = (
        CheckConstraint(f"subject IN ({sql_in(HISTORY_SUBJECTS)})", name="subject_known"),
        CheckConstraint(f"action IN ({sql_in(HISTORY_ACTIONS)})", name="action_known"),
        CheckConstraint("action != 'reopened' OR reason IS NOT NULL", name="reopen_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    # The amount granted, for a decision (and the amount a reopened decision had granted).
    amount_nok: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
