"""No table joins a person to their answers: the schema as migrated, the stored values, and the
outbox, whose survey mails lose their link once sent."""

import hashlib

import pytest
from sqlalchemy import Date, DateTime, inspect, select, text

from eventapp.extensions import db as _db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_mail, send_due
from eventapp.surveys import services
from eventapp.surveys.models import SurveyInvitation, SurveyResponse
from tests.surveys.conftest import add_person, open_survey, question, submit

PERSONAL = ("registration", "invitation", "user", "person", "email", "name")


def test_responses_and_answers_refer_to_no_person_and_keep_only_the_day(db):
    inspector = inspect(_db.engine)
    allowed = {"survey_responses": {"surveys"},
               "survey_answers": {"survey_responses", "survey_questions"}}
    for table, targets in allowed.items():
        foreign = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert foreign == targets, table
        for column in inspector.get_columns(table):
            assert not any(word in column["name"] for word in PERSONAL), column["name"]
            assert not isinstance(column["type"], DateTime), column["name"]
    submitted = next(c for c in inspector.get_columns("survey_responses")
                     if c["name"] == "submitted_on")
    assert isinstance(submitted["type"], Date) and not isinstance(submitted["type"], DateTime)
    # The invitation records that someone answered, not when.
    invitation_columns = {c["name"] for c in inspector.get_columns("survey_invitations")}
    assert "answered" in invitation_columns
    assert not {c for c in invitation_columns if c.startswith("answered_")}
    assert "token" not in invitation_columns


def test_stored_values_cannot_join_an_invitation_to_its_response(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g) for _ in range(3)]
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    for person in people:
        submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
    hashes = set(db.session.scalars(select(SurveyInvitation.token_hash)))
    keys = set(db.session.scalars(select(SurveyResponse.edit_key)))
    assert len(hashes) == len(keys) == 3 and not hashes & keys
    # Each is a different function of the token; neither is the sha256 of the other.
    for key in keys:
        assert hashlib.sha256(key.encode()).hexdigest() not in hashes
    for token in tokens.values():
        assert token not in hashes | keys


class _Transport:
    def __init__(self):
        self.sent = []

    def send(self, message) -> None:
        self.sent.append(message)


def test_the_outbox_forgets_a_survey_link_once_sent(db, world):
    link = "https://eventapp.example/s/PERSONLIG-TOKEN-123"
    survey_mail = queue_mail(kind="survey.invitation", to="kari@example.no",
                             subject="Hva synes du om samlinga?",
                             body_text=f"Svar her: {link}\n", body_html=f"<a href='{link}'>Svar</a>")
    other = queue_mail(kind="registration.confirmed", to="ola@example.no", subject="Påmeldt",
                       body_text=f"Se påmeldingen: {link}\n")
    db.session.commit()
    transport = _Transport()
    assert send_due(transport=transport).sent == 2
    # The participant got the link ...
    delivered = next(m for m in transport.sent if m["To"] == "kari@example.no")
    assert link in delivered.get_body(("plain",)).get_content()
    # ... and the outbox keeps only a note.
    db.session.expire_all()
    kept = db.session.get(OutboxMessage, survey_mail.id)
    assert kept.status == "sent" and link not in kept.body_text and kept.body_html is None
    assert "fjernet" in kept.body_text
    assert link in db.session.get(OutboxMessage, other.id).body_text


def test_a_survey_mail_not_yet_sent_keeps_its_link(db, world):
    message = queue_mail(kind="survey.reminder", to="kari@example.no", subject="Påminnelse",
                         body_text="Svar her: https://eventapp.example/s/T\n")
    db.session.commit()
    assert "https://eventapp.example/s/T" in db.session.get(OutboxMessage, message.id).body_text


def test_postgresql_row_versions_do_not_join_an_invitation_to_its_response(db, world,
                                                                          is_postgres):
    if not is_postgres:
        pytest.skip("xmin (the writing transaction's id) is PostgreSQL's; set TEST_DATABASE_URL")
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g) for _ in range(4)]
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    for person in people[:3]:
        submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
    invitations = db.session.execute(text(
        "SELECT xmin::text FROM survey_invitations WHERE survey_id = :s"), {"s": survey.id})
    responses = db.session.execute(text(
        "SELECT xmin::text FROM survey_responses WHERE survey_id = :s ORDER BY id"),
        {"s": survey.id}).scalars().all()
    # Every invitation, answered or not, was last written by the latest answer: none of them
    # shares a transaction with the first two responses.
    assert len(set(invitations.scalars())) == 1
    assert len(set(responses)) == 3
