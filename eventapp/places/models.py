"""Counties, municipalities and Oslo's city districts.

A district is stored beside the municipalities (``kind = 'district'``) because for a gathering it
plays a municipality's part: it registers, has a cap and is invited on its own.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db

# A municipality's size as a settler of refugees in a year, by the directorate's thresholds
# for that year (``SizeThresholds``); coarse on purpose: survey responses carry it.
SIZE_CLASSES = ("small", "medium", "large")


class County(db.Model):
    __tablename__ = "counties"
    __table_args__ = (CheckConstraint("length(number) = 2", name="number_two_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    municipalities: Mapped[list["Municipality"]] = relationship(
        back_populates="county", order_by="Municipality.number"
    )

    @classmethod
    def scope_county(cls):
        return cls.id

    municipal_contacts_see_county = True

    def __repr__(self) -> str:
        return f"<County {self.number} {self.name}>"


class Municipality(db.Model):
    __tablename__ = "municipalities"
    __table_args__ = (
        CheckConstraint("kind IN ('municipality', 'district')", name="kind_known"),
        CheckConstraint(
            "(kind = 'municipality' AND length(number) = 4 AND parent_id IS NULL)"
            " OR (kind = 'district' AND length(number) = 6 AND parent_id IS NOT NULL)",
            name="number_matches_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="municipality")
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    active: Mapped[bool] = mapped_column(default=True)

    county: Mapped[County] = relationship(back_populates="municipalities")
    parent: Mapped["Municipality | None"] = relationship(remote_side=[id])

    @classmethod
    def scope_county(cls):
        return cls.county_id

    @classmethod
    def scope_municipality(cls):
        return cls.id

    @property
    def is_district(self) -> bool:
        return self.kind == "district"

    def __repr__(self) -> str:
        return f"<Municipality {self.number} {self.name}>"


class MunicipalityYear(db.Model):
    """One municipality's settlement figures for one year, as IMDi publishes them: how many
    refugees it was asked to settle (requested), agreed to settle (decided) and settled.

    ``settles`` and ``size_class`` are derived when the figures are imported (and the class
    again when the year's thresholds change), so that reports and the board read them as
    plain columns. A figure IMDi did not publish is NULL, never 0."""

    __tablename__ = "municipality_years"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint("requested IS NULL OR requested >= 0", name="requested_not_negative"),
        CheckConstraint("decided IS NULL OR decided >= 0", name="decided_not_negative"),
        CheckConstraint("settled IS NULL OR settled >= 0", name="settled_not_negative"),
        CheckConstraint(f"size_class IS NULL OR size_class IN ({sql_in(SIZE_CLASSES)})",
                        name="size_class_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    requested: Mapped[int | None]
    decided: Mapped[int | None]
    settled: Mapped[int | None]
    settles: Mapped[bool] = mapped_column(default=False)
    size_class: Mapped[str | None] = mapped_column(String(10))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()

    def __repr__(self) -> str:
        return f"<MunicipalityYear {self.municipality_id} {self.year} {self.size_class}>"


class SizeThresholds(db.Model):
    """The directorate's thresholds for a year's size classes: a municipality is *medium* from
    ``medium_from`` refugees settled (decided, when settled is not published) and *large* from
    ``large_from``; below ``medium_from`` it is *small*. A year without a row uses
    ``DEFAULT_THRESHOLDS`` (see places.services.facts)."""

    __tablename__ = "size_thresholds"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint("medium_from >= 1", name="medium_positive"),
        CheckConstraint("large_from > medium_from", name="large_above_medium"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    medium_from: Mapped[int]
    large_from: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# Used for a year the directorate has set no thresholds for; documented in docs/domain.md.
DEFAULT_THRESHOLDS = (20, 60)
