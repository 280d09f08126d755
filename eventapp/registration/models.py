"""Registrations: one person's place at a gathering, taken within their organisation's cap,
and the row per municipality and gathering that owns that cap."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.links import PersonalLink
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.partners.models import Partner
from eventapp.places.models import County, Municipality

ORGANISATION_KINDS = ("municipality", "district", "county", "partner")
ROLES = ("leader", "programme_adviser", "career_counsellor", "county_staff", "partner", "speaker",
         "other")
STATUSES = ("confirmed", "waitlisted", "cancelled")
CHANNELS = ("personal_link", "public_link", "host", "municipal_contact", "api")
# What stops a municipality from coming, as the invitations board notes it.
BARRIERS = ("travel_cost", "finances", "staffing", "timing", "other")
# A wish for the group-work tables, given when registering (the table plan honours it as far as
# the host's rules allow).
SEATING_WISHES = ("regional", "apart_from_neighbours")


# The private link to view, change or cancel a registration (see core.links).
MANAGE_LINK = PersonalLink("registration.manage", "manage")


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(f"organisation_kind IN ({sql_in(ORGANISATION_KINDS)})",
                        name="organisation_kind_known"),
        CheckConstraint(f"role IN ({sql_in(ROLES)})", name="role_known"),
        CheckConstraint(f"status IN ({sql_in(STATUSES)})", name="status_known"),
        CheckConstraint(f"channel IN ({sql_in(CHANNELS)})", name="channel_known"),
        CheckConstraint(
            "(organisation_kind IN ('municipality', 'district')) = (municipality_id IS NOT NULL)",
            name="municipality_for_municipal",
        ),
        CheckConstraint("organisation_kind <> 'partner' OR partner_name IS NOT NULL",
                        name="partner_named"),
        # A partner picked from the county's list is named as well (partner_name, kept as it
        # was when registering), and only a partner's registration picks one.
        CheckConstraint("partner_id IS NULL OR organisation_kind = 'partner'",
                        name="partner_id_for_partner"),
        CheckConstraint("day1 OR day2", name="at_least_one_day"),
        CheckConstraint(f"seating_wish IS NULL OR seating_wish IN ({sql_in(SEATING_WISHES)})",
                        name="seating_wish_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # One live registration per address and gathering; a cancelled one may be replaced.
        Index("uq_registrations_gathering_email_live", "gathering_id", "email", unique=True,
              sqlite_where=text("status <> 'cancelled'"),
              postgresql_where=text("status <> 'cancelled'")),
        Index("ix_registrations_gathering_municipality", "gathering_id", "municipality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    organisation_kind: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    partner_name: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(30))
    day1: Mapped[bool] = mapped_column(default=True)
    day2: Mapped[bool] = mapped_column(default=True)
    attends_dinner: Mapped[bool] = mapped_column(default=False)
    dietary_needs: Mapped[str | None] = mapped_column(Text)
    dietary_consent: Mapped[bool] = mapped_column(default=False)
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    accommodation: Mapped[bool] = mapped_column(default=False)
    # At a hybrid gathering: takes part through the meeting link, not in the room (the grant's
    # participant rule may count them differently). Everyone at a digital gathering is digital.
    attends_digitally: Mapped[bool] = mapped_column(default=False, server_default=false())
    travel_support_requested: Mapped[bool] = mapped_column(default=False)
    seating_wish: Mapped[str | None] = mapped_column(String(30))
    list_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )
    # The private link (MANAGE_LINK): its salt and hash, never the secret.
    manage_salt: Mapped[str] = mapped_column(String(32))
    manage_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_legacy_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Came on at least one day; the days themselves are below, for the grant's participant rule.
    attended: Mapped[bool | None]
    attended_day1: Mapped[bool | None]
    attended_day2: Mapped[bool | None]
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    gathering = relationship("Gathering")
    municipality: Mapped[Municipality | None] = relationship()
    county: Mapped[County | None] = relationship()
    partner: Mapped[Partner | None] = relationship()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        MANAGE_LINK.issue(self)

    @property
    def manage_token(self) -> str | None:
        """The secret in the private link; None once the link is closed."""
        return MANAGE_LINK.token(self)

    @property
    def in_pool(self) -> bool:
        """County staff and partners share the pool; municipalities have their own caps."""
        return self.organisation_kind in ("county", "partner")

    @property
    def organisation_name(self) -> str:
        if self.municipality is not None:
            return self.municipality.name
        if self.county is not None:
            return self.county.name
        return self.partner_name or ""


class GatheringMunicipality(db.Model):
    """One municipality (or Oslo district) in one gathering: its own cap, when the host has
    raised or lowered it, and, as the invitations board notes them, what stops it from coming,
    what was offered, and the next step.

    Registration locks this row while it checks and takes one of the municipality's places,
    so concurrent registrations can never exceed the cap. The row belongs here, below the
    invitations, because the cap is registration's limit.
    """

    __tablename__ = "gathering_municipalities"
    __table_args__ = (
        UniqueConstraint("gathering_id", "municipality_id"),
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    # None: the gathering's municipal cap applies.
    cap: Mapped[int | None]
    barrier_travel_cost: Mapped[bool] = mapped_column(default=False)
    barrier_finances: Mapped[bool] = mapped_column(default=False)
    barrier_staffing: Mapped[bool] = mapped_column(default=False)
    barrier_timing: Mapped[bool] = mapped_column(default=False)
    barrier_other: Mapped[str | None] = mapped_column(String(300))
    offered_travel_support: Mapped[bool] = mapped_column(default=False)
    offered_digital: Mapped[bool] = mapped_column(default=False)
    next_step: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    municipality: Mapped[Municipality] = relationship()
    gathering = relationship("Gathering")

    def effective_cap(self, default: int) -> int:
        return default if self.cap is None else self.cap

    @property
    def barriers(self) -> list[str]:
        found = [name for name in BARRIERS[:-1] if getattr(self, f"barrier_{name}")]
        if self.barrier_other:
            found.append("other")
        return found


# Who a host's message goes to: everyone registered, one municipality's people, the waitlist,
# or those coming on day 2; always those with a place or waiting, never the cancelled.
AUDIENCES = ("all", "municipality", "waitlist", "day2")


class HostMessage(db.Model):
    """A message the host wrote to the registered: who sent what to which group, how many
    it went to (each as an outbox row), and when."""

    __tablename__ = "host_messages"
    __table_args__ = (
        CheckConstraint(f"audience IN ({sql_in(AUDIENCES)})", name="audience_known"),
        CheckConstraint("(audience = 'municipality') = (municipality_id IS NOT NULL)",
                        name="municipality_for_municipality"),
        CheckConstraint("recipients > 0", name="recipients_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    municipality: Mapped[Municipality | None] = relationship()
    sent_by = relationship("User")
