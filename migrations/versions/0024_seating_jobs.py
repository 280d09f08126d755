"""Background planning jobs: the table ``seating_jobs``.

One row per plan made in the background: its status (a check names the known ones), the stop
flag, the latest progress and the best plan so far, how it ended. A partial unique index holds
at most one queued or running job per gathering.

A downgrade drops the table: the record of past jobs (and the best plan of a job still running)
is lost; the stored plans themselves (``seats``, the settings' report) are untouched.

Revision ID: 0024_seating_jobs
Revises: 0023_seating_rules
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_seating_jobs'
down_revision = '0023_seating_rules'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    op.create_table('seating_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('replan', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('stop_requested', sa.Boolean(), nullable=False),
    sa.Column('time_limit_s', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=True),
    sa.Column('best_plan', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'stopped', 'conflict', 'failed')",
                       name=op.f('ck_seating_jobs_known_status')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                            name=op.f('fk_seating_jobs_gathering_id_gatherings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'],
                            name=op.f('fk_seating_jobs_started_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_jobs'))
    )
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_jobs_gathering_id'), ['gathering_id'],
                              unique=False)
        batch_op.create_index('uq_seating_jobs_one_active', ['gathering_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('seating_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_seating_jobs_one_active')
        batch_op.drop_index(batch_op.f('ix_seating_jobs_gathering_id'))
    op.drop_table('seating_jobs')
