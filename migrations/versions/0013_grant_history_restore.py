"""The history of the directorate's grant decisions and report reviews; a removed programme item
can be restored.

- grant_history: one row per decision on a gathering's grant application, per approval or
  return of its final report, and per reopening of either (with the reason, required by a
  check constraint): the gathering (rows go with it, ON DELETE CASCADE), subject
  ('application' or 'report'), action ('decided', 'approved', 'returned', 'reopened'), the
  amount granted for a decision, the reason or comment, who (the user, SET NULL when deleted,
  and their name as it was) and when. Indexed by gathering, which is how the pages read it.
  Filled from what the app kept before: each decided application and each approved or returned
  report gets one row with its decision's time, comment and decider (the name as the user is
  called now, or "–" when the user is gone).
- programme_changes.action also allows 'restored' (a removed item put back).

Reviewed by hand: a new table named by the naming convention, two INSERT ... SELECT fills that
work on SQLite and PostgreSQL, and the programme log's check constraint replaced in batch mode
for SQLite. Downgrade drops the table (the history of reopenings is lost; the applications and
reports keep their current state) and turns the log's 'restored' lines into 'updated' lines
before putting the old constraint back.

Revision ID: 0013_grant_history_restore
Revises: 0012_idempotency_keys
Create Date: 2026-12-07 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_grant_history_restore'
down_revision = '0012_idempotency_keys'
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('created', 'updated', 'cancelled')"
NEW_ACTIONS = "action IN ('created', 'updated', 'cancelled', 'restored')"


def upgrade():
    op.create_table(
        'grant_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('gathering_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('amount_nok', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("subject IN ('application', 'report')",
                           name=op.f('ck_grant_history_subject_known')),
        sa.CheckConstraint("action IN ('decided', 'approved', 'returned', 'reopened')",
                           name=op.f('ck_grant_history_action_known')),
        sa.CheckConstraint("action != 'reopened' OR reason IS NOT NULL",
                           name=op.f('ck_grant_history_reopen_has_reason')),
        sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                                name=op.f('fk_grant_history_gathering_id_gatherings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_grant_history_actor_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_history')),
    )
    with op.batch_alter_table('grant_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_history_gathering_id'), ['gathering_id'],
                              unique=False)

    op.execute(
        "INSERT INTO grant_history (gathering_id, subject, action, amount_nok, reason, actor_id, "
        "actor_name, at) "
        "SELECT a.gathering_id, 'application', 'decided', a.granted_nok, a.decision_comment, "
        "a.decided_by_id, COALESCE(u.name, '–'), COALESCE(a.decided_at, a.submitted_at) "
        "FROM grant_applications a LEFT JOIN users u ON u.id = a.decided_by_id "
        "WHERE a.status = 'decided'"
    )
    op.execute(
        "INSERT INTO grant_history (gathering_id, subject, action, amount_nok, reason, actor_id, "
        "actor_name, at) "
        "SELECT r.gathering_id, 'report', "
        "CASE WHEN r.status = 'approved' THEN 'approved' ELSE 'returned' END, NULL, "
        "r.review_comment, r.decided_by_id, COALESCE(u.name, '–'), r.decided_at "
        "FROM final_reports r LEFT JOIN users u ON u.id = r.decided_by_id "
        "WHERE r.status IN ('approved', 'returned') AND r.decided_at IS NOT NULL"
    )

    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programme_changes_action_known'), type_='check')
        batch_op.create_check_constraint('action_known', NEW_ACTIONS)


def downgrade():
    op.execute("UPDATE programme_changes SET action = 'updated' WHERE action = 'restored'")
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programme_changes_action_known'), type_='check')
        batch_op.create_check_constraint('action_known', OLD_ACTIONS)

    with op.batch_alter_table('grant_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_history_gathering_id'))
    op.drop_table('grant_history')
