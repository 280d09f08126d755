"""The follow-up log's rules and the mail with the answers, through the real outbox and SMTP."""

from datetime import date

import pytest
from flask_babel import force_locale, format_date
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.followup import services
from eventapp.followup.models import FollowUpItem
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import send_due
from tests.followup.conftest import add_person


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_add_update_and_count_by_status(db, world, add_item):
    g, host = world["gathering"], world["host"]
    q = add_item(g, host, "  Når kommer neste samling?  ", raised_by="Bodø kommune")
    i = add_item(g, host, "Vi trenger et bookingsystem for veiledning", kind="input",
                 action="Karrieresenteret lager et bookingsystem", owner="Karrieresenteret",
                 status="in_progress", due_on=date(2027, 8, 1))
    assert q.raised == "Når kommer neste samling?" and q.raised_by == "Bodø kommune"
    assert q.status == "open" and q.created_by_id == host.id and q.mailed_at is None
    assert q.due_on is None and i.due_on == date(2027, 8, 1)
    # A quick status change keeps the due date; overdue only while not done.
    assert services.is_overdue(i, date(2027, 8, 2)) and not services.is_overdue(i, date(2027, 8, 1))
    assert not services.is_overdue(q, date(2030, 1, 1))
    services.set_status(i, host, "done")
    db.session.commit()
    assert i.due_on == date(2027, 8, 1) and not services.is_overdue(i, date(2027, 8, 2))
    services.set_status(i, host, "in_progress")
    services.update_item(q, host, services.ItemData(
        kind="question", raised=q.raised, answer="I mars neste år, i Bergen.", status="done"))
    db.session.commit()
    assert q.answer == "I mars neste år, i Bergen." and q.status == "done"
    assert services.counts(g) == {"open": 0, "in_progress": 1, "done": 1, "question": 1,
                                  "input": 1, "total": 2}
    assert [x.id for x in services.items_for(g, status="done")] == [q.id]
    assert [x.id for x in services.items_for(g, kind="input")] == [i.id]
    assert [x.id for x in services.actions(g)] == [i.id]
    services.delete_item(i, host)
    db.session.commit()
    assert count(db, FollowUpItem) == 1


@pytest.mark.parametrize("kind, field", [("question", "answer"), ("input", "action")])
def test_done_without_answer_or_action_is_refused_beside_the_field(db, world, add_item, kind,
                                                                   field):
    g, host = world["gathering"], world["host"]
    with pytest.raises(ValidationFailed) as refused:
        services.add_item(g, host, services.ItemData(kind=kind, raised="Noe", status="done"))
    assert set(refused.value.fields) == {field}
    db.session.rollback()
    assert count(db, FollowUpItem) == 0
    item = add_item(g, host, kind=kind)
    with pytest.raises(ValidationFailed) as refused:
        services.set_status(item, host, "done")
    assert set(refused.value.fields) == {field}
    db.session.rollback()
    assert db.session.get(FollowUpItem, item.id).status == "open"


def test_bad_input_names_each_field(db, world, add_item):
    g, host = world["gathering"], world["host"]
    with pytest.raises(ValidationFailed) as refused:
        services.add_item(g, host, services.ItemData(
            kind="rumour", raised="  ", owner="x" * 201, answer="y" * 2001, status="closed",
            due_on=date(2027, 3, 9)))
    assert set(refused.value.fields) == {"kind", "raised", "owner", "answer", "status", "due_on"}
    db.session.rollback()
    # The gathering's first day is the earliest due date; a date with a time is no date.
    item = add_item(g, host, due_on=g.start_date)
    for wrong in (date(2026, 12, 31), "2027-04-01"):
        with pytest.raises(ValidationFailed) as refused:
            services.update_item(item, host, services.ItemData(
                kind="question", raised=item.raised, due_on=wrong))
        assert set(refused.value.fields) == {"due_on"}
        db.session.rollback()
    assert db.session.get(FollowUpItem, item.id).due_on == g.start_date
    assert count(db, FollowUpItem) == 1


def test_only_the_countys_host_changes_and_an_approved_report_locks_the_content(db, world,
                                                                                add_item):
    g, host = world["gathering"], world["host"]
    item = add_item(g, host)
    data = services.ItemData(kind="question", raised="Endret")
    for who in ("counsellor", "directorate", "outsider", "contact"):
        with pytest.raises(Forbidden):
            services.update_item(item, world[who], data)
        db.session.rollback()
        assert policy.can(world[who], "followup.edit", g) is False
    assert policy.can(world["counsellor"], "followup.view", g) \
        and policy.can(world["directorate"], "followup.view", g)
    assert not policy.can(world["contact"], "followup.view", g) \
        and not policy.can(world["outsider"], "followup.view", g)
    g.status = "reported"
    db.session.commit()
    add_person(db, g)
    for call in (lambda: services.update_item(item, host, data),
                 lambda: services.add_item(g, host, data),
                 lambda: services.delete_item(item, host)):
        with pytest.raises(Conflict):
            call()
        db.session.rollback()
    assert db.session.get(FollowUpItem, item.id).raised == "Hvordan søker vi om tilskudd?"
    # Issue 17: the log stays open for the actions' later status, and the municipalities hear
    # of it: the status still changes and the answers are still mailed.
    services.set_status(item, host, "in_progress")
    db.session.commit()
    assert db.session.get(FollowUpItem, item.id).status == "in_progress"
    with pytest.raises(Forbidden):
        services.set_status(item, world["contact"], "open")
    db.session.rollback()


def test_answers_go_once_to_each_participant_through_smtp(db, app, world, add_item, smtp_server,
                                                          use_smtp):
    g, host = world["gathering"], world["host"]
    came = [add_person(db, g, email=f"kom{n}@example.no") for n in range(3)]
    add_person(db, g, email="kom-ikke@example.no", day1=False, day2=False)
    add_person(db, g, email="avmeldt@example.no", status="cancelled")
    q = add_item(g, host, "Kan kommunene få veiledning på video?",
                 answer="Ja, fra høsten tilbyr vi veiledning på Teams.", status="done")
    i = add_item(g, host, "Ønsker faste digitale møter", kind="input", raised_by="bord 3",
                 action="Månedlige digitale møter fra september", owner="Bodø kommune",
                 status="in_progress", due_on=date(2027, 9, 15))
    unanswered = add_item(g, host, "Hva med tolk?")
    # The three who came, and the county's municipal contact (issue 17).
    assert services.mail_answers(g, host) == 4
    db.session.commit()
    server = smtp_server()
    use_smtp(server.port)
    assert send_due().sent == 4
    assert sorted(m["To"].addresses[0].addr_spec for m in server.messages) == sorted(
        [p.email for p in came] + [world["contact"].email])
    # Answers to the mail reach the host who sent it, not the no-reply sender.
    assert {m["Reply-To"] for m in server.messages} == {host.email}
    text = body(server.messages[0])
    assert q.raised in text and q.answer in text
    assert i.action in text and "Bodø kommune" in text and "bord 3" in text
    assert unanswered.raised not in text
    with app.test_request_context(), force_locale("nb"):
        due = format_date(date(2027, 9, 15), "long")
    action_lines = text.split(i.action, 1)[1].split("\n\n", 1)[0]
    assert due in action_lines
    # Signed by the host who sent it, with an address to write to, and the county.
    signature = text.rstrip().splitlines()[-3:]
    assert signature[0] == host.name and signature[-1] == host.email
    assert g.county.name in signature[1]
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.kind for r in rows} == {"followup.answers"} and {r.gathering_id for r in rows} == {g.id}
    db.session.refresh(q)
    assert q.mailed_at is not None and db.session.get(FollowUpItem, unanswered.id).mailed_at is None

    # The second mail marks what came or changed since the first.
    unanswered.answer = "Fylket dekker tolk etter avtale."
    db.session.commit()
    assert services.is_news(db.session.get(FollowUpItem, q.id)) is None
    assert services.mail_answers(g, host) == 4
    db.session.commit()
    assert send_due().sent == 4
    second = body(server.to(came[0].email)[-1])
    marked = [line for line in second.splitlines() if line.lstrip().startswith(("1.", "2."))]
    new_line = next(line for line in marked if unanswered.raised in line)
    old_line = next(line for line in marked if q.raised in line)
    assert "[" in new_line and "[" not in old_line
    assert len(server.to("avmeldt@example.no")) == 0


def test_nothing_answered_is_refused_and_nobody_checked_in_means_all_confirmed(db, world,
                                                                                add_item):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g, day1=None, day2=None) for _ in range(2)]
    add_item(g, host)
    with pytest.raises(ValidationFailed) as refused:
        services.mail_answers(g, host)
    assert "mail" in refused.value.fields
    db.session.rollback()
    assert count(db, OutboxMessage) == 0 and services.preview(g, host) is None
    add_item(g, host, "Neste gang?", answer="I mars.")
    subject, text = services.preview(g, host)
    assert g.title in subject and "I mars." in text and host.email in text
    assert count(db, OutboxMessage) == 0
    assert services.mail_answers(g, host) == len(people) + 1  # and the municipal contact
