"""Survey mail shown to the host as batches; survey figures released five responses at a time.

- outbox_messages.batch: the batch a survey mail belongs to (one press of "send invitations" or
  "send a reminder"). The mail page shows survey mail per batch, never per recipient. Survey
  mails already queued get one batch per gathering and kind ("legacy-..."), so they too show
  as batches.
- survey_responses.state: pending (not yet in any figure), shown, or replaced (shown, and an
  edit waits as a pending row to take its place). Figures count shown and replaced rows only,
  and pending rows are shown together once five or more new ones wait. Responses already
  stored are all shown, as they were before; the column's server default is dropped after
  that fill, so new rows take the model's "pending".
- surveys.shown_personal: how many of the shown responses came by personal link, kept at each
  release (the responses do not say which came how). Filled from the answered invitations,
  which is what the pages showed before.

Reviewed by hand: three added columns and a check constraint, in batch mode for SQLite; the
fills are plain UPDATEs that work on SQLite and PostgreSQL. Downgrade first deletes replaced
rows (their pending replacement holds the newer answers, and both would count once the state
is gone), then drops what upgrade adds.

Revision ID: 0011_survey_mail_batches
Revises: 0010_hashed_link_tokens
Create Date: 2026-12-07 05:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_survey_mail_batches'
down_revision = '0010_hashed_link_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_batch'), ['batch'], unique=False)
    op.execute(
        "UPDATE outbox_messages SET batch = 'legacy-' || kind || '-' || "
        "COALESCE(CAST(gathering_id AS VARCHAR(20)), 'none') WHERE kind LIKE 'survey.%'"
    )

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), nullable=False,
                                      server_default='shown'))
        batch_op.create_check_constraint(
            'state_known', "state IN ('pending', 'shown', 'replaced')")
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=sa.String(length=10), server_default=None)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_personal', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute(
        "UPDATE surveys SET shown_personal = (SELECT COUNT(*) FROM survey_invitations "
        "WHERE survey_invitations.survey_id = surveys.id AND survey_invitations.answered)"
    )


def downgrade():
    replaced = "SELECT id FROM survey_responses WHERE state = 'replaced'"
    op.execute("DELETE FROM survey_answer_themes WHERE answer_id IN (SELECT id FROM "
               f"survey_answers WHERE response_id IN ({replaced}))")
    op.execute(f"DELETE FROM survey_answers WHERE response_id IN ({replaced})")
    op.execute("DELETE FROM survey_responses WHERE state = 'replaced'")
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('shown_personal')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_responses_state_known'), type_='check')
        batch_op.drop_column('state')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_batch'))
        batch_op.drop_column('batch')
