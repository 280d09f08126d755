"""The survey pages as their users see them: the host's survey page, the QR page, the
directorate's template, and the participants' form by personal link and by QR code."""

import re
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from eventapp.core.time import OSLO
from eventapp.extensions import db as _db
from eventapp.surveys import services
from eventapp.surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from tests.conftest import csrf_from, get_csrf, login
from tests.surveys.conftest import add_person


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def post(client, url: str, data: dict, page: str | None = None):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, page or url)})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name!r}"
    return match.group(1).strip()


def code(survey, name):
    return next(q for q in survey.questions if q.code == name)


@pytest.fixture
def as_user(app):
    """A fresh client logged in as ``user``, in English as the assertions are."""

    def make(user):
        client = app.test_client()
        client.set_cookie("lang", "en")
        assert login(client, user.email).status_code == 302
        return client

    return make


@pytest.fixture
def opened(db, world):
    """An open survey with one required question of the host's own, and one invitee. The
    gathering ends today, so the survey opens and its cookies live in the real present."""
    g, host = world["gathering"], world["host"]
    g.start_date, g.end_date = services.today() - timedelta(days=1), services.today()
    survey = services.survey_for(g, host)
    own = services.add_question(survey, host, kind="short_text", text="Hvilken kommune?",
                                text_en="Which municipality?", required=True)
    services.open_survey(survey, host)
    add_person(db, g, email="p@example.no")
    [token] = services.invite(survey, host).values()
    db.session.commit()
    return {**world, "survey": survey, "own": own, "token": token}


def test_host_sets_up_the_survey_adds_and_removes_questions_and_opens_it(
        db, as_user, world, monkeypatch):
    g = world["gathering"]  # 10-11 March 2027
    days = {"today": date(2027, 3, 9)}
    monkeypatch.setattr(services.dates, "today", lambda: days["today"])
    url = f"/gatherings/{g.id}/survey"
    host = as_user(world["host"])
    page = text(host.get(url))
    assert 'data-action="create-survey"' in page
    assert post(host, url, {}).status_code == 302
    survey = services.find_survey(g)
    assert survey is not None and len(survey.questions) == 8
    page = text(host.get(url))
    assert page.count('data-tag="national"') == 8 and 'data-action="remove-question"' not in page
    for kind in ("agreement", "single", "multiple", "programme_items", "short_text",
                 "long_text"):
        assert f'value="{kind}"' in page
    assert 'name="closes_on"' in page and 'data-action="invite"' not in page
    # The page says from when it opens and from when it invites.
    assert re.search(r'data-state="dates">[^<]*March 10, 2027[^<]*March 11, 2027', page)

    # Bad input: the message stands beside the field, nothing is added.
    bad = post(host, f"{url}/questions", {"kind": "single", "text": "Hvor?", "options": "Bare én"},
               page=url)
    assert bad.status_code == 422
    assert re.search(r'id="options-error"', bad.text) and 'aria-invalid="true"' in bad.text
    twice = post(host, f"{url}/questions", {"kind": "multiple", "text": "Hva?",
                                            "options": "A\na | A again"}, page=url)
    assert twice.status_code == 422 and 'id="options-error"' in twice.text
    assert post(host, f"{url}/questions", {"kind": "short_text", "text": ""},
                page=url).status_code == 422
    assert post(host, f"{url}/questions", {"kind": "nonsense", "text": "Hva?"},
                page=url).status_code == 422
    assert count(SurveyQuestion, SurveyQuestion.survey_id == survey.id) == 8

    added = post(host, f"{url}/questions", {"kind": "single", "text": "Hvor bor du?",
                                            "text_en": "Where do you live?",
                                            "options": "Vest | West\n\nØst\n", "required": "y"},
                 page=url)
    assert added.status_code == 302
    own = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.survey_id == survey.id, SurveyQuestion.national.is_(False))).one()
    assert own.required and [(o["label"], o["label_en"]) for o in own.option_list] == [
        ("Vest", "West"), ("Øst", "Øst")]
    page = text(host.get(url))
    assert page.count('data-action="remove-question"') == 1 and 'data-tag="own"' in page
    assert '<span lang="en">· West</span>' in page

    # A national question cannot be removed; the host's own can.
    national = code(survey, "cooperation")
    post(host, f"{url}/questions/{national.id}/delete", {}, page=url)
    assert db.session.get(SurveyQuestion, national.id) is not None
    own_id = own.id
    assert post(host, f"{url}/questions/{own_id}/delete", {}, page=url).status_code == 302
    assert db.session.get(SurveyQuestion, own_id) is None

    # Opening: before the gathering's first day, or with a closing date in the past, is
    # refused beside the date.
    early = post(host, f"{url}/open", {"closes_on": "2027-04-30"}, page=url)
    assert early.status_code == 422 and 'id="closes_on-error"' in early.text
    assert "March 10, 2027" in text(early)
    days["today"] = date(2027, 3, 10)
    past = post(host, f"{url}/open", {"closes_on": "2020-01-01"}, page=url)
    assert past.status_code == 422 and 'id="closes_on-error"' in past.text
    assert services.find_survey(g).status == "draft"
    assert post(host, f"{url}/open", {"closes_on": "2027-04-30"}, page=url).status_code == 302
    db.session.refresh(survey)
    assert survey.status == "open" and str(survey.closes_on) == "2027-04-30"
    add_person(db, g)
    add_person(db, g)
    # Open on the first day for the QR code; the invitations wait for the last day.
    page = text(host.get(url))
    assert 'data-action="invite"' not in page and 'data-state="invite-later"' in page
    assert post(host, f"{url}/invite", {}, page=url).status_code == 302
    assert figure(text(host.get(url)), "invited") == "0"
    days["today"] = date(2027, 3, 11)
    page = text(host.get(url))
    assert re.search(r'data-action="invite"[^>]*>[^<]*\(2 ', page)
    assert "You see how many have answered, never who or what." in page
    assert post(host, f"{url}/invite", {}, page=url).status_code == 302
    page = text(host.get(url))
    # Whom a reminder would reach is not counted on the page: the live number of those who
    # have not answered would tell each answer as it comes.
    assert figure(page, "invited") == "2" and "(2)" not in page
    assert 'data-action="remind"' in page and 'data-note="release-step"' in page

    # Closed early, the period shown ends on the day it closed; reopened, it starts as before.
    days["today"] = date(2027, 3, 15)
    assert post(host, f"{url}/close", {}, page=url).status_code == 302
    db.session.refresh(survey)
    assert (survey.status, str(survey.opens_on), str(survey.closes_on)) == (
        "closed", "2027-03-10", "2027-03-15")
    assert "March 10, 2027 – March 15, 2027" in text(host.get(url))
    assert post(host, f"{url}/open", {"closes_on": "2027-03-20"}, page=url).status_code == 302
    db.session.refresh(survey)
    assert (survey.status, str(survey.opens_on)) == ("open", "2027-03-10")
    assert post(host, f"{url}/close", {}, page=url).status_code == 302

    # Once the final report is in, it holds the figures: no reopening, and none offered.
    from eventapp.grants.models import FinalReport

    db.session.add(FinalReport(gathering_id=g.id, status="submitted", participants=2,
                               spent_nok=0, granted_nok=0))
    g.report_locked = True  # as submitting the report through grants sets it
    db.session.commit()
    page = text(host.get(url))
    assert 'data-state="report-locked"' in page and 'data-action="open"' not in page
    again = post(host, f"{url}/open", {"closes_on": "2027-04-30"}, page=url)
    assert again.status_code == 409
    db.session.refresh(survey)
    assert survey.status == "closed" and str(survey.closes_on) == "2027-03-15"


def test_who_may_see_and_change_the_survey_page(db, as_user, client, opened):
    g = opened["gathering"]
    url = f"/gatherings/{g.id}/survey"
    for who in ("counsellor", "directorate"):
        reader = as_user(opened[who])
        page = text(reader.get(url))
        assert 'data-state="read-only"' in page and 'data-question=' in page
        assert 'name="closes_on"' not in page and 'data-action="invite"' not in page
        assert reader.get(f"{url}/qr").status_code == 200
        csrf = csrf_from(page)
        for action in ("open", "close", "invite", "remind", "refresh", "questions",
                       f"questions/{opened['own'].id}/delete"):
            assert reader.post(f"{url}/{action}", data={
                "csrf_token": csrf, "kind": "short_text", "text": "Hva?"}).status_code == 403
    assert opened["survey"].status == "open" and len(opened["survey"].questions) == 9
    outsider = as_user(opened["outsider"])
    for path in ("", "/qr", "/qr.png"):
        assert outsider.get(url + path).status_code == 404
    assert as_user(opened["contact"]).get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the login page
    # Only the host sets the survey up.
    other = services.find_survey(g)
    db.session.delete(other)
    db.session.commit()
    counsellor = as_user(opened["counsellor"])
    assert 'data-state="no-survey"' in text(counsellor.get(url))
    assert counsellor.post(url, data={"csrf_token": get_csrf(counsellor, url)}).status_code == 403
    assert services.find_survey(g) is None


def test_qr_page_shows_a_big_code_of_the_short_link_and_downloads(as_user, opened):
    g, survey = opened["gathering"], opened["survey"]
    host = as_user(opened["host"])
    page = text(host.get(f"/gatherings/{g.id}/survey/qr"))
    url = f"http://localhost/s/{survey.qr_token}"
    assert '<svg' in page and 'class="qr-code survey-qr-code"' in page
    assert f"data-url>{url}</figcaption>" in page and "<script>" not in page
    png = host.get(f"/gatherings/{g.id}/survey/qr.png?download=1")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert "attachment" in png.headers["Content-Disposition"]
    svg = host.get(f"/gatherings/{g.id}/survey/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_personal_link_answers_once_and_edits_with_the_saved_answers_shown(db, client, opened):
    survey, token, own = opened["survey"], opened["token"], opened["own"]
    cooperation, items = code(survey, "cooperation"), code(survey, "useful_items")
    url = f"/s/{token}"
    page = text(client.get(url))
    # Each kind drawn as its control: a group in a fieldset, texts with their labels.
    assert page.count("<fieldset") == 3 and 'data-kind="agreement"' in page
    assert page.count(f'name="q{cooperation.id}"') == 6 and 'value="vet_ikke"' in page
    assert page.count(f'type="checkbox" id="q{items.id}-') == 4
    assert f'<textarea id="q{code(survey, "mix").id}"' in page and 'maxlength="4000"' in page
    # A short text is a line: 300 characters, said beside the field.
    assert re.search(rf'<input type="text" id="q{own.id}"[^>]*maxlength="300"', page)
    assert f'id="q{own.id}-hint">' in page and f'for="q{own.id}">' in page
    assert 'aria-required="true"' in page
    assert 'name="group"' not in page  # a personal link knows the group
    assert 'data-state="one-per-phone"' not in page
    # The language is chosen above the first answer, so switching loses nothing typed.
    assert 0 < page.index('data-part="language"') < page.index('name="q')
    assert 'name="next" value="' + url in page

    first = post(client, url, {f"q{cooperation.id}": "helt_enig", f"q{own.id}": "Bergen",
                               f"q{items.id}": [items.values[0], items.values[2]]})
    assert first.status_code == 302 and "/thanks" in first.headers["Location"]
    assert 'data-state="thanks"' in client.get(first.headers["Location"]).text

    page = text(client.get(url))
    assert 'data-state="answered"' in page
    assert re.search(r'value="helt_enig" checked', page)
    assert f'id="q{own.id}" name="q{own.id}" value="Bergen"' in page
    assert page.count("checked") == 2 + 1  # two items and the scale

    again = post(client, url, {f"q{cooperation.id}": "delvis_uenig", f"q{own.id}": "Voss"})
    assert again.status_code == 302 and "edited=1" in again.headers["Location"]
    assert count(SurveyResponse) == 1
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.participant_group == "municipal" and response.edit_key is not None
    assert sorted(a.choice or a.text for a in response.answers) == ["Voss", "delvis_uenig"]


def test_bad_answers_are_shown_beside_their_questions_and_nothing_is_saved(db, client, opened):
    survey, token, own = opened["survey"], opened["token"], opened["own"]
    cooperation, mix = code(survey, "cooperation"), code(survey, "mix")
    url = f"/s/{token}"
    bad = client.post(url, data={"csrf_token": get_csrf(client, url),
                                 f"q{cooperation.id}": "kanskje", f"q{mix.id}": "x" * 4001})
    assert bad.status_code == 422
    page = text(bad)
    assert 'data-errors="3"' in page
    for q in (cooperation, mix, own):
        assert f'id="q{q.id}-error"' in page
    # The short text takes 300 characters; the long one 4000.
    short = client.post(url, data={"csrf_token": get_csrf(client, url),
                                   f"q{own.id}": "y" * 301, f"q{mix.id}": "x" * 4000})
    assert short.status_code == 422 and 'data-errors="1"' in short.text
    assert re.search(rf'id="q{own.id}-error">[^<]*300', short.text)
    assert f'href="#q{cooperation.id}-0"' in page and f'href="#q{own.id}"' in page
    assert "x" * 4001 in page  # the long text is kept to be shortened
    assert count(SurveyResponse) == 0 and count(SurveyAnswer) == 0
    # Without the CSRF token nothing is saved either.
    assert client.post(url, data={f"q{own.id}": "Bergen"}).status_code == 400
    assert count(SurveyResponse) == 0
    assert bad.headers.get("X-RateLimit-Limit")  # the form is rate limited


def test_the_qr_code_takes_one_response_per_phone_with_an_optional_group(
        db, app, client, opened):
    survey, own = opened["survey"], opened["own"]
    items = code(survey, "useful_items")
    url = f"/s/{survey.qr_token}"
    page = text(client.get(url))
    assert page.count('name="group"') == 4 and 'data-state="answered"' not in page
    assert 'data-state="one-per-phone"' in page
    bad = post(client, url, {f"q{own.id}": "Bergen", "group": "alien"})
    assert bad.status_code == 422 and 'id="group-error"' in bad.text
    assert count(SurveyResponse) == 0 and "survey_device" not in bad.headers.get("Set-Cookie", "")

    first = post(client, url, {f"q{own.id}": "Bergen", "group": "county",
                               f"q{items.id}": items.values[:2]})
    assert first.status_code == 302 and "edited" not in first.headers["Location"]
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("survey_device=") and f"Path={url};" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    # Gone at midnight after the closing day, in Oslo.
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires == datetime.combine(survey.closes_on + timedelta(days=1), time(), OSLO)
    # Back on the form from the same phone: the answer is there, and sending edits it.
    page = text(client.get(url))
    assert 'data-state="answered"' in page and 'value="county" checked' in page
    assert f'id="q{own.id}" name="q{own.id}" value="Bergen"' in page
    again = post(client, url, {f"q{own.id}": "Voss", "group": "partner"})
    assert again.status_code == 302 and "edited=1" in again.headers["Location"]
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.participant_group == "partner" and response.edit_key is not None
    assert [a.text for a in response.answers] == ["Voss"]
    device = client.get_cookie("survey_device", path=url).value
    assert device not in response.edit_key and response.edit_key == services.edit_key(
        f"{survey.qr_token}:{device}")

    # Another phone gives a response of its own; the personal link's count stays apart.
    other = app.test_client()
    assert post(other, url, {f"q{own.id}": "Os"}).status_code == 302
    assert count(SurveyResponse) == 2
    figures = services.collection_figures(survey)
    # Counted once five have come in (see test_release.py).
    assert (figures["responses_qr"], figures["responses_personal"]) == (0, 0)
    assert figures["has_responses"] is True
    # Over https the cookie is only ever sent over https.
    https = app.test_client()
    form = https.get(url, base_url="https://localhost")
    sent = https.post(url, base_url="https://localhost",
                      headers={"Referer": f"https://localhost{url}"},
                      data={"csrf_token": csrf_from(form.text), f"q{own.id}": "Odda"})
    assert sent.status_code == 302 and "; Secure" in sent.headers["Set-Cookie"]
    assert count(SurveyResponse) == 3
    # In English the questions and options are the English ones.
    other.set_cookie("lang", "en")
    page = text(other.get(url))
    assert "Which municipality?" in page and "Strongly agree" in page


def test_closed_not_open_and_unknown_links_give_a_clear_page_and_save_nothing(
        db, client, opened):
    survey, token, own = opened["survey"], opened["token"], opened["own"]
    url = f"/s/{token}"
    csrf = get_csrf(client, url)
    services.close_survey(survey, opened["host"])
    db.session.commit()
    page = client.get(url)
    assert page.status_code == 200 and 'data-state="closed"' in page.text
    sent = client.post(url, data={"csrf_token": csrf, f"q{own.id}": "Bergen"})
    assert sent.status_code == 409 and 'data-state="closed"' in sent.text
    assert count(SurveyResponse) == 0
    survey.status = "draft"
    db.session.commit()
    assert 'data-state="not_open"' in client.get(url).text
    for bad in ("x" * 43, "short"):
        missing = client.get(f"/s/{bad}")
        assert missing.status_code == 404 and 'data-state="invalid"' in missing.text
    # NUL can be no link: refused with a message before any view (core.hostile)
    assert client.get(f"/s/{'%00' * 30}").status_code == 400
    assert client.get(f"/s/{'x' * 43}/thanks").status_code == 404


def test_directorate_keeps_the_national_template_on_its_page(db, as_user, world):
    url = "/surveys/template?year=2028"
    assert as_user(world["host"]).get(url).status_code == 403
    directorate = as_user(world["directorate"])
    page = text(directorate.get(url))
    assert page.count('data-code=') == 8
    # The codes are the app's own: users see the questions, not "· useful_items".
    assert "<code>" not in page and "· useful_items" not in page
    assert page.count('data-action="remove-question"') == 7  # not the settles question
    assert directorate.get("/surveys/template?year=20x8").status_code == 404
    bad = post(directorate, url, {"kind": "multiple", "text": "Hva?", "options": "En"})
    assert bad.status_code == 422 and 'id="options-error"' in bad.text
    added = post(directorate, url, {"kind": "agreement", "text": "Jeg lærte noe nytt",
                                    "text_en": "I learnt something new"})
    assert added.status_code == 302
    question = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.year == 2028, SurveyQuestion.code == "jeg_laerte_noe_nytt")).one()
    edit = f"/surveys/template/{question.id}"
    assert post(directorate, edit, {"text": ""}).status_code == 422
    assert post(directorate, edit, {"text": "Jeg lærte mye nytt", "text_en": ""}).status_code == 302
    db.session.refresh(question)
    assert question.text == "Jeg lærte mye nytt" and question.code == "jeg_laerte_noe_nytt"
    settles = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.year == 2028, SurveyQuestion.code == "settles")).one()
    post(directorate, f"/surveys/template/{settles.id}/delete", {"confirmed": "1"}, page=url)
    assert db.session.get(SurveyQuestion, settles.id) is not None
    question_id = question.id
    assert post(directorate, f"{edit}/delete", {"confirmed": "1"}, page=url).status_code == 302
    assert db.session.get(SurveyQuestion, question_id) is None
    host = as_user(world["host"])
    assert host.post(f"/surveys/template/{settles.id}/delete",
                     data={"csrf_token": get_csrf(host, "/")}).status_code == 403


def test_api_answers_201_then_200_and_documents_both(client, opened):
    survey, token, own = opened["survey"], opened["token"], opened["own"]
    url = f"/api/v1/surveys/{token}/responses"
    first = client.post(url, json={"answers": {str(own.id): "Bergen"}})
    assert first.status_code == 201 and first.headers.get("X-RateLimit-Limit")
    again = client.post(url, json={"answers": {str(own.id): "Voss"}})
    assert again.status_code == 200 and again.get_json() == {"result": "edited"}
    assert client.post(f"/api/v1/surveys/{survey.qr_token}/responses",
                       json={"answers": {str(own.id): "Os"}}).status_code == 201
    doc = client.get("/api/v1/openapi.json").get_json()
    responses = doc["paths"]["/surveys/{token}/responses"]["post"]["responses"]
    assert {"200", "201", "404", "409", "422", "429"} <= set(responses)
