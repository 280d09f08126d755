"""User accounts, their roles, their login sessions, and the one-time links that activate them
or reset a password."""

from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.access import Role
from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.places.models import County, Municipality

ROLE_VALUES = sql_in(r.value for r in Role)

counsellor_municipalities = Table(
    "counsellor_municipalities",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),
        CheckConstraint("role = 'directorate' OR county_id IS NOT NULL", name="county_for_role"),
        CheckConstraint(
            "(role = 'municipal_contact') = (municipality_id IS NOT NULL)",
            name="municipality_for_contact",
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    county: Mapped[County | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    assigned_municipalities: Mapped[list[Municipality]] = relationship(
        secondary=counsellor_municipalities, order_by=Municipality.number
    )

    @classmethod
    def scope_county(cls):
        return cls.county_id

    @classmethod
    def scope_municipality(cls):
        return cls.municipality_id

    # The login session this request acts in (a LoginSession) and its secret, set on the
    # loaded object at login and by the loader, not stored; Flask-Login puts the secret in the
    # session cookie.
    login_session = None
    session_secret = None

    # Flask-Login asks these.
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        if self.session_secret is None:
            raise RuntimeError("log in through accounts.services.start_session")
        return self.session_secret

    @property
    def opened_as(self) -> str:
        """What a login session depends on besides the password: it ends when these change."""
        return f"{self.role}:{self.county_id or ''}:{self.municipality_id or ''}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


END_REASONS = ("logout", "everywhere", "password", "deactivated", "changed", "idle", "expired")


class LoginSession(db.Model):
    """One login in one browser. The cookie carries its secret; only the secret's hash is kept,
    so a copy of the database opens no session. Ending it ends the cookie for good."""

    __tablename__ = "login_sessions"
    __table_args__ = (
        CheckConstraint(f"end_reason IN ({sql_in(END_REASONS)})", name="end_reason_known"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The user's role, county and municipality at login (User.opened_as).
    opened_as: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()

    def why_over(self, user: User, now: datetime, idle: timedelta, lifetime: timedelta) -> str | None:
        """Why this session can no longer be used, or None while it can."""
        if self.ended_at is not None:
            return self.end_reason
        if not user.active:
            return "deactivated"
        if self.opened_as != user.opened_as:
            return "changed"
        if now >= self.created_at + lifetime:
            return "expired"
        if now >= self.last_seen_at + idle:
            return "idle"
        return None

    def end(self, now: datetime, reason: str) -> None:
        if self.ended_at is None:
            self.ended_at = now
            self.end_reason = reason


class LinkToken(db.Model):
    """An emailed link that acts once, before it expires. Only the hash of its secret is kept."""

    __tablename__ = "link_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('activate', 'reset')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The mail that carried the link, whose kept copy loses the link once it stops working.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
