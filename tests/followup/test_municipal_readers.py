"""Issue 17, part 6: the municipalities hear how their input is followed up. The county's
municipal contacts and the programme committee read the log (answers and actions, not the
internal note) and get the answers mail, once each; the log stays open after the final report
for the actions' later status, while the copy in the report stays as submitted; each action
can carry its status at the directorate's evaluation meeting."""

from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.extensions import db as _db
from eventapp.followup import services
from eventapp.followup.models import FollowUpItem
from eventapp.gatherings.models import CommitteeMember
from eventapp.grants import services as grants
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import send_due
from tests.conftest import get_csrf
from tests.followup.conftest import add_person
from tests.grants.conftest import add_attended, decide_grant

NOTE = "Internt: fylket har ikke fulgt opp dette godt nok"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _on_committee(db, gathering, user) -> None:
    db.session.add(CommitteeMember(gathering_id=gathering.id, user_id=user.id))
    db.session.commit()


@pytest.fixture
def logged(db, world, add_item):
    """A question answered, an input with an action and its status at the evaluation meeting
    with an internal note, and a question not yet answered."""
    g, host = world["gathering"], world["host"]
    question = add_item(g, host, "Kan vi få veiledning på video?", answer="Ja, på Teams.",
                        status="done")
    action = add_item(g, host, "Vi trenger faste møter", kind="input", raised_by="Bergen",
                      action="Månedlige møter fra september", owner="Karrieresenteret",
                      status="in_progress")
    services.record_evaluation(action, world["directorate"], status="done",
                               on=date(2027, 5, 20), note=NOTE)
    db.session.commit()
    open_ = add_item(g, host, "Hva med tolk?")
    return {"question": question, "action": action, "open": open_}


def test_municipal_contact_and_committee_member_read_the_log_without_the_note(
        db, world, make_user, as_user, logged):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/follow-up"
    # A municipal contact of another municipality in the county sits on the committee.
    member = make_user("municipal_contact", county="46", municipality="4602",
                       email="komite@kinn.example")
    _on_committee(db, g, member)
    for user in (world["contact"], member):
        html = text(as_user(user).get(url))
        for item in logged.values():
            assert f'data-item="{item.id}"' in html and item.raised in html
        assert "Ja, på Teams." in html and "Månedlige møter fra september" in html
        assert "Karrieresenteret" in html
        # The status at the evaluation meeting and its day, but not the note.
        assert 'data-evaluation="done" data-evaluated-on="2027-05-20"' in html
        assert NOTE not in html and 'data-note="evaluation-note"' not in html
        assert 'data-note="reader"' in html
        # Nothing to change: no forms, no mail, no evaluation.
        assert 'id="add"' not in html and 'data-action="mail"' not in html
        assert 'data-action="evaluation"' not in html and "item" + str(logged["action"].id) \
            + "-status" not in html
    # The county's staff and the directorate read the note.
    for who in ("host", "counsellor", "directorate"):
        html = text(as_user(world[who]).get(url))
        assert NOTE in html and 'data-note="reader"' not in html
    # The gathering's overview leads the contact to the log.
    overview = text(as_user(world["contact"]).get(f"/gatherings/{g.id}"))
    assert f'href="{url}"' in overview


def test_a_municipal_contact_of_another_county_gets_404(db, world, make_user, as_user, logged):
    g = world["gathering"]
    elsewhere = make_user("municipal_contact", county="11", municipality="1103",
                          email="kontakt@stavanger.example")
    client = as_user(elsewhere)
    url = f"/gatherings/{g.id}/follow-up"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/{logged['action'].id}/evaluation").status_code == 404
    assert not policy.can(elsewhere, "followup.read", g)


def test_the_answers_mail_reaches_contacts_and_committee_once_each(db, world, make_user,
                                                                    add_item, smtp_server,
                                                                    use_smtp):
    g, host = world["gathering"], world["host"]
    came = [add_person(db, g, email=f"kom{n}@example.no") for n in range(2)]
    # The Bergen contact came too, registered under their own address: one mail.
    add_person(db, g, email="kontakt@bergen.example")
    member = make_user("municipal_contact", county="46", municipality="4602",
                       email="komite@kinn.example")
    staff = make_user("counsellor", county="46", email="veileder2@vestland.example")
    _on_committee(db, g, member)
    _on_committee(db, g, staff)
    inactive = make_user("municipal_contact", county="46", municipality="4611",
                         email="sluttet@example.no")
    inactive.active = False
    elsewhere = make_user("municipal_contact", county="11", municipality="1103",
                          email="kontakt@stavanger.example")
    db.session.commit()
    add_item(g, host, "Neste samling?", answer="I mars 2028.", status="done")

    # By hand: the three registrations (one of them the Bergen contact), the two committee
    # members (the Kinn contact counted there), nobody inactive or from Rogaland.
    expected = sorted(["kom0@example.no", "kom1@example.no", "kontakt@bergen.example",
                       "komite@kinn.example", "veileder2@vestland.example"])
    assert services.mail_answers(g, host) == 5
    db.session.commit()
    rows = _db.session.scalars(select(OutboxMessage)).all()
    assert sorted(r.to_address for r in rows) == expected
    assert all(r.kind == "followup.answers" and r.gathering_id == g.id for r in rows)
    assert inactive.email not in {r.to_address for r in rows}
    assert elsewhere.email not in {r.to_address for r in rows}
    # Exactly once through the outbox: a second run sends nothing more.
    server = smtp_server()
    use_smtp(server.port)
    assert send_due().sent == 5 and send_due().sent == 0
    assert sorted(m["To"].addresses[0].addr_spec for m in server.messages) == expected
    bodies = {r.to_address: r.body_text for r in _db.session.scalars(select(OutboxMessage))}
    assert "I mars 2028." in bodies["komite@kinn.example"]
    # Those who came are thanked for taking part; the committee member who did not is told
    # how the county follows the gathering up.
    assert bodies[came[0].email] != bodies["komite@kinn.example"]
    assert g.title in bodies["komite@kinn.example"]


def test_status_after_the_report_leaves_its_copy_unchanged(db, world, logged):
    g, host, directorate = world["gathering"], world["host"], world["directorate"]
    add_attended(db, g, 3)
    decide_grant(db, g, host, directorate)
    report = grants.submit_report(g, host)
    db.session.commit()
    frozen = report.follow_up_snapshot
    copied = [a for a in report.snapshot["actions"]]
    assert [(a["raised"], a["status"]) for a in copied] == [
        ("Vi trenger faste møter", "in_progress")]

    action = _db.session.get(FollowUpItem, logged["action"].id)
    services.set_status(action, host, "done")
    services.record_evaluation(action, host, status="in_progress", on=date(2027, 6, 1),
                               note="Møtene er i gang")
    db.session.commit()
    report = grants.report_for(g)
    assert report.follow_up_snapshot == frozen
    assert [a["status"] for a in grants.report_follow_up(g, report)["actions"]] == [
        "in_progress"]

    # And after the directorate approves it: the content is locked, the status is not.
    grants.approve_report(report, directorate)
    db.session.commit()
    assert services.locked(g)
    services.set_status(action, host, "in_progress")
    services.record_evaluation(action, directorate, status="done", on=date(2027, 6, 1))
    db.session.commit()
    action = _db.session.get(FollowUpItem, action.id)
    assert (action.status, action.evaluation_status, action.evaluation_note) == (
        "in_progress", "done", None)
    assert grants.report_for(g).follow_up_snapshot == frozen


def test_status_at_the_evaluation_meeting_is_recorded_by_directorate_or_host(
        db, world, as_user, logged):
    g = world["gathering"]
    action = logged["action"]
    row = _db.session.get(FollowUpItem, action.id)
    assert (row.evaluation_status, row.evaluated_on, row.evaluation_note,
            row.evaluated_by_id) == ("done", date(2027, 5, 20), NOTE, world["directorate"].id)
    for who in ("counsellor", "contact", "outsider"):
        with pytest.raises(Forbidden):
            services.record_evaluation(action, world[who], status="open", on=date(2027, 5, 1))
        _db.session.rollback()
    # Refused beside the field, nothing changed: no action, a day before the gathering or
    # after today, an unknown status, no day.
    for item, status, on, field in (
            (logged["question"], "done", date(2027, 5, 1), "evaluation_status"),
            (action, "done", date(2027, 3, 9), "evaluated_on"),
            (action, "done", date(2027, 6, 2), "evaluated_on"),
            (action, "finished", date(2027, 5, 1), "evaluation_status"),
            (action, "done", None, "evaluated_on")):
        with pytest.raises(ValidationFailed) as refused:
            services.record_evaluation(item, world["host"], status=status, on=on)
        assert field in refused.value.fields
        _db.session.rollback()
    assert _db.session.get(FollowUpItem, action.id).evaluated_on == date(2027, 5, 20)

    # Through the page, as the host.
    client = as_user(world["host"])
    url = f"/gatherings/{g.id}/follow-up/{action.id}/evaluation"
    page = text(client.get(url))
    assert NOTE in page
    bad = client.post(url, data={"csrf_token": get_csrf(client, url),
                                 "evaluation_status": "open", "evaluated_on": "2027-03-01"})
    assert bad.status_code == 422 and 'id="evaluated_on-error"' in text(bad)
    saved = client.post(url, data={"csrf_token": get_csrf(client, url),
                                   "evaluation_status": "in_progress",
                                   "evaluated_on": "2027-05-31", "evaluation_note": ""})
    assert saved.status_code == 302
    _db.session.expire_all()
    row = _db.session.get(FollowUpItem, action.id)
    assert (row.evaluation_status, row.evaluated_on, row.evaluation_note,
            row.evaluated_by_id) == ("in_progress", date(2027, 5, 31), None, world["host"].id)
    # No status clears it.
    cleared = client.post(url, data={"csrf_token": get_csrf(client, url),
                                     "evaluation_status": "", "evaluated_on": ""})
    assert cleared.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(FollowUpItem, action.id).evaluated_on is None
    assert as_user(world["counsellor"]).get(url).status_code == 403
    assert as_user(world["contact"]).get(url).status_code == 403
    assert _db.session.scalar(select(func.count()).select_from(FollowUpItem)) == 3
