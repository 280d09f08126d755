"""User accounts, their roles, and the one-time links that activate them or reset a password."""

import secrets
from datetime import datetime

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


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


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
    # Part of the login cookie: changing it (password change, "log out everywhere") ends
    # every other session of this user.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
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

    # Flask-Login asks these.
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


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

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
