"""The directorate's evaluation meeting: recorded by the directorate after the gathering (not
before its last day, not in the future), with notes and agreed actions as lines; shown on the
final report and to the host; the follow-up log's statuses are linked, not copied."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.dialogue.models import EvaluationMeeting
from eventapp.followup import services as followup
from tests.conftest import csrf_from


def _record(client, gathering, **data):
    url = f"/gatherings/{gathering.id}/evaluation-meeting"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _meetings(db) -> int:
    return db.session.scalar(select(func.count(EvaluationMeeting.id)))


def test_the_directorate_records_and_the_host_reads_it_on_the_report(db, people, as_user):
    g = people["gathering"]  # held 10–11 March 2027; today is 1 June 2027 in these tests
    response = _record(as_user(people["directorate"]), g, held_on="2027-04-02",
                       notes="Godt program, for lite tid til gruppearbeid.",
                       agreed_actions="Mer tid til gruppene\n\n  Inviter NAV tidlig  \n")
    assert response.status_code == 302
    meeting = db.session.scalars(select(EvaluationMeeting)).one()
    assert meeting.held_on == date(2027, 4, 2)
    assert meeting.actions == ["Mer tid til gruppene", "Inviter NAV tidlig"]
    assert meeting.recorded_by_id == people["directorate"].id
    host = as_user(people["host"])
    report = host.get(f"/gatherings/{g.id}/report").get_data(as_text=True)
    assert 'data-section="evaluation-meeting"' in report
    assert "for lite tid til gruppearbeid" in report and "Inviter NAV tidlig" in report
    page = host.get(f"/gatherings/{g.id}/evaluation-meeting")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mer tid til gruppene" in html
    assert 'name="notes"' not in html  # the host reads, the directorate writes


def test_correcting_keeps_one_meeting(db, people, as_user):
    g, client = people["gathering"], as_user(people["directorate"])
    _record(client, g, held_on="2027-04-02", notes="Første", agreed_actions="")
    _record(client, g, held_on="2027-04-03", notes="Rettet", agreed_actions="Ett tiltak")
    meeting = db.session.scalars(select(EvaluationMeeting)).one()
    assert (meeting.held_on, meeting.notes, meeting.actions) == (date(2027, 4, 3), "Rettet",
                                                                 ["Ett tiltak"])


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"held_on": "2027-03-10"}, "held_on", "cannot be before its last day"),
    ({"held_on": "2027-06-02"}, "held_on", "cannot be in the future"),
    ({"held_on": ""}, "held_on", "Enter the day of the evaluation meeting."),
    ({"held_on": "2027-04-02", "notes": "   "}, "notes", "Write what the meeting found."),
    ({"held_on": "2027-04-02", "agreed_actions": "x" * 501}, "agreed_actions",
     "Keep each action to 500 characters."),
    ({"held_on": "2027-04-02", "agreed_actions": "\n".join(f"Tiltak {n}" for n in range(31))},
     "agreed_actions", "At most 30 agreed actions."),
])
def test_bad_input_is_refused_beside_the_field(db, people, as_user, data, field, message):
    fields = {"notes": "Notater", "agreed_actions": "", **data}
    response = _record(as_user(people["directorate"]), people["gathering"], **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _meetings(db) == 0


def test_the_last_day_itself_and_today_are_allowed(db, people, as_user):
    client = as_user(people["directorate"])
    assert _record(client, people["gathering"], held_on="2027-03-11", notes="Samme dag",
                   agreed_actions="").status_code == 302
    assert _record(client, people["gathering"], held_on="2027-06-01", notes="I dag",
                   agreed_actions="").status_code == 302


def test_only_the_directorate_records_and_only_both_sides_read(db, people, as_user):
    g = people["gathering"]
    assert _record(as_user(people["host"]), g, held_on="2027-04-02", notes="Vert",
                   agreed_actions="").status_code == 403
    for who in ("counsellor", "contact", "outsider"):
        client = as_user(people[who])
        assert client.get(f"/gatherings/{g.id}/evaluation-meeting").status_code == 404
    assert _meetings(db) == 0
    # The counsellor reads the report but not the meeting on it.
    _record(as_user(people["directorate"]), g, held_on="2027-04-02", notes="Hemmelig notat",
            agreed_actions="")
    report = as_user(people["counsellor"]).get(f"/gatherings/{g.id}/report")
    assert report.status_code == 200
    assert "Hemmelig notat" not in report.get_data(as_text=True)


def test_the_page_links_to_the_follow_up_statuses(db, people, as_user, monkeypatch):
    monkeypatch.setattr(followup, "today", lambda: date(2027, 6, 1))
    g, host = people["gathering"], people["host"]
    for n in range(3):
        followup.add_item(g, host, followup.ItemData(kind="input", raised=f"Innspill {n}",
                                                     action=f"Tiltak {n}"))
    followup.add_item(g, host, followup.ItemData(kind="question", raised="Et spørsmål"))
    db.session.commit()
    item = followup.actions(g)[0]
    followup.record_evaluation(item, people["directorate"], status="done", on=date(2027, 4, 2))
    db.session.commit()
    html = as_user(people["directorate"]).get(
        f"/gatherings/{g.id}/evaluation-meeting").get_data(as_text=True)
    # Three items have an action, one of them a status from the meeting.
    assert "1 of 3 actions in the follow-up log have a status" in html
    assert f'href="/gatherings/{g.id}/follow-up"' in html
