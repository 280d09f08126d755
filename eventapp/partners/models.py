"""The partner organisations a county works with (NAV, adult education, IMDi ...), each with
the people to invite. A registration may name one (``Registration.partner_id``) or write a
partner's name freely; a campaign may invite the county's partner contacts beside the
municipalities' (``Invitation.partner_id``)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.places.models import County

PARTNER_KINDS = ("nav", "adult_education", "imdi", "statsforvalteren", "interpreter_service",
                 "voluntary", "other")


# Lazy, so a label costs one translation when shown, not one for every kind (a report shows a
# partner's kind per row).
KIND_LABELS = {
    "nav": _l("NAV"),
    "adult_education": _l("Adult education"),
    "imdi": _l("IMDi"),
    "statsforvalteren": _l("Statsforvalteren"),
    "interpreter_service": _l("Interpreter service"),
    "voluntary": _l("Voluntary organisation"),
    "other": _l("Other"),
}


def kind_label(kind: str | None) -> str:
    """The kind's name in the user's language; a free-text partner (None) is "other"."""
    label = KIND_LABELS.get(kind or "other")
    return kind if label is None else str(label)


class Partner(db.Model):
    """An organisation the county's host invites beside the municipalities. Deactivated, never
    deleted: registrations and invitations keep pointing at it."""

    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(PARTNER_KINDS)})", name="kind_known"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        UniqueConstraint("county_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    contacts: Mapped[list["PartnerContact"]] = relationship(
        back_populates="partner", order_by="PartnerContact.name",
        cascade="all, delete-orphan")

    @classmethod
    def scope_county(cls):
        return cls.county_id

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def active_contacts(self) -> list["PartnerContact"]:
        return [c for c in self.contacts if c.active]


class PartnerContact(db.Model):
    """A person at a partner organisation whom a campaign can invite."""

    __tablename__ = "partner_contacts"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        UniqueConstraint("partner_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="contacts")

    @property
    def county_id(self) -> int:
        """The county it belongs to, for the policy."""
        return self.partner.county_id
