"""The survey opens when the gathering ends: the daily command opens it and mails the
invitations, once, and leaves alone what the host has decided or what ended long ago."""

from datetime import date, timedelta

from sqlalchemy import func, select

from eventapp.mail.models import OutboxMessage
from eventapp.surveys import services
from tests.surveys.conftest import add_person, make_world

END = date(2027, 3, 11)  # the world's gathering runs 10–11 March 2027


def invitation_mails(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "survey.invitation"))


def test_surveys_open_when_their_gathering_ends_and_only_then(db, world, make_user,
                                                              make_gathering):
    g, host = world["gathering"], world["host"]
    for i in range(3):
        add_person(db, g, email=f"p{i}@example.no")
    add_person(db, g, email="away@example.no", day1=False, day2=False)
    survey = services.survey_for(g, host)  # set up by the host, not opened
    db.session.commit()
    # Another county's gathering with no survey set up; a third that ended long ago.
    other, _other_host = make_world(db, make_user, make_gathering, "11", "vert@rogaland.no")
    add_person(db, other, email="r@example.no", kind="county")
    old, _old_host = make_world(db, make_user, make_gathering, "50", "vert@trondelag.no")
    old.start_date, old.end_date = END - timedelta(days=41), END - timedelta(days=40)
    db.session.commit()

    assert services.open_due(END - timedelta(days=1)) == []
    assert survey.status == "draft" and invitation_mails(db) == 0

    opened = services.open_due(END)
    db.session.commit()
    assert sorted((s.gathering_id, n) for s, n in opened) == [(g.id, 3), (other.id, 1)]
    assert survey.status == "open" and survey.opens_on == END
    assert survey.closes_on == END + timedelta(days=services.DEFAULT_OPEN_DAYS)
    assert services.find_survey(old) is None
    # Nobody set it up: it goes out from the county's first host.
    assert services.find_survey(other).created_by_id == world["outsider"].id
    # Those who came, each once; not the one who stayed away.
    recipients = db.session.scalars(select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "survey.invitation")).all()
    assert sorted(recipients) == ["p0@example.no", "p1@example.no", "p2@example.no",
                                  "r@example.no"]

    # The next day nothing is sent again; a survey the host closed stays closed.
    assert services.open_due(END + timedelta(days=1)) == []
    services.close_survey(survey, host)
    db.session.commit()
    assert services.open_due(END + timedelta(days=2)) == []
    assert survey.status == "closed" and invitation_mails(db) == 4


def test_the_command_opens_due_surveys(app, db, world, monkeypatch):
    g = world["gathering"]
    add_person(db, g, email="p@example.no")
    monkeypatch.setattr(services.dates, "today", lambda: END)
    result = app.test_cli_runner().invoke(args=["surveys", "open-due"])
    assert result.exit_code == 0, result.output
    assert "surveys opened: 1" in result.output and "(1 invitations)" in result.output
    db.session.expire_all()
    assert services.find_survey(g).status == "open" and invitation_mails(db) == 1
