"""Seating rules hosts asked for (reserved; filled in by the seating-rules work).

Revision ID: 0023_seating_rules
Revises: 0022_digital
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0023_seating_rules'
down_revision = '0022_digital'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
