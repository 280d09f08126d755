"""Who to invite in each municipality, the campaigns that invite them, the personal links they
get, and what counsellors do by other channels. Each municipality's barriers and next step are
noted on its ``registration.models.GatheringMunicipality`` row, beside its cap."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.links import PersonalLink
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.partners.models import Partner, PartnerContact
from eventapp.places.models import Municipality

CONTACT_ROLES = ("leader", "programme_adviser", "other")
SENDER_KINDS = ("career_centre", "integration_adviser", "counsellor")
CAMPAIGN_KINDS = ("invitation", "reminder")
OUTREACH_CHANNELS = ("visit", "phone", "video", "own_mail", "other")


# The personal link in an invitation (see core.links).
INVITATION_LINK = PersonalLink("invitation", "link")


class Contact(db.Model):
    """A person to invite in a municipality or Oslo district."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_in(CONTACT_ROLES)})", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        UniqueConstraint("municipality_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(30), default="other")
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()

    @classmethod
    def scope_county(cls):
        return cls.county_id

    @classmethod
    def scope_municipality(cls):
        return cls.municipality_id


class Campaign(db.Model):
    """An invitation (or reminder) mailed in the name of a sender to chosen municipalities."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(CAMPAIGN_KINDS)})", name="kind_known"),
        CheckConstraint(f"sender_kind IN ({sql_in(SENDER_KINDS)})", name="sender_kind_known"),
        CheckConstraint("status IN ('draft', 'sending', 'sent')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="invitation")
    sender_kind: Mapped[str] = mapped_column(String(30))
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_email: Mapped[str | None] = mapped_column(String(254))
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    gathering = relationship("Gathering")
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="campaign", order_by="Invitation.id"
    )


class Invitation(db.Model):
    """One recipient of one campaign, with a personal link that opens registration with the
    municipality (or the partner organisation) filled in. Unique per campaign and address, so a
    resend never mails twice.

    A municipal contact's invitation names its municipality (the board counts those); a partner
    contact's names its partner instead (``partners.PartnerContact``), never both."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "email"),
        CheckConstraint("(municipality_id IS NULL) <> (partner_id IS NULL)",
                        name="municipality_or_partner"),
        CheckConstraint("partner_contact_id IS NULL OR partner_id IS NOT NULL",
                        name="partner_contact_has_partner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    partner_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_contacts.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # The personal link (INVITATION_LINK): its salt and hash, never the secret.
    link_salt: Mapped[str] = mapped_column(String(32))
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_legacy_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
    municipality: Mapped[Municipality | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    partner_contact: Mapped[PartnerContact | None] = relationship()
    contact: Mapped["Contact | None"] = relationship()
    outbox_message = relationship("OutboxMessage")

    @property
    def organisation_name(self) -> str:
        """The municipality or partner organisation the invitation went to."""
        unit = self.municipality or self.partner
        return unit.name if unit is not None else ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        INVITATION_LINK.issue(self)

    @property
    def token(self) -> str | None:
        """The secret in the personal link; None once the link is closed."""
        return INVITATION_LINK.token(self)

    def mark_opened(self, now: datetime) -> None:
        self.open_count += 1
        if self.opened_at is None:
            self.opened_at = now


OUTREACH_ENDINGS = ("edited", "deleted")


class Outreach(db.Model):
    """Contact made outside the app's mail: a visit, a call, a video meeting, own mailbox.

    The log keeps its history in this table: an edit changes the entry in place and first
    stores what it was as a row pointing at it (``entry_id``), ended by whoever edited it; a
    deletion ends the entry itself. Only rows with no ``ended_at`` count anywhere."""

    __tablename__ = "outreach"
    __table_args__ = (
        CheckConstraint(f"channel IN ({sql_in(OUTREACH_CHANNELS)})", name="channel_known"),
        CheckConstraint(f"ended_how IS NULL OR ended_how IN ({sql_in(OUTREACH_ENDINGS)})",
                        name="ended_how_known"),
        # An earlier version is always an ended one, and an ended row says how and when.
        CheckConstraint("entry_id IS NULL OR coalesce(ended_how, '') = 'edited'",
                        name="version_ended"),
        CheckConstraint("(ended_at IS NULL) = (ended_how IS NULL)", name="ended_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # On an earlier version: the entry it was. A version goes with its entry.
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach.id", ondelete="CASCADE"), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_how: Mapped[str | None] = mapped_column(String(10))

    municipality: Mapped[Municipality] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    ended_by = relationship("User", foreign_keys=[ended_by_id])
    gathering = relationship("Gathering")

    @property
    def county_id(self) -> int | None:
        """The county the entry belongs to, for the policy."""
        return self.gathering.county_id if self.gathering is not None else None

    @property
    def live(self) -> bool:
        return self.ended_at is None

    @classmethod
    def current(cls):
        """The condition for entries that count: neither an earlier version nor deleted."""
        return cls.ended_at.is_(None)
