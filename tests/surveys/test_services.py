"""The survey's services: template, copies, invitations, one response per personal link, QR
responses, validation that saves nothing, and the open window."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from eventapp.extensions import db as _db
from eventapp.surveys import services
from eventapp.surveys.models import (
    AGREEMENT,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from tests.surveys.conftest import OPEN_DAY, add_items, add_person, open_survey, question, submit


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def test_national_template_holds_hk_dirs_questions_once(db):
    first = services.national_template(2027)
    db.session.commit()
    assert [q.code for q in first] == ["useful_items", "useful_why", "mix", "tables",
                                       "cooperation", "more_useful", "comments", "settles"]
    assert all(q.national and q.year == 2027 and q.survey_id is None for q in first)
    cooperation = next(q for q in first if q.code == "cooperation")
    assert cooperation.kind == "agreement"
    # HK-dir's words (issue 17); from 2026 the scale has "Vet ikke" and settles "Ingen"
    # (tests/surveys/test_template_years.py holds the years before word for word).
    assert cooperation.text.startswith("Ta stilling til påstanden: Denne samlingen har bidratt "
                                       "til å styrke samarbeidet")
    assert cooperation.text_en.startswith("Take a position on the statement: This gathering")
    assert cooperation.values == list(AGREEMENT)
    assert [o["label"] for o in cooperation.option_list] == [
        "Helt enig", "Delvis enig", "Nøytral", "Delvis uenig", "Helt uenig", "Vet ikke"]
    settles = next(q for q in first if q.code == "settles")
    assert settles.kind == "single" and settles.values == ["ordinary", "ukrainian", "both", "none"]
    assert next(q for q in first if q.code == "useful_items").kind == "programme_items"
    again = services.national_template(2027)
    assert [q.id for q in again] == [q.id for q in first]
    assert count(SurveyQuestion) == 8


def test_survey_copies_the_template_and_the_live_programme(db, world):
    g, host = world["gathering"], world["host"]
    survey = services.survey_for(g, host)
    db.session.commit()
    assert [q.code for q in survey.questions] == [q.code for q in services.national_template(2027)]
    assert all(q.national and q.survey_id == survey.id and q.year is None
               for q in survey.questions)
    items = question(survey, "useful_items")
    # The break is not asked about; the other four items are, by their titles.
    assert [o["label"] for o in items.option_list] == [
        "Post 1: talk", "Post 2: panel", "Post 4: experience_sharing", "Post 5: group_work"]
    # A later edit of the template does not change the running survey.
    template = next(q for q in services.national_template(2027) if q.code == "mix")
    template.text = "Endret tekst"
    db.session.commit()
    assert question(survey, "mix").text != "Endret tekst"
    # The host refreshes after the programme changed.
    add_items(db, g, kinds=("plenary_discussion",))
    services.refresh_programme(survey, host)
    db.session.commit()
    labels = [o["label"] for o in question(survey, "useful_items").option_list]
    assert "Post 1: plenary_discussion" in labels and len(labels) == 5
    assert services.survey_for(g, host).id == survey.id


def test_only_the_countys_host_creates_and_changes_the_survey(db, world):
    g = world["gathering"]
    for who in ("counsellor", "outsider", "directorate", "contact"):
        with pytest.raises((Forbidden, NotFound)):
            services.survey_for(g, world[who])
    survey = services.survey_for(g, world["host"])
    for who in ("counsellor", "outsider", "directorate"):
        with pytest.raises(Forbidden):
            services.add_question(survey, world[who], kind="short_text", text="Hva?")
        with pytest.raises(Forbidden):
            services.open_survey(survey, world[who], on=OPEN_DAY)
        with pytest.raises(Forbidden):
            services.invite(survey, world[who])


def test_national_questions_cannot_be_removed_own_ones_can(db, world):
    host = world["host"]
    survey = services.survey_for(world["gathering"], host)
    with pytest.raises(Conflict, match="Nasjonale spørsmål kan ikke fjernes"):
        services.remove_question(question(survey, "cooperation"), host)
    own = services.add_question(survey, host, kind="single", text="Kommer du igjen?",
                                text_en="Will you come again?", options=["Ja", "Nei"])
    db.session.commit()
    assert own.national is False and own.code is None and own.position == 8
    assert own.values == ["o1", "o2"]
    services.remove_question(own, host)
    db.session.commit()
    assert len(survey.questions) == 8
    with pytest.raises(ValidationFailed) as err:
        services.add_question(survey, host, kind="multiple", text="Hva?", options=["Bare én"])
    assert "options" in err.value.fields
    # Two options of the same label (in any case) could not be told apart in the results.
    with pytest.raises(ValidationFailed) as err:
        services.add_question(survey, host, kind="single", text="Hva?",
                              options=["Gruppearbeid", "Innlegg", " gruppearbeid | Groups"])
    assert "gruppearbeid" in err.value.fields["options"].lower()
    _db.session.rollback()
    # "norsk | english" gives an option its English label; without the bar both are the same.
    own = services.add_question(survey, host, kind="multiple", text="Hva fungerte?",
                                options=["Gruppearbeid | Group work", "Pauser|", "Innlegg"])
    assert [(o["label"], o["label_en"]) for o in own.option_list] == [
        ("Gruppearbeid", "Group work"), ("Pauser", "Pauser"), ("Innlegg", "Innlegg")]


def test_questions_are_frozen_once_there_are_responses(db, world):
    host = world["host"]
    survey = open_survey(db, world["gathering"], host)
    own = services.add_question(survey, host, kind="short_text", text="Ett ord?")
    db.session.commit()
    submit(db, survey.qr_token, {str(own.id): "Nyttig"})
    with pytest.raises(Conflict, match="har fått svar"):
        services.add_question(survey, host, kind="short_text", text="Ett til?")
    with pytest.raises(Conflict, match="har fått svar"):
        services.remove_question(own, host)
    with pytest.raises(Conflict, match="har fått svar"):
        services.refresh_programme(survey, host)


def test_invite_reaches_who_attended_once_and_returns_tokens_not_stored(db, world):
    g, host = world["gathering"], world["host"]
    came = [add_person(db, g) for _ in range(3)]
    add_person(db, g, day1=False, day2=False)  # checked in on neither day
    add_person(db, g, status="cancelled")
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    assert set(tokens) == {r.id for r in came}
    invitations = db.session.scalars(select(SurveyInvitation)).all()
    assert {i.registration_id for i in invitations} == {r.id for r in came}
    stored = {i.token_hash for i in invitations}
    assert all(t not in stored and services.token_hash(t) in stored for t in tokens.values())
    # Idempotent: nobody new, nothing new.
    late = add_person(db, g)
    again = services.invite(survey, host)
    db.session.commit()
    assert list(again) == [late.id] and count(SurveyInvitation) == 4


def test_nobody_checked_in_invites_every_confirmed(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g, day1=None, day2=None) for _ in range(2)]
    add_person(db, g, day1=None, day2=None, status="waitlisted")
    survey = open_survey(db, g, host)
    assert set(services.invite(survey, host)) == {r.id for r in people}


def test_a_personal_link_gives_one_response_that_later_submits_edit(db, world):
    g, host = world["gathering"], world["host"]
    person = add_person(db, g, kind="county", role="county_staff")
    survey = open_survey(db, g, host)
    token = services.invite(survey, host)[person.id]
    db.session.commit()
    coop, mix = question(survey, "cooperation"), question(survey, "mix")

    first, created = submit(db, token, {str(coop.id): "delvis_enig", str(mix.id): "Bra"})
    assert created is True and first.participant_group == "county"
    assert first.submitted_on == OPEN_DAY and first.edit_key == services.edit_key(token)
    second, created = submit(db, token, {str(coop.id): "helt_enig"},
                             on=date(2027, 3, 12))
    assert created is False and second.id == first.id
    assert count(SurveyResponse) == 1
    rows = db.session.execute(select(SurveyAnswer.question_id, SurveyAnswer.choice,
                                     SurveyAnswer.text)).all()
    assert [tuple(r) for r in rows] == [(coop.id, "helt_enig", None)]
    invitation = db.session.scalars(select(SurveyInvitation)).one()
    assert invitation.answered is True


def test_the_qr_code_takes_many_responses_with_the_chosen_group(db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    coop = question(survey, "cooperation")
    for group in ("municipal", "partner", None):
        _response, created = submit(db, survey.qr_token, {str(coop.id): "noytral"}, group)
        assert created is True
    groups = db.session.scalars(select(SurveyResponse.participant_group)
                                .order_by(SurveyResponse.id)).all()
    assert groups == ["municipal", "partner", None]
    assert db.session.scalars(select(SurveyResponse.edit_key)).all() == [None, None, None]


def test_the_qr_code_with_a_device_key_edits_that_devices_response(db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    coop, mix = question(survey, "cooperation"), question(survey, "mix")
    phone, other = "p" * 32, "o" * 32

    def send(answers, group, device):
        response, created = services.submit(survey.qr_token, answers, group, on=OPEN_DAY,
                                            device=device)
        db.session.commit()
        return response, created

    first, created = send({str(coop.id): "helt_uenig", str(mix.id): "Greit"}, "county", phone)
    assert created is True
    again, created = send({str(coop.id): "helt_enig"}, "partner", phone)
    assert created is False and again.id == first.id and count(SurveyResponse) == 1
    assert again.participant_group == "partner"
    assert db.session.scalars(select(SurveyAnswer.choice)).all() == ["helt_enig"]
    # Only the HMAC of the pair is kept: neither the device key nor the QR token.
    assert again.edit_key == services.edit_key(f"{survey.qr_token}:{phone}")
    assert phone not in again.edit_key and survey.qr_token not in again.edit_key
    assert services.saved_answers(survey.qr_token, phone) == {
        "group": "partner", str(coop.id): "helt_enig"}
    assert services.saved_answers(survey.qr_token, other) == {}
    # Another phone, or a key that is no key, gives a response of its own.
    assert send({str(coop.id): "noytral"}, None, other)[1] is True
    assert send({str(coop.id): "noytral"}, None, "bad key")[1] is True
    assert count(SurveyResponse) == 3
    figures = services.collection_figures(survey)
    assert figures["responses_qr"] == 0 and figures["responses_personal"] == 0  # under five
    assert send({str(coop.id): "noytral"}, None, None)[1] is True
    assert send({str(coop.id): "noytral"}, None, None)[1] is True
    figures = services.collection_figures(survey)
    assert figures["responses_qr"] == 5 and figures["responses_personal"] == 0


def test_reminders_skip_who_answered(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g) for _ in range(4)]
    survey = open_survey(db, g, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    for person in people[:2]:
        submit(db, tokens[person.id], {str(coop.id): "helt_enig"})
    # A QR response answers for nobody.
    submit(db, survey.qr_token, {str(coop.id): "helt_enig"})
    left = services.unanswered(survey)
    assert {i.registration_id for i in left} == {p.id for p in people[2:]}


def test_bad_input_is_refused_per_question_and_nothing_is_saved(db, world):
    g, host = world["gathering"], world["host"]
    person = add_person(db, g)
    survey = open_survey(db, g, host)
    required = services.add_question(survey, host, kind="short_text", text="Navn på kommunen?",
                                     required=True)
    token = services.invite(survey, host)[person.id]
    db.session.commit()
    coop, items = question(survey, "cooperation"), question(survey, "useful_items")
    settles, mix = question(survey, "settles"), question(survey, "mix")
    good = {str(coop.id): "helt_enig", str(required.id): "Bergen"}
    submit(db, token, good)
    before = db.session.execute(select(SurveyAnswer.question_id, SurveyAnswer.choice,
                                       SurveyAnswer.text).order_by(SurveyAnswer.id)).all()

    bad = {str(coop.id): "enig", str(items.id): ["item-999"], str(settles.id): ["both"],
           str(mix.id): "x" * 4001, "999999": "?"}
    with pytest.raises(ValidationFailed) as err:
        services.submit(token, bad, on=OPEN_DAY)
    _db.session.rollback()
    assert set(err.value.fields) == {str(coop.id), str(items.id), str(settles.id), str(mix.id),
                                     "999999", str(required.id)}
    assert "4000" in err.value.fields[str(mix.id)]
    after = db.session.execute(select(SurveyAnswer.question_id, SurveyAnswer.choice,
                                      SurveyAnswer.text).order_by(SurveyAnswer.id)).all()
    assert after == before and count(SurveyResponse) == 1

    # A QR response with a bad group or a bad answer adds nothing either.
    with pytest.raises(ValidationFailed) as err:
        services.submit(survey.qr_token, {str(required.id): "Voss"}, "nav", on=OPEN_DAY)
    assert set(err.value.fields) == {"group"}
    _db.session.rollback()
    with pytest.raises(ValidationFailed):
        services.submit(survey.qr_token, {str(coop.id): 3}, on=OPEN_DAY)
    _db.session.rollback()
    assert count(SurveyResponse) == 1


@pytest.mark.parametrize("day, message", [
    (date(2027, 3, 10), "ikke åpnet ennå"),
    (date(2027, 4, 1), "er avsluttet"),
])
def test_answers_only_while_open(db, world, day, message):
    survey = open_survey(db, world["gathering"], world["host"])
    coop = question(survey, "cooperation")
    with pytest.raises(Conflict, match=message):
        services.submit(survey.qr_token, {str(coop.id): "helt_enig"}, on=day)
    submit(db, survey.qr_token, {str(coop.id): "helt_enig"}, on=date(2027, 3, 31))
    services.close_survey(survey, world["host"])
    db.session.commit()
    with pytest.raises(Conflict, match="er avsluttet"):
        services.submit(survey.qr_token, {str(coop.id): "helt_enig"}, on=date(2027, 3, 20))
    assert count(SurveyResponse) == 1


def test_a_draft_survey_takes_no_answers_and_unknown_tokens_are_not_found(db, world):
    survey = services.survey_for(world["gathering"], world["host"])
    db.session.commit()
    with pytest.raises(Conflict):
        services.submit(survey.qr_token, {}, on=OPEN_DAY)
    with pytest.raises(NotFound):
        services.submit("x" * 43, {}, on=OPEN_DAY)


def test_opening_from_the_first_day_and_inviting_from_the_last(db, world):
    g, host = world["gathering"], world["host"]  # 10-11 March 2027
    add_person(db, g)
    survey = services.survey_for(g, host)
    with pytest.raises(ValidationFailed) as early:
        services.open_survey(survey, host, on=date(2027, 3, 9))
    assert set(early.value.fields) == {"closes_on"} and survey.status == "draft"
    services.open_survey(survey, host, on=date(2027, 3, 10))
    assert survey.opens_on == date(2027, 3, 10) and survey.closes_on == date(2027, 3, 25)
    assert survey.accepts_answers_on(date(2027, 3, 10))
    with pytest.raises(ValidationFailed):
        services.open_survey(survey, host, on=date(2027, 3, 10), closes_on=date(2027, 3, 9))
    # The mail thanks people for coming: not before the last day.
    for send in (services.send_invitations, services.send_reminders):
        with pytest.raises(Conflict, match="11. mars 2027"):
            send(survey, host, on=date(2027, 3, 10))
    assert count(SurveyInvitation) == 0
    assert services.send_invitations(survey, host, on=date(2027, 3, 11)) == 1
    assert services.send_reminders(survey, host, on=date(2027, 3, 12)) == 1
    # A new closing date keeps the first opening day.
    services.open_survey(survey, host, on=date(2027, 3, 12), closes_on=date(2027, 3, 31))
    assert (survey.opens_on, survey.closes_on) == (date(2027, 3, 10), date(2027, 3, 31))


def test_closing_early_and_reopening_keep_the_period_true_until_the_report_is_in(db, world):
    from eventapp.grants.models import FinalReport

    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host, on=date(2027, 3, 11), closes_on=date(2027, 3, 31))
    services.close_survey(survey, host, on=date(2027, 3, 20))
    assert (survey.status, survey.opens_on, survey.closes_on) == (
        "closed", date(2027, 3, 11), date(2027, 3, 20))
    services.open_survey(survey, host, on=date(2027, 3, 22), closes_on=date(2027, 4, 5))
    assert (survey.status, survey.opens_on, survey.closes_on) == (
        "open", date(2027, 3, 11), date(2027, 4, 5))
    # Closed after its closing date, the date stays.
    services.close_survey(survey, host, on=date(2027, 4, 9))
    assert survey.closes_on == date(2027, 4, 5)
    db.session.commit()

    report = FinalReport(gathering_id=g.id, status="draft")
    db.session.add(report)
    db.session.commit()
    services.open_survey(survey, host, on=date(2027, 4, 10), closes_on=date(2027, 4, 20))
    services.close_survey(survey, host, on=date(2027, 4, 11))
    db.session.commit()
    for status in ("submitted", "approved"):
        report.status, report.participants, report.spent_nok, report.granted_nok = \
            status, 10, 0, 0
        g.report_locked = True  # as submitting or approving the report through grants sets it
        db.session.commit()
        with pytest.raises(Conflict):
            services.open_survey(survey, host, on=date(2027, 4, 12), closes_on=date(2027, 4, 30))
        _db.session.rollback()
        assert survey.status == "closed" and survey.closes_on == date(2027, 4, 11)
    # The daily command leaves it alone too, as it does a draft whose report is in.
    survey.status = "draft"
    db.session.commit()
    assert services.open_due(date(2027, 3, 12)) == [] and survey.status == "draft"
