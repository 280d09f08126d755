"""The survey's tables.

Who answered is kept apart from what they answered (as Indico's anonymous surveys do): a
``SurveyInvitation`` says *that* a registration was invited and has answered; a
``SurveyResponse`` holds *what* was answered, with no column that refers to a person, an
invitation or a moment finer than a day. The link between the two is the personal token in the
invitation mail, which the database never stores: the invitation keeps sha256(token), the
response keeps HMAC-SHA256(SECRET_KEY, token), and neither can be computed from the other.
"""

import json
import secrets
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.core.db import sql_in
from eventapp.core.time import UTCDateTime, utcnow
from eventapp.extensions import db
from eventapp.places.models import SIZE_CLASSES

KINDS = ("agreement", "single", "multiple", "programme_items", "short_text", "long_text")
CHOICE_KINDS = ("single", "multiple", "programme_items")
MULTI_KINDS = ("multiple", "programme_items")
TEXT_KINDS = ("short_text", "long_text")
STATUSES = ("draft", "open", "closed")
# A response is counted in no figure while pending; shown ones are; a replaced one is still
# shown while the edit that replaces it waits (see services.answering.release).
RESPONSE_STATES = ("pending", "shown", "replaced")
GROUPS = ("municipal", "county", "partner")
AGREEMENT = ("helt_enig", "delvis_enig", "noytral", "delvis_uenig", "helt_uenig", "vet_ikke")
AGREE = ("helt_enig", "delvis_enig")
DONT_KNOW = "vet_ikke"
MAX_TEXT = 4000


def new_qr_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(db.Model):
    """One survey per gathering. Its questions are copies, so later edits of the national
    template do not change a survey that is running."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(STATUSES)})", name="status_known"),
        CheckConstraint("closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on",
                        name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    # Shown as a QR code in the closing session: anyone holding it may answer, many times.
    qr_token: Mapped[str] = mapped_column(String(43), unique=True, default=new_qr_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # How many of the shown responses came by personal link, as of the last release: the
    # responses themselves do not say, and the answered invitations count the pending too.
    shown_personal: Mapped[int] = mapped_column(default=0, server_default="0")

    gathering = relationship("Gathering")
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position",
        cascade="all, delete-orphan")

    def accepts_answers_on(self, day: date) -> bool:
        return (self.status == "open"
                and (self.opens_on is None or day >= self.opens_on)
                and (self.closes_on is None or day <= self.closes_on))


class SurveyQuestion(db.Model):
    """A question of the national template of a year (``year`` set) or of one survey
    (``survey_id`` set). National questions carry a stable ``code`` so counties compare."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint("(year IS NULL) <> (survey_id IS NULL)", name="template_or_survey"),
        CheckConstraint(f"kind IN ({sql_in(KINDS)})", name="kind_known"),
        CheckConstraint("national = (code IS NOT NULL)", name="national_has_code"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        # NULLs are distinct, so each constraint binds only the rows it is about.
        UniqueConstraint("year", "code"),
        UniqueConstraint("survey_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int | None]
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str | None] = mapped_column(String(40))
    national: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    # JSON: [{"value", "label", "label_en"}], for the choice kinds and the agreement scale.
    options: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey | None] = relationship(back_populates="questions")

    @property
    def option_list(self) -> list[dict]:
        return json.loads(self.options) if self.options else []

    @option_list.setter
    def option_list(self, value: list[dict]) -> None:
        self.options = json.dumps(value, ensure_ascii=False) if value else None

    @property
    def values(self) -> list[str]:
        return [o["value"] for o in self.option_list]


class SurveyInvitation(db.Model):
    """*That* a registration was invited and has answered; never *what*. No answered time."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    # sha256(token), hex: finds the invitation from the link; the token itself is not kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship()
    registration = relationship("Registration")


class SurveyResponse(db.Model):
    """*What* one respondent answered. Nothing here refers to a person or an invitation, and
    the day is kept without the time of day."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint(f"participant_group IS NULL OR participant_group IN ({sql_in(GROUPS)})",
                        name="group_known"),
        CheckConstraint(f"state IN ({sql_in(RESPONSE_STATES)})", name="state_known"),
        CheckConstraint(f"size_class IS NULL OR size_class IN ({sql_in(SIZE_CLASSES)})",
                        name="size_class_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    # HMAC-SHA256(SECRET_KEY, personal token), hex: lets the same link edit its response.
    # NULL for responses through the QR code.
    edit_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    participant_group: Mapped[str | None] = mapped_column(String(10))
    # The respondent's municipality's size class in the gathering's year (places.SIZE_CLASSES),
    # as coarse as participant_group: one of three, shared by many municipalities. NULL for
    # QR answers and for respondents who came for no municipality.
    size_class: Mapped[str | None] = mapped_column(String(10))
    submitted_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(10), default="pending")

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SurveyAnswer.id")


class SurveyAnswer(db.Model):
    """One answer: a chosen value (one row per ticked option) or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("(choice IS NULL) <> (text IS NULL)", name="choice_or_text"),
        Index("ix_survey_answers_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"))
    choice: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()
    themes: Mapped[list["SurveyTheme"]] = relationship(
        secondary="survey_answer_themes", back_populates="answers", order_by="SurveyTheme.name")


# Which themes a free-text answer was tagged with; a theme says what an answer is about, never
# who wrote it.
survey_answer_themes = Table(
    "survey_answer_themes",
    db.metadata,
    Column("answer_id", ForeignKey("survey_answers.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("survey_themes.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class SurveyTheme(db.Model):
    """A theme the host or the directorate groups a survey's free-text answers by ("booking
    system", "more group work"); counted per question on the results page."""

    __tablename__ = "survey_themes"
    __table_args__ = (UniqueConstraint("survey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        secondary="survey_answer_themes", back_populates="themes")
