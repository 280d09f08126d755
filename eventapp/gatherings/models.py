"""A county's gathering, its programme committee, its programme and what feeds into it."""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.links import PersonalLink
from eventapp.core.time import OSLO, UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.places.models import County, Municipality

# Defaults from the rules of a gathering (DOMAIN.md).
DEFAULT_MUNICIPAL_CAP = 2
DEFAULT_POOL_CAP = 20

STATUSES = ("draft", "open", "closed", "held", "reported")
# Where a gathering may go from each status. "reported" is reached through the grant report.
TRANSITIONS = {
    "draft": ("open",),
    "open": ("closed",),
    "closed": ("open", "held"),
    "held": ("reported",),
    "reported": (),
}

ITEM_KINDS = (
    "talk", "plenary_discussion", "group_work", "panel", "experience_sharing", "icebreaker",
    "break", "meal", "social_dinner", "other",
)
ORGANISATION_KINDS = (
    "directorate", "county", "career_centre", "municipality", "imdi", "nav", "adult_education",
    "research", "refugee_background", "statsforvalteren", "other",
)
INPUT_STATUSES = ("new", "adopted", "declined")
# Where people take part: in the room, only through a meeting link (a webinar: no venue), or
# both (hybrid: a venue, and a link for those who attend digitally).
MODES = ("in_person", "digital", "hybrid")
MEETING_URL_MAX = 500
# The database holds the gist of the link rule (https only, no blanks); the service
# (``services.gathering.clean_meeting_url``) holds the rest and says what is wrong.
_MEETING_URL_SHAPE = ("meeting_url IS NULL OR (meeting_url LIKE 'https://%' "
                      "AND meeting_url NOT LIKE '% %')")


# Secrets in links (see core.links): the municipal input form and the calendar subscription.
INPUT_LINK = PersonalLink("gathering.input", "input")
CALENDAR_LINK = PersonalLink("gathering.calendar", "calendar")


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
        CheckConstraint("quality_assured_by_id IS NULL OR quality_assured_at IS NOT NULL",
                        name="quality_assured_dated"),
        CheckConstraint(f"mode IN ({sql_in(MODES)})", name="mode_known"),
        # A webinar has no room; everyone else meets somewhere.
        CheckConstraint("mode = 'digital' OR venue IS NOT NULL", name="venue_unless_digital"),
        # Whoever attends digitally needs the link.
        CheckConstraint("mode = 'in_person' OR meeting_url IS NOT NULL",
                        name="meeting_url_unless_in_person"),
        CheckConstraint(_MEETING_URL_SHAPE, name="meeting_url_https"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    # None only for a digital gathering (checked above).
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(20), default="in_person",
                                      server_default="in_person")
    # Not public: shown to the registered (their page, their mail, their calendar file) and to
    # those who run the gathering, never on the public page.
    meeting_url: Mapped[str | None] = mapped_column(String(MEETING_URL_MAX))
    registration_opens: Mapped[date | None]
    registration_closes: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    municipal_cap: Mapped[int] = mapped_column(default=DEFAULT_MUNICIPAL_CAP)
    pool_cap: Mapped[int] = mapped_column(default=DEFAULT_POOL_CAP)
    capacity: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)
    # Set while the final report is submitted or approved: the report carries the survey's
    # figures and the follow-up's actions as they were, so those no longer change. The grants
    # feature keeps it; the survey and the follow-up, below it, read it here.
    report_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Raised each time the gathering's own calendar fields (title, dates, venue, address,
    # description) change; added to what the programme's changes count, it is the "add to
    # calendar" event's SEQUENCE, so a calendar replaces the event it imported before.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # The links to the municipal input form and the calendar subscription: salts and hashes,
    # never the secrets.
    input_salt: Mapped[str] = mapped_column(String(32))
    input_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    input_legacy_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_salt: Mapped[str] = mapped_column(String(32))
    calendar_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_legacy_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The directorate's mark that it has quality assured the programme, and who set it (the
    # dialogue feature sets and clears it; the checklist shows it).
    quality_assured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quality_assured_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    county: Mapped[County] = relationship()
    quality_assured_by = relationship("User", foreign_keys=[quality_assured_by_id])
    items: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="gathering", order_by="ProgrammeItem.starts_at",
        cascade="all, delete-orphan",
    )
    committee: Mapped[list["CommitteeMember"]] = relationship(
        back_populates="gathering", cascade="all, delete-orphan", order_by="CommitteeMember.id"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        INPUT_LINK.issue(self)
        CALENDAR_LINK.issue(self)

    @property
    def input_token(self) -> str | None:
        """The secret in the input link; None once the link is closed."""
        return INPUT_LINK.token(self)

    @property
    def calendar_token(self) -> str | None:
        """The secret in the subscription link; None once the link is closed."""
        return CALENDAR_LINK.token(self)

    @classmethod
    def scope_county(cls):
        return cls.county_id

    # Municipal contacts register their people, so they see their county's gatherings.
    municipal_contacts_see_county = True

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def digital(self) -> bool:
        return self.mode == "digital"

    @property
    def place(self) -> str:
        """Where, for a reader: the venue, or "Digital" for a gathering without one."""
        if self.venue:
            return self.venue
        from flask_babel import gettext as _

        return _("Digital")

    @property
    def published(self) -> bool:
        """A gathering past draft has a public page anyone can read."""
        return self.status != "draft"

    def date_of_day(self, day: int) -> date:
        return self.start_date + timedelta(days=day - 1)

    def day_of(self, moment: datetime) -> int | None:
        """1 or 2 for a moment on the gathering's days (Oslo time), else None."""
        local = moment.astimezone(OSLO).date()
        day = (local - self.start_date).days + 1
        return day if 1 <= day <= self.days else None

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, ())

    @property
    def active_items(self) -> list["ProgrammeItem"]:
        return [i for i in self.items if i.cancelled_at is None]


class CommitteeMember(db.Model):
    """A member of the programme committee; county or municipal staff by the user's role."""

    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("gathering_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    gathering: Mapped[Gathering] = relationship(back_populates="committee")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_municipal(self) -> bool:
        return self.user.role == "municipal_contact"


class ProgrammeTopic(db.Model):
    """A topic on the national list the directorate keeps; programme items carry topics so the
    survey's "most useful items" can be read by topic across gatherings. Topics are deactivated,
    never deleted, so earlier programmes and reports keep them."""

    __tablename__ = "programme_topics"
    __table_args__ = (
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable name the API and exports use; names may be edited, codes not.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    def label(self, locale: str | None = None) -> str:
        """The Norwegian name, or the English one when the page is in English and has one."""
        if locale is None:
            from flask_babel import get_locale

            locale = str(get_locale() or "nb")
        return self.name_en if locale.startswith("en") and self.name_en else self.name


programme_item_topics = Table(
    "programme_item_topics",
    db.metadata,
    Column("item_id", ForeignKey("programme_items.id", ondelete="CASCADE"), primary_key=True),
    # The roll-up reads items by topic.
    Column("topic_id", ForeignKey("programme_topics.id"), primary_key=True, index=True),
)


class ProgrammeItem(db.Model):
    """One item of the programme. Removing an item cancels it, so calendars can say so."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("question_minutes >= 0", name="question_minutes_not_negative"),
        CheckConstraint(f"kind IN ({sql_in(ITEM_KINDS)})", name="kind_known"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(_MEETING_URL_SHAPE, name="meeting_url_https"),
        Index("ix_programme_items_gathering_start", "gathering_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    # Stable across edits, so calendar programs update the event instead of adding one.
    uid: Mapped[str] = mapped_column(
        String(80), unique=True, default=lambda: f"{uuid.uuid4()}@eventapp"
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    room: Mapped[str | None] = mapped_column(String(100))
    # An item of its own online (a digital talk in an in-person gathering, say): its link.
    # Not public, like the gathering's.
    meeting_url: Mapped[str | None] = mapped_column(String(MEETING_URL_MAX))
    question_minutes: Mapped[int] = mapped_column(default=0)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship(back_populates="items")
    # The speakers and topics are loaded with the items (one query each for a whole programme),
    # as every page of the programme shows them.
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Speaker.position",
        lazy="selectin",
    )
    topics: Mapped[list[ProgrammeTopic]] = relationship(
        secondary=programme_item_topics, order_by="ProgrammeTopic.position", lazy="selectin"
    )

    @property
    def room_key(self) -> str:
        """Items without a room are in the main hall; rooms compare without case or spaces.
        An item online without a room is "in" its meeting link, so it does not clash with the
        main hall (the same link twice at once does)."""
        if not (self.room or "").strip() and self.meeting_url:
            return f"link:{self.meeting_url}"
        return " ".join((self.room or "").lower().split())

    @property
    def link(self) -> str | None:
        """The link to join this item: its own, else the gathering's when it has one."""
        return self.meeting_url or self.gathering.meeting_url

    @property
    def digital(self) -> bool:
        """Held online: an item with its own link, or any item of a digital gathering."""
        return bool(self.meeting_url) or self.gathering.mode == "digital"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Speaker(db.Model):
    __tablename__ = "programme_speakers"
    __table_args__ = (
        CheckConstraint(f"organisation_kind IN ({sql_in(ORGANISATION_KINDS)})",
                        name="organisation_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("programme_items.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_kind: Mapped[str] = mapped_column(String(30))

    item: Mapped[ProgrammeItem] = relationship(back_populates="speakers")


class ProgrammeChange(db.Model):
    """The log of every change to the programme: who, when, what."""

    __tablename__ = "programme_changes"
    __table_args__ = (
        CheckConstraint("action IN ('created', 'updated', 'cancelled', 'restored')",
                        name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)

    item: Mapped[ProgrammeItem | None] = relationship()
    user = relationship("User")


input_item_links = Table(
    "municipal_input_items",
    db.metadata,
    Column("input_id", ForeignKey("municipal_inputs.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("programme_items.id", ondelete="CASCADE"), primary_key=True),
)


class MunicipalInput(db.Model):
    """What a municipality wants from the programme, and what the committee did with it."""

    __tablename__ = "municipal_inputs"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(INPUT_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    topics: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    small_municipality: Mapped[bool | None]
    status: Mapped[str] = mapped_column(String(20), default="new")
    committee_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    items: Mapped[list[ProgrammeItem]] = relationship(secondary=input_item_links)


class OtherEvent(db.Model):
    """Another event for the same audience (IMDi's conference, say), to avoid clashing with."""

    __tablename__ = "other_events"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("source IN ('manual', 'ics')", name="source_known"),
        UniqueConstraint("gathering_id", "source_uid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    source: Mapped[str] = mapped_column(String(10), default="manual")
    source_uid: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship()

    def days_from(self, gathering: Gathering) -> int:
        """Whole days between this event and the gathering; 0 when they overlap."""
        if self.end_date < gathering.start_date:
            return (gathering.start_date - self.end_date).days
        if self.start_date > gathering.end_date:
            return (self.start_date - gathering.end_date).days
        return 0


def status_label(status: str) -> str:
    from flask_babel import gettext as _

    return {
        "draft": _("Draft"),
        "open": _("Open for registration"),
        "closed": _("Registration closed"),
        "held": _("Held"),
        "reported": _("Reported"),
    }.get(status, status)
