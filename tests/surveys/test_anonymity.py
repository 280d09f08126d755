"""No table joins a person to their answers: the schema as migrated, the stored values, and the
outbox, whose survey mails lose their link once sent."""

import hashlib

import pytest
from sqlalchemy import Date, DateTime, func, inspect, select, text

from eventapp.extensions import db as _db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_mail, send_due
from eventapp.surveys import services
from eventapp.surveys.models import AGREEMENT, SurveyInvitation, SurveyResponse
from tests.surveys.conftest import OPEN_DAY, add_person, open_survey, question, submit

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


# --- figures move five responses at a time ---------------------------------------------------

def _shown(survey) -> tuple[int, dict]:
    result = services.results(survey)
    coop = next((q for q in result["questions"] if q["code"] == "cooperation"), None)
    return result["responses"], coop and {o["value"]: o["count"] for o in coop["options"]}


def test_figures_move_only_in_steps_of_five_new_responses(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g) for _ in range(12)]
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    seen = []
    for i, person in enumerate(people):
        submit(db, tokens[person.id], {str(coop.id): AGREEMENT[i % 5]})
        # The host looks after every single answer.
        seen.append(_shown(survey))
        figures = services.collection_figures(survey)
        assert figures["responses"] == figures["answered"] == seen[-1][0]
    assert [n for n, _counts in seen] == [0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10]
    # Between two looks the figures are the same, or differ by five answers or more.
    for (n0, c0), (n1, c1) in zip(seen, seen[1:], strict=False):
        assert (n0, c0) == (n1, c1) or n1 - n0 >= 5
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.state == "pending")) == 2


def test_an_edit_waits_for_five_new_responses_and_then_replaces_the_old_answers(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g) for _ in range(10)]
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    first = tokens[people[0].id]
    for person in people[:5]:
        submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
    assert _shown(survey) == (5, {**{v: 0 for v in AGREEMENT}, "helt_enig": 5})
    # One person changes their mind: the figures do not move (that would show the change).
    _response, created = submit(db, first, {str(coop.id): "helt_uenig"})
    assert created is False
    assert _shown(survey) == (5, {**{v: 0 for v in AGREEMENT}, "helt_enig": 5})
    assert services.saved_answers(first) == {str(coop.id): "helt_uenig"}
    # Edited again while waiting: the waiting answers change in place.
    submit(db, first, {str(coop.id): "noytral"})
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 6
    for person in people[5:9]:
        submit(db, tokens[person.id], {str(coop.id): "delvis_enig"})
    assert _shown(survey)[0] == 5
    submit(db, tokens[people[9].id], {str(coop.id): "delvis_enig"})
    # Released with five new ones: ten responses, the edit among them, the old answers gone.
    assert _shown(survey) == (10, {**{v: 0 for v in AGREEMENT}, "helt_enig": 4,
                                   "noytral": 1, "delvis_enig": 5})
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 10
    assert services.collection_figures(survey)["answered"] == 10


def test_postgresql_two_answers_at_once_never_release_fewer_than_five(
        app, db, world, is_postgres, run_in_thread):
    if not is_postgres:
        pytest.skip("the survey row's lock is PostgreSQL's; SQLite serialises writers")
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    coop = question(survey, "cooperation")
    for _ in range(4):
        submit(db, survey.qr_token, {str(coop.id): "helt_enig"}, "municipal")

    token, answers = survey.qr_token, {str(coop.id): "noytral"}

    def answer():
        with app.app_context():
            services.submit(token, answers, "county", on=OPEN_DAY)
            _db.session.commit()
            _db.session.remove()

    def states() -> dict:
        db.session.expire_all()
        return dict(db.session.execute(select(SurveyResponse.state, func.count())
                                       .group_by(SurveyResponse.state)).all())

    # Four waiting and two at once: one release of five, the other waits; never a release of
    # one (each counting four and itself, and each showing what it saw).
    run_in_thread(answer, answer)
    assert states() == {"shown": 5, "pending": 1}
    run_in_thread(answer, answer)
    assert states() == {"shown": 5, "pending": 3}
    run_in_thread(answer, answer)
    assert states() == {"shown": 10}
