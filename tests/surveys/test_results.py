"""Results: every kind of question counted by hand from the raw answers and compared with the
app's figures; small groups hidden; the national comparison equals the per-county results."""

import random

import pytest
from sqlalchemy import select

from eventapp.core.errors import ValidationFailed
from eventapp.surveys import services
from eventapp.surveys.models import AGREEMENT, SurveyAnswer, SurveyQuestion, SurveyResponse
from tests.surveys.conftest import (
    OPEN_DAY,
    add_person,
    make_world,
    open_survey,
    question,
    random_answers,
    submit,
)

TEXTS = ["Nyttig", "For lite tid", "Gode samtaler", "Bra"]

GROUPS = ("municipal", "county", "partner")


def _by_hand(survey, submitted: list[dict]) -> dict:
    """The figures of each question, counted from the answers as they were sent."""
    expected = {}
    for q in survey.questions:
        given = [a[q.id] for a in submitted if q.id in a]
        if q.kind == "agreement":
            counts = {v: given.count(v) for v in AGREEMENT if v in q.values}
            considered = len(given) - given.count("vet_ikke")
            agree = counts["helt_enig"] + counts["delvis_enig"]
            # Over all who answered, "vet ikke" included, as HK-dir's evaluation computed it.
            expected[q.id] = {"answered": len(given), "counts": counts, "agree": agree,
                              "considered": considered,
                              "agree_share": agree / len(given) if given else None}
        elif q.kind in ("single", "multiple", "programme_items"):
            flat = [v for g in given for v in (g if isinstance(g, list) else [g])]
            expected[q.id] = {"answered": len(given),
                              "counts": {v: flat.count(v) for v in q.values}}
        else:
            expected[q.id] = {"answered": len(given), "texts": sorted(given)}
    return expected


def test_results_match_counts_by_hand_for_every_kind(db, world):
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g, kind=["municipality", "county", "partner"][i % 3],
                         role="programme_adviser") for i in range(12)]
    survey = open_survey(db, g, host)
    services.add_question(survey, host, kind="single", text="Hvor lang reisevei?",
                          options=["Under 1 time", "1–3 timer", "Over 3 timer"])
    services.add_question(survey, host, kind="multiple", text="Hvilke tema vil du høre mer om?",
                          options=["Godkjenning", "Opplæring", "Språk", "Arbeid"])
    services.add_question(survey, host, kind="short_text", text="Ett ord om samlinga?")
    services.add_question(survey, host, kind="agreement", text="Lokalet var godt egnet")
    tokens = services.invite(survey, host)
    db.session.commit()
    kinds = {q.kind for q in survey.questions}
    assert kinds == {"agreement", "single", "multiple", "programme_items", "short_text",
                     "long_text"}

    rng = random.Random(8)
    submitted = []
    for person in people[:9]:
        answers = random_answers(rng, survey, TEXTS)
        submit(db, tokens[person.id], {str(k): v for k, v in answers.items()})
        # Some change their mind: only the last answers count.
        if rng.random() < 0.4:
            answers = random_answers(rng, survey, TEXTS)
            submit(db, tokens[person.id], {str(k): v for k, v in answers.items()})
        submitted.append(answers)
    # Fifteen in all, the last by the QR code: its release shows every response and every
    # change of mind (figures move five responses at a time, see test_release.py).
    for _ in range(6):
        answers = random_answers(rng, survey, TEXTS)
        submit(db, survey.qr_token, {str(k): v for k, v in answers.items()},
               rng.choice(GROUPS))
        submitted.append(answers)

    result = services.results(survey)
    assert result["invitations"] == 12 and result["responses"] == 15
    assert result["responses_personal"] == 9 and result["responses_qr"] == 6
    assert result["response_rate"] == 9 / 12
    assert result["suppressed"] is False and result["filtered_responses"] == 15
    expected = _by_hand(survey, submitted)
    for got in result["questions"]:
        want = expected[got["question_id"]]
        assert got["answered"] == want["answered"], got["text"]
        if got["kind"] == "agreement":
            assert [o["value"] for o in got["options"]] == list(AGREEMENT)
            assert {o["value"]: o["count"] for o in got["options"]} == want["counts"]
            assert got["agree"] == want["agree"] and got["considered"] == want["considered"]
            assert got["agree_share"] == want["agree_share"]
        elif "counts" in want:
            assert {o["value"]: o["count"] for o in got["options"]} == want["counts"]
            counts = [o["count"] for o in got["options"]]
            assert counts == sorted(counts, reverse=True)
            for option in got["options"]:
                assert option["share"] == option["count"] / want["answered"]
        else:
            assert sorted(got["texts"]) == want["texts"]


def _answer(db, survey, group, coop_value, settles_value=None):
    answers = {str(question(survey, "cooperation").id): coop_value}
    if settles_value:
        answers[str(question(survey, "settles").id)] = settles_value
    submit(db, survey.qr_token, answers, group)


def test_small_groups_are_hidden_in_filtered_results(db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    for _ in range(4):
        _answer(db, survey, "partner", "helt_enig", "none")
    # Four responses in all: nothing shows, not even unfiltered.
    assert services.results(survey)["suppressed"] is True
    assert services.results(survey)["questions"] == []
    for _ in range(5):
        _answer(db, survey, "municipal", "delvis_uenig", "both")
    _answer(db, survey, "county", "noytral", "both")
    # While answers come in, no filter gives figures: one group could gain a single answer
    # between two looks.
    waiting = services.results(survey, group="municipal")
    assert waiting["suppressed"] is True and waiting["filters_open"] is False
    assert services.results(survey)["suppressed"] is False
    services.close_survey(survey, world["host"], on=OPEN_DAY)
    db.session.commit()

    # By group: partner 4 and county 1 are hidden (together they hold five, so the total less
    # the municipal five tells nothing of either); municipal 5 shows.
    partners = services.results(survey, group="partner")
    assert partners["suppressed"] is True
    assert partners["questions"] == [] and partners["filtered_responses"] is None
    assert services.results(survey, group="county")["suppressed"] is True
    municipal = services.results(survey, group="municipal")
    assert municipal["suppressed"] is False and municipal["filtered_responses"] == 5
    coop = next(q for q in municipal["questions"] if q["code"] == "cooperation")
    assert {o["value"]: o["count"] for o in coop["options"]}["delvis_uenig"] == 5
    assert coop["agree_share"] == 0
    # Under a filter the free texts are not listed, only counted.
    text = next(q for q in municipal["questions"] if q["kind"] == "long_text")
    assert text["texts"] == [] and text["texts_withheld"] is True
    # By what the municipality settles: "none" has 4; "both" (6) would give it away as the
    # total less "both", so it is hidden with it.
    assert services.results(survey, settles="none")["suppressed"] is True
    assert services.results(survey, settles="both")["suppressed"] is True
    # One filter at a time.
    with pytest.raises(ValidationFailed) as refused:
        services.results(survey, group="municipal", settles="both")
    assert "settles" in refused.value.fields
    # Five more settling Ukrainians: "ukrainian" (5) is now hidden with "none" (4), so "both"
    # (6) can show: the total less "both" is the two hidden ones together.
    services.open_survey(survey, world["host"], on=OPEN_DAY)
    db.session.commit()
    for _ in range(5):
        _answer(db, survey, "municipal", "helt_enig", "ukrainian")
    services.close_survey(survey, world["host"], on=OPEN_DAY)
    db.session.commit()
    assert services.results(survey, settles="both")["filtered_responses"] == 6
    assert services.results(survey, settles="ukrainian")["suppressed"] is True
    assert services.results(survey, settles="none")["suppressed"] is True
    # Unfiltered, everything shows; the response rate is there even when suppressed.
    assert services.results(survey)["filtered_responses"] == 15
    assert partners["responses"] == 10


def test_hidden_cells_take_the_next_smallest_until_five_are_hidden():
    assert services.hidden_cells({"a": 10, "b": 7, "c": 0}) == {"c"}
    assert services.hidden_cells({"a": 10, "b": 7, "c": 3}) == {"b", "c"}
    assert services.hidden_cells({"a": 10, "b": 2, "c": 2, None: 0}) == {"a", "b", "c", None}
    assert services.hidden_cells({"a": 10, "b": 6, "c": 2, None: 2}) == {"b", "c", None}
    assert services.hidden_cells({"a": 10, "b": 5, None: 1}) == {"b", None}


def test_national_comparison_equals_the_per_county_results(db, world, make_user,
                                                           make_gathering):
    vestland = open_survey(db, world["gathering"], world["host"])
    rogaland_g, rogaland_host = make_world(db, make_user, make_gathering, "11")
    rogaland = open_survey(db, rogaland_g, rogaland_host)
    agder_g, agder_host = make_world(db, make_user, make_gathering, "42")
    agder = open_survey(db, agder_g, agder_host)
    innlandet_g, innlandet_host = make_world(db, make_user, make_gathering, "34")
    innlandet = open_survey(db, innlandet_g, innlandet_host)
    rng = random.Random(3)
    for survey, n in ((vestland, 11), (rogaland, 7), (agder, 3), (innlandet, 6)):
        for _ in range(n):
            _answer(db, survey, rng.choice(GROUPS), rng.choice(AGREEMENT),
                    rng.choice(["ordinary", "ukrainian", "both", "none"]))

    # Each survey shows its responses five or more at a time (10, 5, 0 and 5 of them), and so
    # does every county and the nation: Agder's three wait, and no county row is under five.
    report = services.national_report(2027)
    assert report["responses"] == 20 and report["surveys"] == 4
    coop = next(q for q in report["questions"] if q["code"] == "cooperation")
    rows = {r["county_number"]: r for r in coop["counties"]}
    assert set(rows) == {"46", "11", "34"}
    shares = []
    for number, survey in (("46", vestland), ("11", rogaland), ("34", innlandet)):
        own = next(q for q in services.results(survey)["questions"] if q["code"] == "cooperation")
        assert rows[number]["agree_share"] == own["agree_share"]
        assert rows[number]["considered"] == own["considered"]
        assert rows[number]["answered"] == own["answered"]
        assert rows[number]["suppressed"] is False
        shares.append(own["agree_share"])
    assert coop["range"] == {"min": min(shares), "max": max(shares)}
    # The national figure by hand from the raw answers shown.
    raw = db.session.scalars(
        select(SurveyAnswer.choice)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id.in_(
            [question(s, "cooperation").id for s in (vestland, rogaland, agder, innlandet)]),
            SurveyResponse.state != "pending")).all()
    assert len(raw) == 20
    agree = sum(1 for c in raw if c in ("helt_enig", "delvis_enig"))
    assert coop["agree_share"] == agree / len(raw)
    settles = next(q for q in report["questions"] if q["code"] == "settles")
    for number, survey in (("46", vestland), ("11", rogaland)):
        own = next(q for q in services.results(survey)["questions"] if q["code"] == "settles")
        row = next(r for r in settles["counties"] if r["county_number"] == number)
        assert row["counts"] == {o["value"]: o["count"] for o in own["options"]}
    # A year without surveys reads HK-dir's questions without storing a template for it.
    empty = services.national_report(2030)
    assert empty["responses"] == 0 and len(empty["questions"]) == 8
    assert all(q["suppressed"] and q["answered"] is None for q in empty["questions"])
    assert not db.session.new
    db.session.commit()
    assert db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.year == 2030)).all() == []
