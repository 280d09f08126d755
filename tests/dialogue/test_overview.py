"""The gathering's overview: the mark, the conversation and the evaluation meeting for the
county's host and the directorate, nothing of them for the counsellors; and the way to the
other counties' programmes for a host planning a gathering still to come."""

from datetime import date

from tests.dialogue.conftest import add_programme_item


def test_the_overview_shows_the_mark_and_the_meeting_to_both_sides(db, people, as_user,
                                                                   make_gathering):
    g = people["gathering"]
    hkdir = as_user(people["directorate"])
    html = hkdir.get(f"/gatherings/{g.id}").get_data(as_text=True)
    assert "Quality assured by the directorate" in html
    assert f"/gatherings/{g.id}/conversation" in html
    # The gathering is over: the directorate is offered to record the meeting.
    assert f"/gatherings/{g.id}/evaluation-meeting" in html
    counsellor = as_user(people["counsellor"]).get(f"/gatherings/{g.id}").get_data(as_text=True)
    assert "Quality assured by the directorate" not in counsellor
    assert "/conversation" not in counsellor and "/evaluation-meeting" not in counsellor


def test_a_host_planning_is_shown_the_way_to_other_programmes(db, people, as_user,
                                                              make_gathering):
    coming = make_gathering(county="46", title="Høstsamlinga", start=date(2027, 9, 14),
                            end=date(2027, 9, 15))
    add_programme_item(db, coming, people["host"], "Velkommen")
    html = as_user(people["host"]).get(f"/gatherings/{coming.id}").get_data(as_text=True)
    assert f"/programmes/other-counties?gathering_id={coming.id}" in html
    # Not for a gathering already held.
    held = people["gathering"]
    html = as_user(people["host"]).get(f"/gatherings/{held.id}").get_data(as_text=True)
    assert "/programmes/other-counties" not in html
