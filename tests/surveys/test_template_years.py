"""Issue 17, part 2: the national template of a year is what HK-dir asked that year, word for
word. 2023-2025 asked without "Vet ikke" and without "Ingen"; from 2026 the default adds them;
``template_changes`` says what changed between two years, and the directorate's template page
shows it. Migration 0019 rewrites a stored template of 2023-2025 that is still the app's old
paraphrase, and nothing else."""

import importlib.util
import json
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from eventapp.surveys import services
from eventapp.surveys.models import SurveyQuestion
from eventapp.surveys.services.template import TEMPLATE_VERSIONS
from tests.conftest import get_csrf, login
from tests.surveys.conftest import add_items

# HK-dir's questions of 2023, 2024 and 2025, copied here by hand from the evaluation, in the
# app's order: code, kind, Norwegian as asked, option labels.
AS_ASKED = [
    ("useful_items", "programme_items",
     "Hvilke innlegg/programposter opplevde du som mest nyttige?", []),
    ("useful_why", "long_text",
     "Hva var det som gjorde at du opplevde dette som mest nyttig?", []),
    ("mix", "long_text",
     "Hvordan fungerte kombinasjonen av faglige innlegg og diskusjon i mindre grupper?", []),
    ("tables", "long_text", "Hvordan fungerte sammensetningen av bordgruppene?", []),
    ("cooperation", "agreement",
     "Ta stilling til påstanden: Denne samlingen har bidratt til å styrke samarbeidet mellom "
     "fylkeskommunen og kommunene når det gjelder karriereveiledning?",
     ["Helt enig", "Delvis enig", "Nøytral", "Delvis uenig", "Helt uenig"]),
    ("more_useful", "long_text",
     "Hvordan kunne vi gjort denne samlingen enda mer nyttig for deg?", []),
    ("comments", "long_text", "Andre kommentarer og tilbakemeldinger", []),
    ("settles", "single",
     "Bosetter kommunen/bydelen din for tiden ordinære flyktninger, flyktninger fra Ukraina "
     "eller begge deler?",
     ["Ordinære flyktninger", "Flyktninger fra Ukraina", "Begge deler"]),
]


def _asked(questions) -> list[tuple]:
    return [(q.code, q.kind, q.text, [o["label"] for o in q.option_list]) for q in questions]


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_the_template_of_2023_to_2025_is_hk_dirs_word_for_word(db, year):
    template = services.national_template(year)
    db.session.commit()
    assert _asked(template) == [(c, k, t, o) for c, k, t, o in AS_ASKED]
    assert all(q.national and q.year == year and q.text_en for q in template)
    cooperation = next(q for q in template if q.code == "cooperation")
    assert cooperation.values == ["helt_enig", "delvis_enig", "noytral", "delvis_uenig",
                                  "helt_uenig"]
    settles = next(q for q in template if q.code == "settles")
    assert settles.values == ["ordinary", "ukrainian", "both"]


@pytest.mark.parametrize("year", [2026, 2031])
def test_from_2026_the_scale_has_vet_ikke_and_settles_has_ingen(db, year):
    template = services.national_template(year)
    assert [q.code for q in template] == [c for c, *_ in AS_ASKED]
    # Worded as asked; only the options added later differ.
    assert [q.text for q in template] == [t for _c, _k, t, _o in AS_ASKED]
    cooperation = next(q for q in template if q.code == "cooperation")
    assert [o["label"] for o in cooperation.option_list] == [
        "Helt enig", "Delvis enig", "Nøytral", "Delvis uenig", "Helt uenig", "Vet ikke"]
    settles = next(q for q in template if q.code == "settles")
    assert [(o["value"], o["label"]) for o in settles.option_list][-1] == (
        "none", "Ingen / jobber ikke i en kommune")
    assert len(settles.option_list) == 4


def test_versions_are_data_in_year_order(db):
    firsts = [v.first_year for v in TEMPLATE_VERSIONS]
    assert firsts == sorted(firsts) and firsts[0] == 2023 and 2026 in firsts
    # A year before the first asks as the first did.
    assert services.template_changes(2019, 2023) == []


def test_template_changes_2025_to_2026_lists_the_added_options(db):
    changes = services.template_changes(2025, 2026)
    assert [(c["code"], c["change"], [o["value"] for o in c["options"]]) for c in changes] == [
        ("cooperation", "options_added", ["vet_ikke"]),
        ("settles", "options_added", ["none"]),
    ]
    assert changes[0]["options"][0]["label"] == "Vet ikke"
    assert changes[1]["options"][0]["label"] == "Ingen / jobber ikke i en kommune"
    assert services.template_changes(2024, 2025) == []
    back = services.template_changes(2026, 2025)
    assert [(c["code"], c["change"]) for c in back] == [("cooperation", "options_removed"),
                                                        ("settles", "options_removed")]
    # Asking sets no year's template up.
    assert db.session.scalar(select(SurveyQuestion.id).where(
        SurveyQuestion.year.in_((2024, 2025, 2026)))) is None


def test_template_changes_read_the_stored_template(db, world):
    directorate = world["directorate"]
    template = services.national_template(2027)
    db.session.commit()
    by_code = {q.code: q for q in template}
    services.update_national_question(by_code["comments"], directorate,
                                      text="Har du andre kommentarer?", text_en="Other?")
    services.update_national_question(
        by_code["settles"], directorate, text=by_code["settles"].text,
        options=[{**o, "label": "Begge grupper"} if o["value"] == "both" else o
                 for o in by_code["settles"].option_list])
    services.remove_national_question(by_code["mix"], directorate)
    added = services.add_national_question(2027, directorate, kind="short_text",
                                           text="Hvor lang reisevei hadde du?")
    db.session.commit()
    changes = services.template_changes(2026, 2027)
    assert [(c["code"], c["change"]) for c in changes] == [
        ("comments", "reworded"), ("settles", "options_reworded"), (added.code, "added"),
        ("mix", "removed")]
    reworded = changes[0]
    assert (reworded["before"], reworded["text"]) == (
        "Andre kommentarer og tilbakemeldinger", "Har du andre kommentarer?")
    assert [(o["value"], o["before"], o["label"]) for o in changes[1]["options"]] == [
        ("both", "Begge deler", "Begge grupper")]


def test_the_template_page_says_what_changed_since_the_year_before(db, client, world):
    assert login(client, world["directorate"].email).status_code == 302
    page = unescape(client.get("/surveys/template?year=2026").get_data(as_text=True))
    section = page.split('data-section="changes"')[1].split("</section>")[0]
    assert "2025" in section
    assert 'data-change="options_added" data-change-code="cooperation"' in section
    assert 'data-change="options_added" data-change-code="settles"' in section
    assert 'data-option="vet_ikke"' in section and 'data-option="none"' in section
    # The scale is shown with each agreement question.
    assert "Vet ikke" in page.split('data-code="cooperation"')[1].split("</ul>")[0]
    same = unescape(client.get("/surveys/template?year=2025").get_data(as_text=True))
    assert 'data-note="unchanged"' in same
    assert "Vet ikke" not in same.split('data-section="changes"')[1]
    # A question the directorate adds to 2024 is on 2024's scale.
    response = client.post("/surveys/template?year=2024", data={
        "csrf_token": get_csrf(client, "/surveys/template?year=2024"), "kind": "agreement",
        "text": "Jeg lærte noe nytt", "text_en": "I learnt something new"})
    assert response.status_code == 302
    added = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.year == 2024, SurveyQuestion.code == "jeg_laerte_noe_nytt")).one()
    assert "vet_ikke" not in added.values and len(added.values) == 5


def test_a_survey_of_2024_asks_as_2024_did(db, client, world, make_gathering, monkeypatch):
    gathering = make_gathering(county="46", title="Samling 2024", start=date(2024, 3, 12),
                               end=date(2024, 3, 13))
    gathering.status = "held"
    db.session.commit()
    add_items(db, gathering)
    host = world["host"]
    survey = services.survey_for(gathering, host)
    services.open_survey(survey, host, on=date(2024, 3, 13), closes_on=date(2024, 3, 31))
    db.session.commit()
    assert _asked(q for q in survey.questions if q.code != "useful_items") == [
        (c, k, t, o) for c, k, t, o in AS_ASKED if c != "useful_items"]
    cooperation = next(q for q in survey.questions if q.code == "cooperation")
    settles = next(q for q in survey.questions if q.code == "settles")
    monkeypatch.setattr(services.dates, "today", lambda: date(2024, 3, 14))
    page = client.get(f"/s/{survey.qr_token}").get_data(as_text=True)
    assert page.count(f'name="q{cooperation.id}"') == 5 and 'value="vet_ikke"' not in page
    assert page.count(f'name="q{settles.id}"') == 3 and 'value="none"' not in page


# --- migration 0019 ---------------------------------------------------------------------------

BEFORE = "0018_partners"
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0019_survey_as_asked.py"


def _migration():
    spec = importlib.util.spec_from_file_location("m0019", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_rewrites_to_what_the_app_now_asks():
    """The migration keeps its own copy of the wording; it must be the first version's."""
    rewrite = _migration().REWRITE
    first = {q.code: q for q in TEMPLATE_VERSIONS[0].questions}
    for code, (kind, _old, (new_text, new_en, new_options)) in rewrite.items():
        spec = first[code]
        assert (kind, new_text, new_en, new_options or []) == (
            spec.kind, spec.text, spec.text_en, list(spec.options)), code
    assert set(first) - set(rewrite) == {"mix", "tables"}


@pytest.fixture
def scratch_url(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migration0019.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_m0019"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _filled(table, **values) -> dict:
    """``values`` and a plain value for every other required column (the schema at 0018)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key \
                or column.server_default is not None:
            continue
        python = column.type.python_type
        values[column.name] = {str: f"x{column.name}", int: 0, bool: False,
                               date: date(2025, 1, 1), datetime: now}.get(python)
    return values


def _old_rows(conn, old) -> dict:
    tables = MetaData()
    tables.reflect(conn)
    q = tables.tables["survey_questions"]
    ids = {}
    for year in (2023, 2024, 2025):
        for position, (code, (kind, (text_, text_en, options), _new)) in enumerate(old.items()):
            ids[(year, code)] = conn.execute(insert(q).values(
                year=year, survey_id=None, position=position, code=code, national=True,
                kind=kind, text=text_, text_en=text_en, required=False,
                options=json.dumps(options, ensure_ascii=False) if options else None)
                .returning(q.c.id)).scalar()
    # 2024: the directorate reworded "comments" itself; its options-free row stays.
    conn.execute(q.update().where(q.c.id == ids[(2024, "comments")])
                 .values(text="Noe annet du vil si?"))
    # 2025: a gathering's survey copied the paraphrase.
    county = conn.execute(text("SELECT id FROM counties WHERE number = '46'")).scalar()
    g = tables.tables["gatherings"]
    gathering = conn.execute(insert(g).values(**_filled(
        g, county_id=county, title="Samling 2025", start_date=date(2025, 3, 10),
        end_date=date(2025, 3, 11), venue="Rådhuset", status="held")).returning(g.c.id)).scalar()
    s = tables.tables["surveys"]
    survey = conn.execute(insert(s).values(**_filled(
        s, gathering_id=gathering, status="closed", qr_token="q" * 40)).returning(s.c.id)).scalar()
    kind, (text_, text_en, options), _new = old["cooperation"]
    ids["copy"] = conn.execute(insert(q).values(
        year=None, survey_id=survey, position=4, code="cooperation", national=True, kind=kind,
        text=text_, text_en=text_en, required=False,
        options=json.dumps(options, ensure_ascii=False)).returning(q.c.id)).scalar()
    return ids


def test_migration_0019_rewrites_only_an_untouched_paraphrase(scratch_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    from eventapp import create_app
    from eventapp.extensions import db as _db
    from eventapp.places.services import load_shipped
    from tests.conftest import _config

    old = _migration().REWRITE
    app = create_app(_config(scratch_url, tmp_path))
    directory = app.extensions["migrate"].directory
    with app.app_context():
        try:
            upgrade(directory=directory, revision=BEFORE)
            load_shipped()
            _db.session.commit()
            with _db.engine.begin() as conn:
                ids = _old_rows(conn, old)
            upgrade(directory=directory, revision="0019_survey_as_asked")

            def row(key):
                return _db.session.execute(text(
                    "SELECT text, text_en, options FROM survey_questions WHERE id = :id"),
                    {"id": ids[key]}).one()

            for code, (_kind, (text_, _en, options), (new_text, new_en, new_opts)) in old.items():
                # 2023: untouched, rewritten to the words asked, without the later options.
                got = row((2023, code))
                assert (got.text, got.text_en) == (new_text, new_en), code
                assert (json.loads(got.options) if got.options else None) == new_opts, code
                # 2025: its surveys copied the paraphrase, so the template stays the record.
                kept = row((2025, code))
                assert kept.text == text_ and (json.loads(kept.options) if kept.options
                                               else None) == options, code
            cooperation = json.loads(row((2023, "cooperation")).options)
            assert [o["value"] for o in cooperation] == [
                "helt_enig", "delvis_enig", "noytral", "delvis_uenig", "helt_uenig"]
            # 2024: rewritten, except the question the directorate had reworded.
            assert row((2024, "comments")).text == "Noe annet du vil si?"
            assert row((2024, "settles")).text == old["settles"][2][0]
            # The survey's copy is never touched.
            assert row("copy").text == old["cooperation"][1][0]
            assert len(json.loads(row("copy").options)) == 6
            columns = {c["name"] for c in _inspect_columns(_db, "follow_up_items")}
            assert {"evaluation_status", "evaluated_on", "evaluation_note",
                    "evaluated_by_id"} <= columns
            _db.session.remove()

            downgrade(directory=directory, revision=BEFORE)
            columns = {c["name"] for c in _inspect_columns(_db, "follow_up_items")}
            assert "evaluation_status" not in columns and "evaluated_on" not in columns
            # The wording stays as asked.
            assert row((2023, "comments")).text == "Andre kommentarer og tilbakemeldinger"
            _db.session.remove()
            upgrade(directory=directory, revision="0019_survey_as_asked")
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _inspect_columns(_db, table):
    from sqlalchemy import inspect

    with _db.engine.connect() as conn:
        return inspect(conn).get_columns(table)


def test_an_answer_outside_the_years_scale_is_refused(db, world, make_gathering):
    """"Vet ikke" is refused on a 2024 question, as a crafted POST would send it: the scale of
    2024 had five points, and the check reads the question's own, not every year's."""
    from eventapp.core.errors import ValidationFailed
    from eventapp.surveys.models import SurveyResponse

    gathering = make_gathering(county="46", title="Samling 2024", start=date(2024, 3, 12),
                               end=date(2024, 3, 13))
    gathering.status = "held"
    db.session.commit()
    host = world["host"]
    survey = services.survey_for(gathering, host)
    services.open_survey(survey, host, on=date(2024, 3, 13), closes_on=date(2024, 3, 31))
    db.session.commit()
    cooperation = next(q for q in survey.questions if q.code == "cooperation")
    with pytest.raises(ValidationFailed):
        services.submit(survey.qr_token, {cooperation.id: "vet_ikke"}, "municipal",
                        on=date(2024, 3, 14))
    db.session.rollback()
    assert db.session.scalar(select(SurveyResponse.id)) is None
    services.submit(survey.qr_token, {cooperation.id: "helt_enig"}, "municipal",
                    on=date(2024, 3, 14))
