"""Background planning jobs (reserved; filled in by the jobs work).

Revision ID: 0024_seating_jobs
Revises: 0023_seating_rules
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0024_seating_jobs'
down_revision = '0023_seating_rules'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
