"""Counties, municipalities and Oslo's city districts.

A district is stored beside the municipalities (``kind = 'district'``) because for a gathering it
plays a municipality's part: it registers, has a cap and is invited on its own.
"""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import db


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
