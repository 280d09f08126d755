"""The final report carries the follow-up log's actions and the survey's figures: live while
the county works, copied into the report when it is submitted, the same however the log
changes afterwards; items with an action let the report go without the free text."""

from datetime import date
from html import unescape

from flask_babel import force_locale, format_date

from eventapp.followup import services as followup
from eventapp.grants import services
from eventapp.surveys import services as surveys
from tests.conftest import get_csrf
from tests.grants.conftest import add_attended, decide_grant, figure
from tests.surveys.conftest import open_survey, question, submit


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _survey(db, gathering, host, agree: int, disagree: int, qr: int):
    """A survey answered by ``agree + disagree`` invitees and ``qr`` by the QR code."""
    survey = open_survey(db, gathering, host)
    tokens = surveys.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    values = ["helt_enig"] * agree + ["helt_uenig"] * disagree
    for token, value in zip(tokens.values(), values, strict=False):
        submit(db, token, {str(coop.id): value})
    for _ in range(qr):
        submit(db, survey.qr_token, {str(coop.id): "delvis_enig"})
    return survey, len(tokens)


def test_report_shows_actions_and_survey_and_freezes_them_on_submit(db, world, as_user):
    g, host = world["gathering"], world["host"]
    add_attended(db, g, 10)
    decide_grant(db, g, host, world["directorate"])
    _survey_row, invited = _survey(db, g, host, agree=5, disagree=1, qr=4)
    action = followup.add_item(g, host, followup.ItemData(
        kind="input", raised="Kommunene vil ha et bookingsystem", raised_by="Bodø kommune",
        action="Karrieresenteret setter opp booking av veiledning", owner="Karrieresenteret",
        status="in_progress", due_on=date(2027, 9, 1)))
    followup.add_item(g, host, followup.ItemData(kind="question", raised="Uten tiltak",
                                                 answer="Et svar", status="done"))
    db.session.commit()

    url = f"/gatherings/{g.id}/report"
    html = text(as_user(world["directorate"]).get(url))
    assert 'data-action-item="1"' in html and "Uten tiltak" not in html
    assert "Karrieresenteret setter opp booking av veiledning" in html
    assert 'data-due="2027-09-01"' in html
    # 6 of 10 invited answered by their link (60 %); of the 10 who answered the agreement
    # question (ten: the figures count responses five at a time), 5 fully and 4 partly
    # agree: 90 %.
    assert invited == 10
    assert figure(html, "survey-rate") == "60 %" and figure(html, "survey-qr") == "4"
    assert figure(html, "agree-cooperation") == "90 %"

    # No free text: the log's action is enough to submit.
    assert not any("follow_up_actions" in b.fields for b in services.submission_blockers(g))
    host_client = as_user(host)
    page = text(host_client.get(f"{url}/submit"))
    assert "Karrieresenteret setter opp booking av veiledning" in page
    sent = host_client.post(f"{url}/submit",
                            data={"csrf_token": get_csrf(host_client, f"{url}/submit")})
    assert sent.status_code == 302
    report = services.report_for(g)
    assert report.status == "submitted"
    assert [a["due_on"] for a in report.snapshot["actions"]] == ["2027-09-01"]

    # Later changes to the log and the survey leave the submitted report as it was.
    followup.update_item(action, host, followup.ItemData(
        kind="input", raised=action.raised, action="Et helt annet tiltak", owner="Noen andre",
        status="done", due_on=date(2027, 12, 24)))
    followup.add_item(g, host, followup.ItemData(kind="input", raised="Nytt innspill",
                                                 action="Nytt tiltak etter innsending"))
    db.session.commit()
    submit(db, _survey_row.qr_token, {str(question(_survey_row, "cooperation").id): "noytral"})
    html = text(as_user(world["directorate"]).get(url))
    assert "Karrieresenteret setter opp booking av veiledning" in html
    assert "Bodø kommune" in html and 'data-action-item="2"' not in html
    assert 'data-due="2027-09-01"' in html and "2027-12-24" not in html
    with force_locale("en"):  # as_user reads the pages in English
        assert format_date(date(2027, 9, 1), "medium") in html
    assert "Et helt annet tiltak" not in html and "Nytt tiltak etter innsending" not in html
    assert figure(html, "survey-rate") == "60 %" and figure(html, "survey-qr") == "4"
    assert figure(html, "agree-cooperation") == "90 %"
    assert report.follow_up_actions is None  # the county's own text is left as it wrote it

    # Sent back, the county gets its own (empty) text back and the log reads live again.
    services.return_report(report, world["directorate"], "Mer om oppfølgingen, takk.")
    db.session.commit()
    assert report.follow_up_snapshot is None
    html = text(as_user(host).get(url))
    assert "Et helt annet tiltak" in html and "Nytt tiltak etter innsending" in html
    assert 'data-due="2027-12-24"' in html


def test_free_text_or_an_action_is_needed_and_a_report_without_survey_shows_none(db, world,
                                                                                 as_user):
    g, host = world["gathering"], world["host"]
    add_attended(db, g, 3)
    decide_grant(db, g, host, world["directorate"])

    def follow_up_blocked() -> bool:
        return any("follow_up_actions" in b.fields for b in services.submission_blockers(g))

    assert follow_up_blocked()
    item = followup.add_item(g, host, followup.ItemData(kind="input", raised="Bare innspill"))
    db.session.commit()
    assert follow_up_blocked()
    item.action = "Et tiltak"
    db.session.commit()
    assert not follow_up_blocked()
    html = text(as_user(host).get(f"/gatherings/{g.id}/report"))
    assert 'data-section="survey-summary"' not in html
    services.save_report(g, host, follow_up_actions="Fylkets egen tekst")
    services.submit_report(g, host)
    db.session.commit()
    report = services.report_for(g)
    assert report.follow_up_actions == "Fylkets egen tekst"
    assert report.snapshot == {"actions": [{"raised": "Bare innspill", "raised_by": None,
                                            "action": "Et tiltak", "owner": None,
                                            "status": "open", "due_on": None}],
                               "survey": None}
