"""The gathering says whether its final report locks the survey and the follow-up.

Reviewed by hand: one boolean on gatherings, NOT NULL with a server default of false, so
existing rows need no rewrite of their own; then set true for every gathering whose final report
is submitted or approved, which is what the survey read from the grants package before. The
grants feature keeps it from now on (submit and approve set it, sending a report back clears it).
Downgrade drops the column.

Revision ID: 0008_report_locked
Revises: 0007_themes_followup
Create Date: 2026-12-07 05:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_report_locked'
down_revision = '0007_themes_followup'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_locked', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(
        "UPDATE gatherings SET report_locked = true WHERE id IN "
        "(SELECT gathering_id FROM final_reports WHERE status IN ('submitted', 'approved'))"
    )


def downgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_column('report_locked')
