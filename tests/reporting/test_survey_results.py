"""A gathering's survey results page and its exports: every figure counted by hand from the
answers as they were sent; small groups hidden on the page and in the files; themes; who sees
and who may sort; nothing in an export that joins a person to their answers."""

import csv
import io
import json
import random
import re
from html import unescape

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from eventapp.core.errors import Forbidden, NotFound
from eventapp.reporting import services as reporting
from eventapp.surveys import services
from eventapp.surveys.models import AGREEMENT, SurveyAnswer, SurveyResponse, SurveyTheme
from tests.conftest import get_csrf, login, post_form
from tests.reporting.plotly_check import assert_plotly_accepts
from tests.surveys.conftest import (
    OPEN_DAY,
    add_person,
    make_world,
    open_survey,
    question,
    random_answers,
    submit,
)

GROUP_OF_KIND = {"municipality": "municipal", "county": "county", "partner": "partner"}
TEXTS = ["Bookingsystemet var tungvint", "For lite tid til grupper", "Gode samtaler",
         "=HYPERLINK(\"http://x\")", "Mer om Ukraina"]


@pytest.fixture
def world(db, places, make_user, make_gathering):
    """As the surveys' own fixture: Vestland's held gathering and everyone around it."""
    gathering, host = make_world(db, make_user, make_gathering, "46", "vert@vestland.example")
    return {
        "gathering": gathering, "host": host,
        "counsellor": make_user("counsellor", county="46", email="veileder@vestland.example"),
        "contact": make_user("municipal_contact", county="46", municipality="4601",
                             email="kontakt@bergen.example"),
        "outsider": make_user("county_host", county="11", email="vert@rogaland.example"),
        "directorate": make_user("directorate", county=None, email="hkdir@example.no"),
    }


@pytest.fixture
def answered(db, world):
    """Vestland's survey with one question of each kind beyond the national ones, answered by
    11 of 12 invited people (some changing their answers) and 4 through the QR code, then
    closed; ``sent`` holds each response's final answers and group as sent. Fifteen in all, so
    the last release shows every one of them (figures move five responses at a time), and
    closed, so the filters give figures."""
    g, host = world["gathering"], world["host"]
    kinds = ["municipality"] * 7 + ["county"] * 3 + ["partner"] * 2
    people = [add_person(db, g, kind=k) for k in kinds]
    survey = open_survey(db, g, host)
    services.add_question(survey, host, kind="single", text="Hvor lang reisevei?",
                          options=["Under 1 time", "1–3 timer", "Over 3 timer"])
    services.add_question(survey, host, kind="multiple", text="Hva vil du høre mer om?",
                          options=["Godkjenning", "Opplæring", "Språk", "Arbeid"])
    services.add_question(survey, host, kind="short_text", text="Ett ord om samlinga?")
    tokens = services.invite(survey, host)
    db.session.commit()
    rng = random.Random(11)
    sent = []
    for person in people[:11]:
        answers = random_answers(rng, survey, TEXTS)
        submit(db, tokens[person.id], {str(k): v for k, v in answers.items()})
        if rng.random() < 0.3:
            answers = random_answers(rng, survey, TEXTS)
            submit(db, tokens[person.id], {str(k): v for k, v in answers.items()})
        sent.append((GROUP_OF_KIND[person.organisation_kind], answers))
    for group in ("municipal", "partner", "county", None):
        answers = random_answers(rng, survey, TEXTS)
        submit(db, survey.qr_token, {str(k): v for k, v in answers.items()}, group)
        sent.append((group, answers))
    services.close_survey(survey, host, on=OPEN_DAY)
    db.session.commit()
    return {**world, "survey": survey, "sent": sent, "people": people}


def by_hand(survey, sent, group=None, settles=None) -> dict:
    """{question id: figures} from the answers as sent, under the filter."""
    settles_q = question(survey, "settles").id
    chosen = [a for g, a in sent if (group is None or g == group)
              and (settles is None or a.get(settles_q) == settles)]
    out = {"n": len(chosen)}
    for q in survey.questions:
        given = [a[q.id] for a in chosen if q.id in a]
        if q.kind == "agreement":
            counts = {v: given.count(v) for v in AGREEMENT if v in q.values}
            considered = len(given) - given.count("vet_ikke")
            out[q.id] = {"answered": len(given), "counts": counts, "considered": considered,
                         "agree": counts["helt_enig"] + counts["delvis_enig"]}
        elif q.kind in ("single", "multiple", "programme_items"):
            flat = [v for x in given for v in (x if isinstance(x, list) else [x])]
            out[q.id] = {"answered": len(given), "counts": {v: flat.count(v) for v in q.values}}
        else:
            # Under a filter the texts are not listed: lists could be compared across filters.
            filtered = group is not None or settles is not None
            out[q.id] = {"answered": len(given),
                         "texts": [] if filtered else sorted(x.strip() for x in given)}
    return out


def pct(part, whole) -> str:
    """Whole percent, halves up, as people round: int(x + 0.5) on exact fractions."""
    return f"{(part * 200 + whole) // (2 * whole)}\u00a0%"


def sections(html: str) -> dict[int, str]:
    """{question id: that question's section of the page}."""
    found = re.findall(r'<section class="survey-question" id="q-(\d+)".*?</section>', html, re.S)
    bodies = re.split(r'<section class="survey-question" id="q-\d+"', html)[1:]
    return {int(q): body.split("</section>")[0] for q, body in zip(found, bodies, strict=True)}


def option_counts(section: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(r'<tr data-option="([^"]+)">.*?data-field="count">(\d+)</td>\s*'
                      r'<td class="num" data-field="share">([^<]*)</td>', section, re.S)
    return {v: (int(c), unescape(s)) for v, c, s in rows}


def check_page(html: str, survey, want: dict) -> None:
    parts = sections(html)
    assert set(parts) == {q.id for q in survey.questions}
    for q in survey.questions:
        part, w = parts[q.id], want[q.id]
        assert f"{w['answered']} " in re.search(r'data-figure="answered">([^<]*)<', part)[1]
        if q.kind == "agreement":
            got = option_counts(part)
            assert {v: c for v, (c, _s) in got.items()} == w["counts"]
            # Every share is of all who answered, "vet ikke" included (as HK-dir counted).
            for _value, (count, share) in got.items():
                assert share == pct(count, w["answered"])
            agree = unescape(re.search(r'data-figure="agree">([^<]*)<', part)[1])
            assert pct(w["agree"], w["answered"]) in agree
            assert f" {w['answered']} " in agree
            assert f'id="chart-q{q.id}"' in part and 'role="img"' in part
        elif "counts" in w:
            got = option_counts(part)
            assert {v: c for v, (c, _s) in got.items()} == w["counts"]
            order = [c for c, _s in got.values()]
            assert order == sorted(order, reverse=True)
            assert all(s == pct(c, w["answered"]) for c, s in got.values())
        else:
            texts = [unescape(t) for t in re.findall(
                r'<p class="survey-text-body">([^<]*)</p>', part)]
            assert sorted(texts) == w["texts"]
            # Listed in alphabetical order, not in the order they came in.
            assert texts == sorted(texts, key=str.casefold)


def test_results_page_shows_the_figures_counted_by_hand(client, answered):
    survey, sent = answered["survey"], answered["sent"]
    login(client, answered["host"].email)
    response = client.get(f"/gatherings/{answered['gathering'].id}/survey/results")
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    facts = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))
    assert facts["invitations"] == "12" and facts["personal"] == "11" and facts["qr"] == "4"
    assert unescape(facts["rate"]).strip() == pct(11, 12)
    assert facts["filtered"].startswith("15 ")
    check_page(html, survey, by_hand(survey, sent))
    # Each chart's figure is JSON beside it, drawn by the app's own plotly.js and charts.js.
    assert_plotly_accepts(html)
    coop = question(survey, "cooperation").id
    figure = json.loads(unescape(re.search(
        rf'<script type="application/json" id="chart-q{coop}-data">(.*?)</script>', html, re.S)[1]))
    assert [t["name"] for t in figure["data"]] == [o["label"] for o in
                                                     services.AGREEMENT_OPTIONS]
    assert figure["layout"]["barmode"] == "stack"
    assert re.search(r'<script src="/static/vendor/plotly/plotly\.min\.[0-9a-f]{12}\.js" defer>', html)
    assert "<script>" not in html

    # In English: the questions' and options' English texts on the page, in its charts and
    # in the files; a host's question without one keeps its own.
    page = f"/gatherings/{answered['gathering'].id}/survey/results"
    client.post("/language", data={"language": "en", "next": page,
                                   "csrf_token": get_csrf(client, page)})
    html = client.get(page).get_data(as_text=True)
    part = sections(html)[coop]
    assert unescape(question(survey, "cooperation").text_en) in unescape(part)
    assert question(survey, "cooperation").text not in unescape(part)
    assert '<th scope="row">Strongly agree</th>' in part and "Helt enig" not in part
    figure = json.loads(unescape(re.search(
        rf'<script type="application/json" id="chart-q{coop}-data">(.*?)</script>', html, re.S)[1]))
    assert [t["name"] for t in figure["data"]] == [o["label_en"] for o in
                                                     services.AGREEMENT_OPTIONS]
    assert "Hvor lang reisevei?" in html
    body = client.get(f"{page}.csv").data.decode("utf-8-sig")
    assert "Ordinary refugees" in body and "Ordinære flyktninger" not in body


def test_filters_count_by_hand_and_small_groups_show_nothing(client, answered, monkeypatch):
    survey, sent, gid = answered["survey"], answered["sent"], answered["gathering"].id
    login(client, answered["directorate"].email)
    municipal = by_hand(survey, sent, group="municipal")
    assert municipal["n"] >= 5
    html = client.get(f"/gatherings/{gid}/survey/results?group=municipal").get_data(as_text=True)
    assert 'id="suppressed"' not in html
    assert re.search(r'data-figure="filtered">(\d+)', html)[1] == str(municipal["n"])
    check_page(html, survey, municipal)
    assert '<option value="municipal" selected>' in html

    # Partners: 1 invited + 1 by QR; and the rarest settles answer.
    assert by_hand(survey, sent, group="partner")["n"] < 5
    rare = min(services.SETTLES_OPTIONS, key=lambda o: by_hand(survey, sent,
                                                                settles=o["value"])["n"])
    assert by_hand(survey, sent, settles=rare["value"])["n"] < 5
    for query in ("group=partner", f"settles={rare['value']}"):
        response = client.get(f"/gatherings/{gid}/survey/results?{query}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'id="suppressed"' in html
        assert "survey-question" not in html and "survey-text-body" not in html
        assert "Download" not in html and ".csv" not in html
        assert "application/json" not in html
        # The file says the same (under the gathering and the filter) and carries no figures.
        body = client.get(f"/gatherings/{gid}/survey/results.csv?{query}").data.decode("utf-8-sig")
        assert len([r for r in csv.reader(io.StringIO(body), delimiter=";") if r]) == 2 + 3
        assert not any(t.split()[0] in body for t in TEXTS[:3])
        book = load_workbook(io.BytesIO(client.get(
            f"/gatherings/{gid}/survey/results.xlsx?{query}").data))
        assert len(book.sheetnames) == 1 and book.active.max_row == 2 + 1 + 2

    # A value that is no choice: a message, everyone shown, nothing broken.
    response = client.get(f"/gatherings/{gid}/survey/results?group=admins&settles=x")
    assert response.status_code == 422
    assert re.search(r'data-figure="filtered">15 ', response.get_data(as_text=True))
    assert client.get(f"/gatherings/{gid}/survey/results.csv?group=admins").status_code == 422
    # The form asks for one filter at a time; when two come together anyway the page
    # shows everyone with the reason, and the file is refused.
    assert 'aria-describedby="filter-hint"' in html and 'id="filter-hint"' in html
    response = client.get(f"/gatherings/{gid}/survey/results?group=municipal&settles=both")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Velg ett filter om gangen." in html
    assert re.search(r'data-figure="filtered">15 ', html)
    assert client.get(f"/gatherings/{gid}/survey/results.csv?group=municipal&settles=both"
                      ).status_code == 422


def _csv_sections(body: bytes) -> list[list[list[str]]]:
    """The preamble (gathering and filter), then each section's rows."""
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    out, current = [], []
    for row in csv.reader(io.StringIO(text[1:]), delimiter=";"):
        if not row:
            out.append(current)
            current = []
        else:
            current.append(row)
    out.append(current)
    return out


def test_exports_match_the_hand_count_and_hold_nothing_that_joins_a_person(client, db,
                                                                           answered):
    survey, sent, gid = answered["survey"], answered["sent"], answered["gathering"].id
    want = by_hand(survey, sent)
    login(client, answered["host"].email)
    response = client.get(f"/gatherings/{gid}/survey/results.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="sporreundersokelse-samling-46-2027.csv"'
    sections_ = _csv_sections(response.data)
    # The gathering and the filter on top, then figures and texts: no per-response section.
    preamble, figures, texts = sections_
    assert preamble[0][1] == "Samling 46" and len(preamble) == 2
    assert [figures[0][0], texts[0][0]] == ["Tall", "Tekstsvar"]

    numbers = {q.id: n for n, q in enumerate(survey.questions, start=1)}
    got: dict[int, dict[str, int]] = {}
    for number, _text, answer, count, _share in figures[2:]:
        got.setdefault(int(number), {})[answer] = int(count)
    for q in survey.questions:
        mine, w = got[numbers[q.id]], want[q.id]
        if q.kind == "agreement":
            labels = {o["value"]: o["label"] for o in services.AGREEMENT_OPTIONS}
            assert {v: mine[labels[v]] for v in AGREEMENT} == w["counts"]
            assert mine["Helt eller delvis enig"] == w["agree"]
        elif "counts" in w:
            labels = {o["value"]: o["label"] for o in q.option_list}
            assert {v: mine[labels[v]] for v in q.values} == w["counts"]
        else:
            assert mine == {"Har svart": w["answered"]}
    # Texts: formula-safe, one row per written answer, alphabetical within their question.
    text_rows = texts[2:]
    for q in survey.questions:
        if q.kind in ("short_text", "long_text"):
            mine = [r[2].removeprefix("'") for r in text_rows if r[0] == str(numbers[q.id])]
            assert mine == sorted(want[q.id]["texts"], key=str.casefold)
    assert any(r[2].startswith("'=HYPERLINK") for r in text_rows)
    assert not any(r[2].startswith("=") for r in text_rows)
    # No row holds more than one question's answer: one question number per row, and no
    # row holds two of the texts anyone wrote.
    written = {a[q.id].strip() for _g, a in sent for q in survey.questions
               if q.kind in ("short_text", "long_text") and q.id in a}
    for row in figures[2:] + text_rows:
        assert row[0].isdigit()
        assert sum(1 for c in row if c.removeprefix("'") in written) <= 1, row
    assert len(text_rows) == sum(len(want[q.id]["texts"]) for q in survey.questions
                                 if q.kind in ("short_text", "long_text"))

    response = client.get(f"/gatherings/{gid}/survey/results.xlsx")
    assert response.headers["Content-Disposition"].endswith('samling-46-2027.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tall", "Tekstsvar"]
    sheet = book["Tall"]
    assert sheet["B1"].value == "Samling 46"
    # The share is a number Excel can sort and sum, shown as a percentage.
    coop = question(survey, "cooperation")
    agree_row = next(r for r in sheet.iter_rows(min_row=5)
                     if r[0].value == numbers[coop.id] and r[2].value == "Helt eller delvis enig")
    w = want[coop.id]
    assert agree_row[4].value == pytest.approx(w["agree"] / w["answered"])
    assert agree_row[4].number_format == "0 %"
    # Filtered: the filter on top and in the name; only that group's texts.
    response = client.get(f"/gatherings/{gid}/survey/results.csv?group=municipal")
    assert response.headers["Content-Disposition"].endswith(
        '-2027-ansatt-i-kommune.csv"')
    preamble, _figures, texts = _csv_sections(response.data)
    assert "Ansatt i kommune" in preamble[1][1]
    municipal = by_hand(survey, sent, group="municipal")
    assert sorted(r[2].removeprefix("'") for r in texts[2:]) == sorted(
        t for q in survey.questions if q.kind in ("short_text", "long_text")
        for t in municipal[q.id]["texts"])


def answer_item(html: str, text: str) -> str:
    """The list item of the free-text answer that reads ``text``."""
    items = re.findall(r'<li class="survey-text">.*?</li>', html, re.S)
    found = [i for i in items if f'<p class="survey-text-body">{escape(text)}</p>' in i]
    assert len(found) == 1, text
    return found[0]


def tag_form(html: str, text: str) -> dict:
    """The page key the tagging controls send, and the handle of that answer's checkbox."""
    item = answer_item(html, text)
    return {"page": re.search(r'name="page" value="([^"]+)"', html)[1],
            "answer": re.search(r'name="answer" value="([^"]+)"', item)[1]}


def _text_answers(survey, question_id=None) -> list[SurveyAnswer]:
    stmt = select(SurveyAnswer).join(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyAnswer.text.is_not(None))
    if question_id:
        stmt = stmt.where(SurveyAnswer.question_id == question_id)
    from eventapp.extensions import db

    return list(db.session.scalars(stmt.order_by(SurveyAnswer.id)))


def test_host_sorts_text_answers_into_themes_and_the_page_counts_them(client, db, answered):
    survey, gid = answered["survey"], answered["gathering"].id
    page = f"/gatherings/{gid}/survey/results"
    login(client, answered["host"].email)
    for name in ("Bookingsystem", "Gruppearbeid", "Ukraina"):
        response = post_form(client, f"/gatherings/{gid}/survey/themes", {"name": name}, page)
        assert response.status_code == 302 and response.location.endswith("#themes")
    themes = {t.name: t for t in db.session.scalars(select(SurveyTheme))}
    assert set(themes) == {"Bookingsystem", "Gruppearbeid", "Ukraina"}

    short = next(q for q in survey.questions if q.kind == "short_text")
    answers = _text_answers(survey, short.id)
    assert len(answers) >= 4
    booking, groups = themes["Bookingsystem"].id, themes["Gruppearbeid"].id
    token = get_csrf(client, page)
    tagged = {a.id: [booking] for a in answers[:3]}
    tagged[answers[0].id] = [booking, groups]
    by_id = {a.id: a.text for a in answers}

    def theme(theme_id: int, action: str, answer_ids) -> object:
        """One question's control: the theme added to (or taken off) the answers ticked."""
        html = client.get(page).text
        forms = [tag_form(html, by_id[a]) for a in answer_ids]
        return client.post(f"/gatherings/{gid}/survey/answers/themes", data={
            "csrf_token": token, "theme": str(theme_id), "action": action,
            "question": str(short.id), "page": forms[0]["page"],
            "answer": [f["answer"] for f in forms]})

    for theme_id in (booking, groups):
        response = theme(theme_id, "add", [a for a, ids in tagged.items() if theme_id in ids])
        assert response.status_code == 302 and response.location.endswith(f"#q-{short.id}")
    # Taking a theme off the answers ticked untags them.
    theme(groups, "add", [answers[2].id])
    theme(booking, "remove", [answers[2].id])
    tagged[answers[2].id] = [groups]
    stored = {a.id: sorted(t.id for t in a.themes) for a in _text_answers(survey, short.id)}
    assert {k: v for k, v in stored.items() if v} == {k: sorted(v) for k, v in tagged.items()}

    html = client.get(page).get_data(as_text=True)
    part = sections(html)[short.id]
    counts = dict(re.findall(r'<li data-theme="(\d+)" data-count="(\d+)">', part))
    hand = {}
    for ids in tagged.values():
        for i in ids:
            hand[str(i)] = hand.get(str(i), 0) + 1
    assert {k: int(v) for k, v in counts.items()} == hand
    assert "Bookingsystem: 2" in part and "Gruppearbeid: 2" in part
    # Each answer says the themes it carries.
    item = answer_item(part, by_id[answers[0].id])
    assert "Bookingsystem, Gruppearbeid" in item

    # Counts honour the filter: the same hand count over the municipal staff's answers only.
    survey_results = reporting.survey_results(survey, group="municipal")
    assert survey_results.texts[short.id] == []  # counted, not listed, under a filter
    municipal = set(services.select_responses(survey, group="municipal").ids)
    mine = {a.id for a in answers if a.response_id in municipal}
    expected = {}
    for answer_id, ids in tagged.items():
        if answer_id in mine:
            for i in ids:
                expected[i] = expected.get(i, 0) + 1
    assert {t.id: n for t, n in survey_results.theme_counts[short.id]} == expected
    # The theme list counts each theme's answers over the whole survey.
    used = dict(re.findall(r'<li data-theme="(\d+)" data-used="(\d+)">', html))
    assert {int(k): int(v) for k, v in used.items()} == {
        themes["Bookingsystem"].id: 2, groups: 2, themes["Ukraina"].id: 0}
    assert html.index('id="new-theme"') < html.index('class="survey-question"')
    # And the export lists the themes beside each text, and the counts.
    _preamble, _figures, texts = _csv_sections(client.get(f"{page}.csv").data)
    assert sum(1 for r in texts[2:] if "Bookingsystem" in r[3]) == 2
    assert any(r[2] == "Tema: Bookingsystem" and r[3] == "2" for r in _figures[2:])

    # Renamed, then deleted: the answers stay, untagged.
    response = post_form(client, f"/gatherings/{gid}/survey/themes/{booking}",
                         {f"theme-{booking}-name": "Booking"}, page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyTheme, booking).name == "Booking"
    # Deleting asks first, saying how many answers lose the theme.
    response = post_form(client, f"/gatherings/{gid}/survey/themes/{booking}/delete", {}, page)
    assert response.status_code == 302 and response.location.endswith(f"themes/{booking}/delete")
    assert db.session.get(SurveyTheme, booking) is not None
    confirm = client.get(f"/gatherings/{gid}/survey/themes/{booking}/delete")
    assert 'data-used="2"' in confirm.get_data(as_text=True)
    response = post_form(client, f"/gatherings/{gid}/survey/themes/{booking}/delete",
                         {"confirm": "yes"}, f"/gatherings/{gid}/survey/themes/{booking}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyTheme, booking) is None
    assert len(_text_answers(survey, short.id)) == len(answers)
    assert db.session.scalar(select(func.count()).select_from(SurveyTheme)) == 2


def test_theme_refusals_save_nothing(client, db, answered, make_user, make_gathering):
    survey, gid = answered["survey"], answered["gathering"].id
    page = f"/gatherings/{gid}/survey/results"
    login(client, answered["host"].email)
    post_form(client, f"/gatherings/{gid}/survey/themes", {"name": "Bookingsystem"}, page)
    theme = db.session.scalars(select(SurveyTheme)).one()
    for name in ("  bookingSYSTEM ", "", "   ", "x" * 81):
        response = post_form(client, f"/gatherings/{gid}/survey/themes", {"name": name}, page)
        assert response.status_code == 422, name
        html = response.get_data(as_text=True)
        assert 'id="name-error"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count()).select_from(SurveyTheme)) == 1
    assert reporting.create_theme(survey, answered["host"], "y" * 80).name == "y" * 80
    db.session.rollback()
    # Renaming onto another theme's name is refused beside that theme's field.
    post_form(client, f"/gatherings/{gid}/survey/themes", {"name": "Språk"}, page)
    response = post_form(client, f"/gatherings/{gid}/survey/themes/{theme.id}",
                         {f"theme-{theme.id}-name": "SPRÅK"}, page)
    assert response.status_code == 422
    assert f'id="theme-{theme.id}-name-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SurveyTheme, theme.id).name == "Bookingsystem"

    # Answers and themes of another survey, and chosen options, are not there to tag: 404.
    other_g, other_host = make_world(db, make_user, make_gathering, "11")
    other = open_survey(db, other_g, other_host)
    submit(db, other.qr_token, {str(question(other, "comments").id): "Annet fylke"}, "county")
    foreign_answer = _text_answers(other)[0]
    foreign_theme = reporting.create_theme(other, other_host, "Fremmed")
    db.session.commit()
    own_answer = _text_answers(survey)[0]
    choice = db.session.scalars(select(SurveyAnswer).join(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyAnswer.choice.is_not(None))).first()
    html = client.get(page).text
    token = get_csrf(client, page)
    page_key = re.search(r'name="page" value="([^"]+)"', html)[1]
    # A handle is made with the server's key: one for another survey's answer, a chosen
    # option or no answer at all finds nothing, nor does a made-up one or a page key of its own.
    # Each is refused with the page and its reason, and nothing is saved.
    for answer_id, theme_id in ((foreign_answer.id, theme.id), (choice.id, theme.id),
                                (own_answer.id, foreign_theme.id), (999_999, theme.id)):
        response = client.post(f"/gatherings/{gid}/survey/answers/themes",
                               data={"csrf_token": token, "theme": theme_id, "page": page_key,
                                     "action": "add",
                                     "answer": reporting.answer_handle(page_key, answer_id)})
        assert response.status_code == 422
        assert 'role="alert"' in response.text
    own_form = tag_form(html, own_answer.text)
    for bad in ({**own_form, "answer": "x" * 22}, {**own_form, "page": "mine"},
                {"answer": own_form["answer"]}, {}, {**own_form, "page": "p" * 500}):
        response = client.post(f"/gatherings/{gid}/survey/answers/themes",
                               data={"csrf_token": token, "theme": theme.id, "action": "add",
                                     **bad})
        assert response.status_code == 422
    for url in (f"/gatherings/{gid}/survey/themes/{foreign_theme.id}",
                f"/gatherings/{gid}/survey/themes/{foreign_theme.id}/delete"):
        assert client.post(url, data={"csrf_token": token,
                                      f"theme-{foreign_theme.id}-name": "x"}).status_code == 404
    assert all(not a.themes for a in _text_answers(survey) + _text_answers(other))
    # Without a valid CSRF token nothing is tagged.
    client.post(f"/gatherings/{gid}/survey/answers/themes",
                data={"theme": theme.id, "action": "add", **own_form})
    db.session.expire_all()
    assert db.session.get(SurveyAnswer, own_answer.id).themes == []
    # The services refuse the same, for the API or anyone else calling them.
    with pytest.raises(NotFound):
        reporting.set_themes(survey, answered["host"], foreign_answer.id, [theme.id])
    with pytest.raises(NotFound):
        reporting.tag(foreign_answer, theme, answered["host"])


def test_who_sees_the_results_and_who_may_sort(app, client, db, answered):
    survey, gid = answered["survey"], answered["gathering"].id
    page = f"/gatherings/{gid}/survey/results"
    answer = _text_answers(survey)[0]

    login(client, answered["counsellor"].email)
    html = client.get(page).get_data(as_text=True)
    assert 'data-question=' in html
    assert 'id="new-theme"' not in html and "survey-tag-form" not in html
    host_theme = reporting.create_theme(survey, answered["host"], "Lokalet")
    db.session.commit()
    token = get_csrf(client, page)
    assert client.post(f"/gatherings/{gid}/survey/themes",
                       data={"csrf_token": token, "name": "Veileder"}).status_code == 403
    assert client.post(f"/gatherings/{gid}/survey/answers/themes",
                       data={"csrf_token": token, "theme": [host_theme.id], "page": "p",
                             "answer": "a"}).status_code == 403
    assert client.post(f"/gatherings/{gid}/survey/themes/{host_theme.id}/delete",
                       data={"csrf_token": token}).status_code == 403
    with pytest.raises(Forbidden):
        reporting.tag(answer, host_theme, answered["counsellor"])
    # The counsellor reads the page but takes no file away.
    assert 'id="downloads"' not in html and ".xlsx" not in html
    assert client.get(f"{page}.xlsx").status_code == 403
    assert client.get(f"{page}.csv").status_code == 403
    assert client.get(f"/gatherings/{gid}/survey/themes/{host_theme.id}/delete").status_code \
        == 403

    # The directorate sorts too.
    client = app.test_client()
    login(client, answered["directorate"].email)
    response = client.post(f"/gatherings/{gid}/survey/answers/themes",
                           data={"csrf_token": get_csrf(client, page),
                                 "theme": host_theme.id, "action": "add",
                                 **tag_form(client.get(page).text, answer.text)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [t.name for t in db.session.get(SurveyAnswer, answer.id).themes] == ["Lokalet"]

    for who, status in (("outsider", 404), ("contact", 403)):
        client = app.test_client()
        login(client, answered[who].email)
        for url in (page, f"{page}.csv", f"{page}.xlsx"):
            assert client.get(url).status_code == status, (who, url)
        assert client.post(f"/gatherings/{gid}/survey/themes",
                           data={"name": "x"}).status_code in (400, status)
    assert app.test_client().get(page).status_code == 302  # to the login page
    assert db.session.scalar(select(func.count()).select_from(SurveyTheme)) == 1


def test_gathering_without_a_survey(client, db, world):
    gid = world["gathering"].id
    login(client, world["host"].email)
    response = client.get(f"/gatherings/{gid}/survey/results")
    assert response.status_code == 200
    assert 'id="no-survey"' in response.get_data(as_text=True)
    assert client.get(f"/gatherings/{gid}/survey/results.csv").status_code == 404
