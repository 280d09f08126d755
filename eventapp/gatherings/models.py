"""A county's gathering. The programme, committee and calendars build on this."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.places.models import County

# Defaults from the rules of a gathering (DOMAIN.md).
DEFAULT_MUNICIPAL_CAP = 2
DEFAULT_POOL_CAP = 20

STATUSES = ("draft", "open", "closed", "held", "reported")


class Gathering(db.Model):
    __tablename__ = "gatherings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'held', 'reported')", name="status_known"
        ),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("municipal_cap >= 0", name="municipal_cap_not_negative"),
        CheckConstraint("pool_cap >= 0", name="pool_cap_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    registration_opens: Mapped[date | None]
    registration_closes: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    municipal_cap: Mapped[int] = mapped_column(default=DEFAULT_MUNICIPAL_CAP)
    pool_cap: Mapped[int] = mapped_column(default=DEFAULT_POOL_CAP)
    capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    county: Mapped[County] = relationship()

    @classmethod
    def scope_county(cls):
        return cls.county_id

    # Municipal contacts register their people, so they see their county's gatherings.
    municipal_contacts_see_county = True

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def status_label(status: str) -> str:
    from flask_babel import gettext as _

    return {
        "draft": _("Draft"),
        "open": _("Open for registration"),
        "closed": _("Registration closed"),
        "held": _("Held"),
        "reported": _("Reported"),
    }.get(status, status)
