"""Collecting answers: invitation and reminder mails through the real outbox and SMTP, the
links in them, and the directorate's national template."""

import re

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.extensions import db as _db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import send_due
from eventapp.surveys import services
from eventapp.surveys.models import SurveyInvitation, SurveyQuestion, SurveyResponse
from tests.conftest import csrf_from
from tests.surveys.conftest import add_person

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_-]{20,})")


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def open_now(db, gathering, host):
    """Open from today, the gathering's last day, so the links work in the test's own
    present and the invitations may go out."""
    gathering.start_date = gathering.end_date = services.today()
    survey = services.survey_for(gathering, host)
    services.open_survey(survey, host)
    db.session.commit()
    return survey


def mailer_sender() -> str:
    from email.utils import parseaddr

    from flask import current_app

    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def links(server, address: str) -> list[str]:
    found = []
    for message in server.to(address):
        found += LINK.findall(message.get_content())
    return found


def to(server) -> list[str]:
    return [m["To"].addresses[0].addr_spec for m in server.messages]


def answer_form(client, token: str, data: dict):
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    return client.post(f"/s/{token}", data={**data, "csrf_token": csrf_from(page.text)})


@pytest.fixture
def mailer(smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    return server


def test_invitations_reach_each_invitee_once_with_a_working_link_and_are_scrubbed(
        db, world, mailer, client):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g, email=f"p{i}@example.no") for i in range(3)]
    add_person(db, g, email="cancelled@example.no", status="cancelled")
    g.start_date = g.end_date = services.today()
    survey = services.survey_for(g, host)
    db.session.commit()
    with pytest.raises(Conflict):  # not open yet: nobody is mailed a dead link
        services.send_invitations(survey, host)
    db.session.rollback()
    with pytest.raises(Forbidden):
        services.send_invitations(survey, world["counsellor"])
    db.session.rollback()
    services.open_survey(survey, host)
    db.session.commit()
    assert services.pending_invitations(survey) == 3

    assert services.send_invitations(survey, host) == 3
    db.session.commit()
    assert services.send_invitations(survey, host) == 0  # nobody twice
    db.session.commit()
    late = add_person(db, g, email="late@example.no")
    assert services.send_invitations(survey, host) == 1
    db.session.commit()

    assert send_due().sent == 4
    assert sorted(to(mailer)) == sorted(p.email for p in [*people, late])
    assert all(i.sent_at is not None
               for i in db.session.scalars(select(SurveyInvitation)))
    mail = mailer.to("p0@example.no")[0]
    body = mail.get_content()
    assert "anonymous" in body.lower() or "anonym" in body.lower()
    # In the name of the county's career centre, from the app's own address; replies reach
    # the host who sent it, and the mail is signed so.
    assert mail["From"].addresses[0].display_name == "Karrieresenteret i Vestland"
    assert mail["From"].addresses[0].addr_spec == mailer_sender()
    assert mail["Reply-To"].addresses[0].addr_spec == host.email
    assert body.rstrip().splitlines()[-2:][0] == "Karrieresenteret i Vestland"
    assert host.email in body.rstrip().splitlines()[-1]
    [token] = links(mailer, "p0@example.no")
    # The link opens the form; the stored copy of the mail no longer holds it.
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and f'name="q{survey.questions[0].id}"' in page.text
    stored = db.session.scalars(select(OutboxMessage)).all()
    assert {m.kind for m in stored} == {"survey.invitation"}
    assert all(m.status == "sent" and token not in m.body_text and "/s/" not in m.body_text
               for m in stored)


def test_reminders_reach_only_those_who_have_not_answered_with_a_new_link(
        db, world, mailer, client):
    g, host = world["gathering"], world["host"]
    for i in range(3):
        add_person(db, g, email=f"p{i}@example.no")
    gone = add_person(db, g, email="gone@example.no")
    survey = open_now(db, g, host)
    services.send_invitations(survey, host)
    db.session.commit()
    send_due()
    first = {p: links(mailer, f"{p}@example.no")[0] for p in ("p0", "p1", "p2")}
    gone.status = "cancelled"
    db.session.commit()

    cooperation = next(q for q in survey.questions if q.code == "cooperation")
    response = answer_form(client, first["p0"], {f"q{cooperation.id}": "helt_enig"})
    assert response.status_code == 302
    assert services.collection_figures(survey)["to_remind"] == 2

    assert services.send_reminders(survey, host) == 2
    db.session.commit()
    mailer.messages.clear()
    assert send_due().sent == 2
    assert sorted(to(mailer)) == ["p1@example.no", "p2@example.no"]
    assert {(m["From"].addresses[0].display_name, m["Reply-To"]) for m in mailer.messages} == {
        ("Karrieresenteret i Vestland", host.email)}
    reminded = db.session.scalars(select(SurveyInvitation)
                                  .where(SurveyInvitation.reminded_at.is_not(None))).all()
    assert len(reminded) == 2
    new = links(mailer, "p1@example.no")[0]
    assert new != first["p1"]
    # The old link stops working (a clear page, not an error); the new one opens the form.
    old_page = client.get(f"/s/{first['p1']}")
    assert old_page.status_code == 404 and 'data-state="invalid"' in old_page.text
    assert client.get(f"/s/{new}").status_code == 200
    csrf = csrf_from(client.get(f"/s/{new}").text)
    stale = client.post(f"/s/{first['p1']}", data={f"q{cooperation.id}": "noytral",
                                                   "csrf_token": csrf})
    assert stale.status_code == 404 and count(SurveyResponse) == 1
    assert answer_form(client, new, {f"q{cooperation.id}": "noytral"}).status_code == 302
    # The one who answered keeps a working link to edit with.
    assert client.get(f"/s/{first['p0']}").status_code == 200
    assert count(SurveyResponse) == 2
    assert {m.kind for m in db.session.scalars(select(OutboxMessage))} == {
        "survey.invitation", "survey.reminder"}
    assert all("/s/" not in m.body_text for m in db.session.scalars(select(OutboxMessage)))

    services.close_survey(survey, host)
    db.session.commit()
    with pytest.raises(Conflict):
        services.send_reminders(survey, host)


def test_national_template_is_kept_by_the_directorate_only(db, world):
    directorate, host = world["directorate"], world["host"]
    for who in (host, world["counsellor"]):
        with pytest.raises(Forbidden):
            services.add_national_question(2027, who, kind="short_text", text="Hva?")
    added = services.add_national_question(
        2027, directorate, kind="single", text="Hvor lang reisevei hadde du?",
        text_en="How far did you travel?", options=["Under en time", "Mer enn en time"])
    twin = services.add_national_question(2027, directorate, kind="agreement",
                                          text="Hvor lang reisevei hadde du?")
    db.session.commit()
    assert added.code == "hvor_lang_reisevei_hadde_du" and twin.code == added.code + "_2"
    assert added.national and added.year == 2027 and len(added.values) == 2
    assert twin.values[-1] == "vet_ikke"
    with pytest.raises(ValidationFailed) as refused:
        services.add_national_question(2027, directorate, kind="single", text="Bare én?",
                                       options=["Ja"])
    assert "options" in refused.value.fields
    db.session.rollback()

    services.update_national_question(added, directorate, text="Reisevei?", text_en="Travel?",
                                      options=["Kort", "Lang", "Veldig lang"])
    db.session.commit()
    with pytest.raises(Forbidden):
        services.update_national_question(added, host, text="Nei")
    db.session.rollback()
    settles = next(q for q in services.national_template(2027) if q.code == "settles")
    with pytest.raises(Conflict):
        services.remove_national_question(settles, directorate)
    db.session.rollback()
    mix = next(q for q in services.national_template(2027) if q.code == "mix")
    with pytest.raises(Forbidden):
        services.remove_national_question(mix, host)
    db.session.rollback()
    services.remove_national_question(mix, directorate)
    db.session.commit()

    # Surveys set up from now on carry the change; the question stays national in them.
    survey = services.survey_for(world["gathering"], host)
    db.session.commit()
    codes = [q.code for q in survey.questions]
    assert "mix" not in codes and "settles" in codes and added.code in codes
    copy = next(q for q in survey.questions if q.code == added.code)
    assert copy.national and copy.text == "Reisevei?" and len(copy.values) == 3
    # The template itself is untouched by the copy.
    assert count(SurveyQuestion, SurveyQuestion.year == 2027) == 9
