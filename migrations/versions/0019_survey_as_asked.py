"""The survey as it was asked, and the follow-up log's status at the evaluation meeting.

Schema: follow_up_items gains the action's status as the directorate's evaluation meeting
recorded it:

- evaluation_status (one of the log's statuses), evaluated_on (the meeting's day) and
  evaluation_note (internal: not shown to the municipalities who read the log), all nullable;
  evaluated_by_id, SET NULL with its user.
- Checks: the status is known; status and day are set together; a note only with a status.

Data: the national template rows of 2023, 2024 and 2025 (rows with ``year`` set, never the
copies a survey holds, never an answer) that are still, exactly, the app's earlier paraphrase
(same code, kind, Norwegian, English and options as the default the app stored before this
revision) are rewritten to HK-dir's questions as asked those years, word for word, without the
options those years did not offer ("Vet ikke" on the agreement scale; "Ingen / jobber ikke i
en kommune" on the settles question). Why: the app stores a year's default the first time
anyone merely looks at the year's template page, so such rows usually record a look, not a
decision; left alone, every survey set up later for those years would ask the paraphrase.
What is not rewritten:

- a row the directorate edited (its text or options differ from the old default): that is
  the directorate's own wording;
- every row of a year in which any gathering already has a survey: those surveys copied the
  template, so the stored template is what the app did ask that year and stays the record of
  it (the survey copies and their answers are never touched in any year);
- any other year, and the questions the directorate added (their codes are not HK-dir's).

Reviewed by hand: four nullable columns on follow_up_items, a foreign key to users (SET NULL)
and three checks, named by the naming convention; existing items keep NULL (no status
recorded). The rewrite is an UPDATE of text, text_en and options by primary key, decided in
Python against the old default parsed from JSON (so key order and escaping in the stored JSON
do not matter), and reads the same on SQLite and PostgreSQL. Downgrade drops what upgrade
added (the recorded evaluation statuses are lost) and leaves the template wording as it is:
the earlier code reads it as a template the directorate edited.

Revision ID: 0019_survey_as_asked
Revises: 0018_partners
Create Date: 2026-12-07 11:00:00

"""
import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0019_survey_as_asked'
down_revision = '0018_partners'
branch_labels = None
depends_on = None

YEARS = (2023, 2024, 2025)

_FIVE = [
    {"value": "helt_enig", "label": "Helt enig", "label_en": "Strongly agree"},
    {"value": "delvis_enig", "label": "Delvis enig", "label_en": "Partly agree"},
    {"value": "noytral", "label": "Nøytral", "label_en": "Neutral"},
    {"value": "delvis_uenig", "label": "Delvis uenig", "label_en": "Partly disagree"},
    {"value": "helt_uenig", "label": "Helt uenig", "label_en": "Strongly disagree"},
]
_SETTLES = [
    {"value": "ordinary", "label": "Ordinære flyktninger", "label_en": "Ordinary refugees"},
    {"value": "ukrainian", "label": "Flyktninger fra Ukraina", "label_en": "Refugees from Ukraine"},
    {"value": "both", "label": "Begge deler", "label_en": "Both"},
]

# code: (kind, (old text, old English, old options), (as asked, English, options)). Copied
# here, not imported: a migration must read the same whatever the app's code says later.
# "mix" and "tables" were already worded as asked.
REWRITE = {
    "useful_items": ("programme_items", (
        "Hvilke innlegg eller programposter var mest nyttige for deg? Kryss av for så mange du "
        "vil.",
        "Which talks or programme items were most useful to you? Tick as many as you like.",
        None,
    ), (
        "Hvilke innlegg/programposter opplevde du som mest nyttige?",
        "Which talks/programme items did you find most useful?",
        None,
    )),
    "useful_why": ("long_text", (
        "Hvorfor var disse mest nyttige?", "Why were these the most useful?", None,
    ), (
        "Hva var det som gjorde at du opplevde dette som mest nyttig?",
        "What was it that made you find this most useful?", None,
    )),
    "cooperation": ("agreement", (
        "Denne samlingen har bidratt til å styrke samarbeidet mellom fylkeskommunen og kommunene "
        "om karriereveiledning",
        "This gathering has helped strengthen cooperation between the county and the "
        "municipalities on career guidance",
        _FIVE + [{"value": "vet_ikke", "label": "Vet ikke", "label_en": "Don't know"}],
    ), (
        "Ta stilling til påstanden: Denne samlingen har bidratt til å styrke samarbeidet mellom "
        "fylkeskommunen og kommunene når det gjelder karriereveiledning?",
        "Take a position on the statement: This gathering has helped to strengthen the "
        "cooperation between the county authority and the municipalities when it comes to "
        "career guidance?",
        _FIVE,
    )),
    "more_useful": ("long_text", (
        "Hvordan kunne samlingen vært enda mer nyttig?",
        "How could the gathering have been even more useful?", None,
    ), (
        "Hvordan kunne vi gjort denne samlingen enda mer nyttig for deg?",
        "How could we have made this gathering even more useful for you?", None,
    )),
    "comments": ("long_text", (
        "Andre kommentarer", "Other comments", None,
    ), (
        "Andre kommentarer og tilbakemeldinger", "Other comments and feedback", None,
    )),
    "settles": ("single", (
        "Bosetter kommunen din ordinære flyktninger, flyktninger fra Ukraina eller begge deler?",
        "Does your municipality settle ordinary refugees, refugees from Ukraine or both?",
        _SETTLES + [{"value": "none", "label": "Ingen / jobber ikke i en kommune",
                     "label_en": "None / I do not work in a municipality"}],
    ), (
        "Bosetter kommunen/bydelen din for tiden ordinære flyktninger, flyktninger fra Ukraina "
        "eller begge deler?",
        "Does your municipality/city district currently settle ordinary refugees, refugees "
        "from Ukraine or both?",
        _SETTLES,
    )),
}


def _options(text):
    return json.loads(text) if text else None


def _rewrite_templates(bind) -> None:
    for year in YEARS:
        surveys = bind.execute(sa.text(
            "SELECT count(*) FROM surveys JOIN gatherings ON gatherings.id = surveys.gathering_id "
            "WHERE gatherings.start_date >= :first AND gatherings.start_date <= :last"),
            {"first": date(year, 1, 1), "last": date(year, 12, 31)}).scalar()
        if surveys:
            continue
        rows = bind.execute(sa.text(
            "SELECT id, code, kind, text, text_en, options FROM survey_questions "
            "WHERE year = :year AND survey_id IS NULL"), {"year": year}).all()
        for row in rows:
            known = REWRITE.get(row.code)
            if known is None:
                continue
            kind, (text, text_en, options), (new_text, new_en, new_options) = known
            if (row.kind, row.text, row.text_en, _options(row.options)) != (
                    kind, text, text_en, options):
                continue
            bind.execute(sa.text(
                "UPDATE survey_questions SET text = :text, text_en = :text_en, "
                "options = :options WHERE id = :id"),
                {"id": row.id, "text": new_text, "text_en": new_en,
                 "options": json.dumps(new_options, ensure_ascii=False) if new_options
                 else None})


def upgrade():
    with op.batch_alter_table('follow_up_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('evaluated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('evaluated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_follow_up_items_evaluated_by_id_users'),
                                    'users', ['evaluated_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            'evaluation_status_known',
            "evaluation_status IS NULL OR evaluation_status IN ('open', 'in_progress', 'done')")
        batch_op.create_check_constraint(
            'evaluation_dated', "(evaluation_status IS NULL) = (evaluated_on IS NULL)")
        batch_op.create_check_constraint(
            'evaluation_note_with_status',
            "evaluation_note IS NULL OR evaluation_status IS NOT NULL")
    _rewrite_templates(op.get_bind())


def downgrade():
    with op.batch_alter_table('follow_up_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_follow_up_items_evaluation_note_with_status'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_follow_up_items_evaluation_dated'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_follow_up_items_evaluation_status_known'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('fk_follow_up_items_evaluated_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('evaluated_by_id')
        batch_op.drop_column('evaluation_note')
        batch_op.drop_column('evaluated_on')
        batch_op.drop_column('evaluation_status')
