"""The grant, budget, report and rules pages as their users see them."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from eventapp.grants import services
from eventapp.grants.models import BudgetLine, FinalReport, GrantApplication, GrantRules
from tests.conftest import csrf_from, get_csrf
from tests.grants.conftest import (
    add_attended,
    add_person,
    decide_grant,
    figure,
    spend,
    vestland_units,
)


def post(client, url: str, data: dict, page: str | None = None):
    token = get_csrf(client, page or url)
    return client.post(url, data={**data, "csrf_token": token})


def text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the grant page -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["host", "directorate", "counsellor"])
def test_grant_page_shows_the_issues_example(as_user, example, who):
    g = example["gathering"]
    html = text(as_user(example[who]).get(f"/gatherings/{g.id}/grant"))
    assert figure(html, "participants") == "58"
    assert figure(html, "ceiling") == "232 000"
    assert figure(html, "granted") == "250 000"
    assert figure(html, "spent") == "210 000"
    assert figure(html, "per-participant") == "3 621"
    assert figure(html, "repay") == "40 000"
    assert figure(html, "over-ceiling") == "18 000" and figure(html, "unspent") == "22 000"
    assert figure(html, "planned") == "230 000" and figure(html, "applied") == "250 000"
    assert "4 000 kroner per participant" in html
    assert "checked in on at least one day" in html
    assert "Speakers are not counted" in html
    assert 'data-warning="overspent"' not in html


def test_only_the_host_sees_the_application_form_and_only_the_directorate_the_decision(
        as_user, world):
    url = f"/gatherings/{world['gathering'].id}/grant"
    host = text(as_user(world["host"]).get(url))
    assert 'name="applied_nok"' in host and 'name="granted_nok"' not in host
    assert "The directorate grants at most 4 000 kroner per planned participant" in host
    for who in ("counsellor", "directorate"):
        html = text(as_user(world[who]).get(url))
        assert 'name="applied_nok"' not in html and 'name="granted_nok"' not in html
        assert "The county has not applied yet." in html


def test_grant_pages_are_scoped(client, as_user, world):
    g = world["gathering"]
    outsider, contact = as_user(world["outsider"]), as_user(world["contact"])
    for path in ("grant", "budget", "report", "report/submit", "report/purge"):
        url = f"/gatherings/{g.id}/{path}"
        assert outsider.get(url).status_code == 404
        assert contact.get(url).status_code == 403
        assert client.get(url).status_code == 302  # to the login page
    assert as_user(world["host"]).get("/gatherings/999999/grant").status_code == 404


def test_overspending_shows_a_warning(db, as_user, world):
    g, host = world["gathering"], world["host"]
    add_attended(db, g, 20)
    decide_grant(db, g, host, world["directorate"], planned=20, applied=80_000, granted=80_000)
    spend(db, g, host, 95_000)
    for path in ("grant", "budget", "report"):
        html = text(as_user(host).get(f"/gatherings/{g.id}/{path}"))
        assert 'data-warning="overspent"' in html
        assert "Spending is 15 000 kroner above the grant." in html


def test_nobody_attended_shows_zero_ceiling_and_no_per_participant(db, as_user, world):
    g, host = world["gathering"], world["host"]
    decide_grant(db, g, host, world["directorate"], planned=30, applied=120_000, granted=120_000)
    spend(db, g, host, 35_000)
    html = text(as_user(host).get(f"/gatherings/{g.id}/grant"))
    assert figure(html, "participants") == "0" and figure(html, "ceiling") == "0"
    assert figure(html, "per-participant") == "–" and figure(html, "repay") == "120 000"


def test_before_the_decision_nothing_is_settled(db, as_user, world):
    g = world["gathering"]
    add_attended(db, g, 5)
    services.apply(g, world["host"], planned_participants=10, applied_nok=40_000)
    db.session.commit()
    html = text(as_user(world["counsellor"]).get(f"/gatherings/{g.id}/grant"))
    assert figure(html, "granted") == "–" and figure(html, "repay") == "–"
    assert 'data-note="undecided"' in html
    assert "Awaiting the directorate's decision" in html


# --- applying and deciding ----------------------------------------------------------------------

def test_host_applies_with_spaces_in_the_amount(db, as_user, world):
    g = world["gathering"]
    host = as_user(world["host"])
    url = f"/gatherings/{g.id}/grant"
    response = post(host, f"{url}/application", {
        "planned_participants": "60", "applied_nok": "240 000", "note": "Reisestøtte"}, url)
    assert response.status_code == 302
    application = db.session.scalars(select(GrantApplication)).one()
    assert (application.planned_participants, application.applied_nok) == (60, 240_000)
    assert application.rate_nok == 4000 and application.status == "submitted"
    html = text(host.get(url))
    assert "4 000 × 60 = 240 000" in html and "Reisestøtte" in html


@pytest.mark.parametrize("data,field,message", [
    ({"planned_participants": "50", "applied_nok": "200 001"}, "applied_nok",
     "You can apply for at most 200 000 kroner: 4 000 per planned participant."),
    ({"planned_participants": "50", "applied_nok": "mange"}, "applied_nok",
     "Give the amount as a whole number of kroner"),
    ({"planned_participants": "0", "applied_nok": "0"}, "planned_participants",
     "Give the number of participants you plan for, at least 1."),
    ({"planned_participants": "", "applied_nok": "1000"}, "planned_participants",
     "Give the number of participants you plan for."),
    ({"planned_participants": "10", "applied_nok": "-5"}, "applied_nok",
     "Give the amount as a whole number of kroner"),
])
def test_bad_application_is_refused_beside_the_field_and_nothing_saved(db, as_user, world, data,
                                                                       field, message):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/grant"
    response = post(as_user(world["host"]), f"{url}/application", data, url)
    assert response.status_code == 422
    page = text(response)
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    field_input = re.search(rf'<input[^>]*name="{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field_input and f"{field}-error" in field_input
    assert count(db, GrantApplication) == 0


def test_directorate_decides_with_the_rules_on_amount_and_comment(db, as_user, world):
    g = world["gathering"]
    services.apply(g, world["host"], planned_participants=50, applied_nok=200_000)
    db.session.commit()
    hk = as_user(world["directorate"])
    url = f"/gatherings/{g.id}/grant"
    assert 'name="granted_nok"' in text(hk.get(url))

    above = post(hk, f"{url}/decision", {"granted_nok": "200 001", "comment": ""}, url)
    assert above.status_code == 422
    assert "Grant at most the 200 000 kroner applied for." in \
        text(above).split('id="granted_nok-error">')[1]
    less = post(hk, f"{url}/decision", {"granted_nok": "150000", "comment": ""}, url)
    assert less.status_code == 422
    assert "Say why the grant is less than applied for." in text(less).split('id="comment-error">')[1]
    application = db.session.scalars(select(GrantApplication)).one()
    assert application.status == "submitted" and application.granted_nok is None

    ok = post(hk, f"{url}/decision", {"granted_nok": "150000", "comment": "Lavere ramme.",
                                      "confirmed": "1"}, url)
    assert ok.status_code == 302
    db.session.refresh(application)
    assert application.granted_nok == 150_000 and application.decision_comment == "Lavere ramme."
    host_view = text(as_user(world["host"]).get(url))
    assert "Granted 150 000 of the 200 000 kroner applied for." in host_view
    assert "Lavere ramme." in host_view and 'name="applied_nok"' not in host_view


def test_others_cannot_post_the_application_or_the_decision(db, as_user, world):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/grant"
    data = {"planned_participants": "10", "applied_nok": "40000"}
    counsellor = as_user(world["counsellor"])
    assert post(counsellor, f"{url}/application", data, url).status_code == 403
    hk = as_user(world["directorate"])
    assert post(hk, f"{url}/application", data, url).status_code == 403
    assert count(db, GrantApplication) == 0
    services.apply(g, world["host"], planned_participants=10, applied_nok=40_000)
    db.session.commit()
    host = as_user(world["host"])
    assert post(host, f"{url}/decision", {"granted_nok": "40000"}, url).status_code == 403
    assert post(counsellor, f"{url}/decision", {"granted_nok": "40000"}, url).status_code == 403
    assert db.session.scalars(select(GrantApplication)).one().status == "submitted"


def test_posts_without_a_csrf_token_are_refused(db, as_user, world):
    g = world["gathering"]
    host = as_user(world["host"])
    assert host.post(f"/gatherings/{g.id}/grant/application",
                     data={"planned_participants": "10", "applied_nok": "40000"}).status_code == 400
    assert host.post(f"/gatherings/{g.id}/budget", data={
        "category": "venue", "description": "Sal", "planned_nok": "1000"}).status_code == 400
    assert host.post(f"/gatherings/{g.id}/report",
                     data={"follow_up_actions": "x", "save": "1"}).status_code == 400
    assert count(db, GrantApplication) == 0 and count(db, BudgetLine) == 0
    assert count(db, FinalReport) == 0


# --- the budget ---------------------------------------------------------------------------------

def test_host_adds_edits_and_deletes_budget_lines(db, as_user, world):
    g = world["gathering"]
    host = as_user(world["host"])
    url = f"/gatherings/{g.id}/budget"
    response = post(host, url, {"category": "meals", "description": "Lunsj dag 1",
                                "planned_nok": "30 000", "actual_nok": "", "note": "Buffet"})
    assert response.status_code == 302
    post(host, url, {"category": "meals", "description": "Lunsj dag 2",
                     "planned_nok": "25000", "actual_nok": "24 500"})
    post(host, url, {"category": "venue", "description": "Konferansesal",
                     "planned_nok": "50000", "actual_nok": "52000"})
    html = text(host.get(url))
    assert figure(html, "total-planned") == "105 000" and figure(html, "total-actual") == "76 500"
    assert html.index("Venue and rooms") < html.index("Meals")  # in the order of the categories
    assert 'data-category="meals"' in html and "Buffet" in html

    line = db.session.scalars(select(BudgetLine).where(
        BudgetLine.description == "Lunsj dag 1")).one()
    line_id = line.id
    edit = f"{url}/{line_id}"
    assert post(host, edit, {"category": "meals", "description": "Lunsj dag 1",
                             "planned_nok": "30000", "actual_nok": "31 000",
                             "note": ""}).status_code == 302
    db.session.refresh(line)
    assert line.actual_nok == 31_000 and line.note is None
    assert post(host, f"{edit}/delete", {}, edit).status_code == 302
    assert count(db, BudgetLine) == 2
    after = text(host.get(url))
    assert "«Lunsj dag 1» is deleted from the budget." in after
    assert f'id="line-{line_id}"' not in after and "Lunsj dag 2" in after


def test_bad_budget_line_is_refused_beside_the_field(db, as_user, world):
    g = world["gathering"]
    url = f"/gatherings/{g.id}/budget"
    response = post(as_user(world["host"]), url, {
        "category": "", "description": "", "planned_nok": "12,5", "actual_nok": ""})
    assert response.status_code == 422
    html = text(response)
    assert "Describe the line." in html.split('id="description-error">')[1]
    assert "whole number of kroner" in html.split('id="planned_nok-error">')[1]
    assert count(db, BudgetLine) == 0
    unknown = post(as_user(world["host"]), url, {
        "category": "champagne", "description": "Bobler", "planned_nok": "100"})
    assert unknown.status_code == 422 and count(db, BudgetLine) == 0


def test_counsellor_and_directorate_read_the_budget_but_cannot_change_it(db, as_user, world):
    g = world["gathering"]
    line = spend(db, g, world["host"], 1000)
    url = f"/gatherings/{g.id}/budget"
    for who in ("counsellor", "directorate"):
        client = as_user(world[who])
        html = text(client.get(url))
        assert "Hotellet" in html and 'name="description"' not in html
        token = csrf_from(_token_form(client))
        assert client.post(url, data={"csrf_token": token, "category": "other",
                                      "description": "X", "planned_nok": "1"}).status_code == 403
        assert client.get(f"{url}/{line.id}").status_code == 403
        assert client.post(f"{url}/{line.id}/delete",
                           data={"csrf_token": token}).status_code == 403
    assert count(db, BudgetLine) == 1


def _token_form(client) -> str:
    """A CSRF token from any page with a form (the log-out button)."""
    return text(client.get("/"))


def test_budget_is_locked_once_the_report_is_submitted(db, as_user, example):
    g, host = example["gathering"], example["host"]
    line = db.session.scalars(select(BudgetLine)).first()
    services.save_report(g, host, follow_up_actions="Nye rutiner.")
    services.submit_report(g, host)
    db.session.commit()
    client = as_user(host)
    url = f"/gatherings/{g.id}/budget"
    html = text(client.get(url))
    assert 'data-note="locked"' in html and 'name="description"' not in html
    token = csrf_from(_token_form(client))
    refused = client.post(url, data={"csrf_token": token, "category": "other",
                                     "description": "Sent regning", "planned_nok": "1000"})
    assert refused.status_code == 409
    assert "the grant and the budget are locked" in text(refused)
    edit = client.post(f"{url}/{line.id}", data={
        "csrf_token": token, "category": "venue", "description": "Endret", "planned_nok": "1"})
    assert edit.status_code == 409 and "locked" in text(edit)
    deleted = client.post(f"{url}/{line.id}/delete", data={"csrf_token": token},
                          follow_redirects=True)
    assert "locked" in text(deleted)
    assert count(db, BudgetLine) == 2
    assert db.session.get(BudgetLine, line.id).description == "Hotell og saler"


def test_travel_support_lines_link_the_registrations_that_asked(db, as_user, world):
    g = world["gathering"]
    units = vestland_units(db)
    solveig = add_person(db, g, unit=units[5], name="Solveig Fjellheim",
                         travel_support_requested=True)
    add_person(db, g, unit=units[6], name="Ola Sunde", travel_support_requested=True)
    add_person(db, g, unit=units[7], name="Kari Stay", travel_support_requested=False)
    line = spend(db, g, world["host"], 12_000, category="travel_support",
                 description="Reisestøtte Sogn")
    host = as_user(world["host"])
    url = f"/gatherings/{g.id}/budget"
    html = text(host.get(url))
    uncovered = html.split('data-list="uncovered"')[1].split("</ul>")[0]
    assert "Solveig Fjellheim" in uncovered and "Ola Sunde" in uncovered
    assert "Kari Stay" not in html
    assert units[5].name in uncovered

    field = f"line{line.id}-registrations"
    response = post(host, f"{url}/{line.id}/travel", {field: str(solveig.id)}, url)
    assert response.status_code == 302
    db.session.refresh(line)
    assert [r.id for r in line.registrations] == [solveig.id]
    html = text(host.get(url))
    uncovered = html.split('data-list="uncovered"')[1].split("</ul>")[0]
    assert "Ola Sunde" in uncovered and "Solveig Fjellheim" not in uncovered

    # Someone who did not ask cannot be paid for; nothing changes.
    kari = db.session.scalars(select(type(solveig)).where(type(solveig).name == "Kari Stay")).one()
    bad = post(host, f"{url}/{line.id}/travel", {field: [str(solveig.id), str(kari.id)]}, url)
    assert bad.status_code == 422
    assert "Choose among the confirmed registrations that asked" in text(bad)
    db.session.refresh(line)
    assert [r.id for r in line.registrations] == [solveig.id]
    # Others reading the budget see how many a line pays for, not who.
    hk = text(as_user(world["directorate"]).get(url))
    assert "pays travel support for 1 participant" in hk and "Solveig" not in hk
    assert "Ola Sunde" not in hk


# --- the final report ---------------------------------------------------------------------------

def test_report_submit_is_refused_before_the_gathering_is_held(db, as_user, world):
    g, host = world["gathering"], world["host"]
    g.status = "closed"
    db.session.commit()
    decide_grant(db, g, host, world["directorate"], planned=10, applied=40_000, granted=40_000)
    client = as_user(host)
    url = f"/gatherings/{g.id}/report"
    saved = post(client, url, {"follow_up_actions": "Ny rutine", "submit_report": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/report/submit")
    page = text(client.get(f"{url}/submit"))
    assert "Mark the gathering as held before you submit its report." in page
    assert "Submit to the directorate" not in page
    refused = client.post(f"{url}/submit", data={"csrf_token": csrf_from(_token_form(client))})
    assert refused.status_code == 409
    assert db.session.scalars(select(FinalReport)).one().status == "draft"


def test_report_flow_submit_return_approve_and_lock(db, as_user, example):
    g = example["gathering"]
    host, hk = as_user(example["host"]), as_user(example["directorate"])
    url = f"/gatherings/{g.id}/report"
    html = text(host.get(url))
    assert "Tell the directorate what the county is following up." in html  # a blocker, listed
    assert figure(html, "coverage").startswith("43 of the county's 43 municipalities came")
    assert figure(html, "municipal") == "58" and figure(html, "actual") == "210 000"

    assert post(host, url, {"follow_up_actions": "Faste digitale møter", "remarks": "Bra",
                            "save": "1"}).status_code == 302
    confirm = text(host.get(f"{url}/submit"))
    assert "these figures are fixed" in confirm and figure(confirm, "repay") == "40 000"
    assert post(host, f"{url}/submit", {}).status_code == 302
    report = db.session.scalars(select(FinalReport)).one()
    assert report.status == "submitted" and report.participants == 58

    submitted = text(host.get(url))
    assert 'name="follow_up_actions"' not in submitted and "Faste digitale møter" in submitted
    assert 'name="approve"' not in submitted
    assert 'name="approve"' in text(hk.get(url))

    no_comment = post(hk, f"{url}/review", {"comment": "", "send_back": "1"}, url)
    assert no_comment.status_code == 422
    assert "Say what the county should change." in text(no_comment).split('id="comment-error">')[1]
    assert post(hk, f"{url}/review", {"comment": "Skriv mer om kommunene.", "send_back": "1"},
                url).status_code == 302
    returned = text(host.get(url))
    assert "Sent back by the directorate" in returned and "Skriv mer om kommunene." in returned
    assert 'name="follow_up_actions"' in returned
    assert post(host, url, {"follow_up_actions": "Faste møter med alle kommunene",
                            "submit_report": "1"}).status_code == 302
    assert post(host, f"{url}/submit", {}).status_code == 302
    assert post(hk, f"{url}/review", {"comment": "", "approve": "1", "confirmed": "1"},
                url).status_code == 302
    db.session.refresh(report)
    assert report.status == "approved" and g.status == "reported"

    for client in (host, hk):
        locked = text(client.get(url))
        assert "Approved" in locked and "<form method=\"post\" action=\"/gatherings" not in \
            locked.split("</nav>", 2)[-1].split("Delete personal data")[0]
        assert 'name="follow_up_actions"' not in locked and 'name="approve"' not in locked
        assert figure(locked, "repay") == "40 000"
    assert post(host, url, {"follow_up_actions": "Endret", "save": "1"}).status_code == 409
    assert db.session.get(FinalReport, report.id).follow_up_actions == \
        "Faste møter med alle kommunene"


def test_counsellor_reads_the_report_but_cannot_write_or_review_it(db, as_user, example):
    g = example["gathering"]
    client = as_user(example["counsellor"])
    url = f"/gatherings/{g.id}/report"
    html = text(client.get(url))
    assert 'name="follow_up_actions"' not in html and figure(html, "repay") == "40 000"
    token = csrf_from(_token_form(client))
    assert client.post(url, data={"csrf_token": token, "follow_up_actions": "x"}).status_code \
        == 403
    assert client.post(f"{url}/review", data={"csrf_token": token, "approve": "1"}).status_code \
        == 403
    assert client.get(f"{url}/submit").status_code == 403
    assert count(db, FinalReport) == 0


# --- the directorate's rules --------------------------------------------------------------------

def test_rules_page_is_for_the_directorate_only(as_user, world):
    for who in ("host", "counsellor", "contact"):
        assert as_user(world[who]).get("/grants/rules").status_code == 403


def test_directorate_changes_the_rule_and_the_live_figures_follow(db, as_user, world):
    g = world["gathering"]
    add_person(db, g, day1=True, day2=True)
    add_person(db, g, day1=True, day2=None)
    add_person(db, g, kind="partner", role="speaker")
    hk = as_user(world["directorate"])
    page = text(hk.get("/grants/rules?year=2027"))
    assert 'data-note="defaults"' in page and "Vestlandssamlinga" in page
    assert figure(text(hk.get(f"/gatherings/{g.id}/grant")), "participants") == "2"

    response = post(hk, "/grants/rules?year=2027", {
        "rate_nok": "3 500", "attendance": "all_days", "include_speakers": "y",
        "purge_after_months": "3"})
    assert response.status_code == 302
    rules = db.session.get(GrantRules, 2027)
    assert (rules.rate_nok, rules.attendance, rules.include_speakers,
            rules.purge_after_months) == (3500, "all_days", True, 3)
    grant = text(hk.get(f"/gatherings/{g.id}/grant"))
    assert figure(grant, "participants") == "2"  # both days, plus the speaker
    assert figure(grant, "ceiling") == "7 000"
    assert "checked in on every day of the gathering" in grant
    assert "Speakers who attended are counted as participants." in grant
    assert db.session.get(GrantRules, 2026) is None


@pytest.mark.parametrize("data,field", [
    ({"rate_nok": "0", "attendance": "any_day", "purge_after_months": "6"}, "rate_nok"),
    ({"rate_nok": "4000", "attendance": "sometimes", "purge_after_months": "6"}, "attendance"),
    ({"rate_nok": "4000", "attendance": "any_day", "purge_after_months": "61"},
     "purge_after_months"),
    ({"rate_nok": "fire", "attendance": "any_day", "purge_after_months": "6"}, "rate_nok"),
])
def test_bad_rules_are_refused_beside_the_field(db, as_user, world, data, field):
    response = post(as_user(world["directorate"]), "/grants/rules?year=2027", data)
    assert response.status_code == 422
    assert 'class="error-message"' in text(response)
    assert count(db, GrantRules) == 0


def test_rules_page_with_a_nonsense_year_falls_back_with_a_message(as_user, world):
    html = text(as_user(world["directorate"]).get("/grants/rules?year=abc", follow_redirects=True))
    assert "There is no year «abc» to show" in html


def test_home_page_lists_what_waits_for_the_directorate_and_the_host(db, client, make_user,
                                                                    make_gathering):
    from tests.conftest import login

    host = make_user("county_host", county="46")
    reviewer = make_user("directorate", county=None)
    other_host = make_user("county_host", county="11")
    gathering = make_gathering(county="46", title="Samling med søknad")
    services.apply(gathering, host, planned_participants=50, applied_nok=200_000)
    db.session.commit()
    login(client, reviewer.email)
    page = client.get("/").get_data(as_text=True)
    assert "Samling med søknad" in page and "/grant" in page
    other = client.application.test_client()
    login(other, other_host.email)
    assert "Samling med søknad" not in other.get("/").get_data(as_text=True)
