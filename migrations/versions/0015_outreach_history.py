"""Outreach entries that can be edited and deleted, with their history kept.

- outreach.entry_id: on an earlier version of an entry, the entry it was (ON DELETE CASCADE:
  the versions go with the entry, as when its gathering is deleted). Indexed: the log reads
  the versions of the gathering's entries.
- outreach.ended_at, ended_by_id, ended_how ('edited' on an earlier version, 'deleted' on a
  deleted entry): when, by whom and how a row stopped counting. Only rows with no ended_at
  count on the board, in the states and in the log; ended_by_id is SET NULL with its user.
- Checks: ended_how is known; a version is an edited one; ended_at and ended_how are set
  together.

Reviewed by hand: four nullable columns, one foreign key to outreach itself and one to users,
an index and three checks, named by the naming convention; existing rows keep NULL (current).
Downgrade first deletes the earlier versions and the deleted entries (they would otherwise
count again as live outreach), then drops what upgrade added: the history is lost.

Revision ID: 0015_outreach_history
Revises: 0014_notify
Create Date: 2026-12-07 08:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_outreach_history'
down_revision = '0014_notify'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_how', sa.String(length=10), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outreach_entry_id_outreach'), 'outreach',
                                    ['entry_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_outreach_ended_by_id_users'), 'users',
                                    ['ended_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_outreach_entry_id'), ['entry_id'], unique=False)
        batch_op.create_check_constraint(
            'ended_how_known', "ended_how IS NULL OR ended_how IN ('edited', 'deleted')")
        batch_op.create_check_constraint(
            'version_ended', "entry_id IS NULL OR coalesce(ended_how, '') = 'edited'")
        batch_op.create_check_constraint(
            'ended_complete', "(ended_at IS NULL) = (ended_how IS NULL)")


def downgrade():
    op.execute("DELETE FROM outreach WHERE entry_id IS NOT NULL")
    op.execute("DELETE FROM outreach WHERE ended_at IS NOT NULL")
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outreach_ended_complete'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_outreach_version_ended'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_outreach_ended_how_known'), type_='check')
        batch_op.drop_index(batch_op.f('ix_outreach_entry_id'))
        batch_op.drop_constraint(batch_op.f('fk_outreach_ended_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outreach_entry_id_outreach'), type_='foreignkey')
        batch_op.drop_column('ended_how')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('entry_id')
