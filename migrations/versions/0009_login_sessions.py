"""Server-side login sessions.

PLACEHOLDER: filled in by the change that needs it, or removed (and the next revision's
down_revision fixed) if that change needs no schema change.

Revision ID: 0009_login_sessions
Revises: 0008_report_locked
Create Date: 2026-12-07 05:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_login_sessions'
down_revision = '0008_report_locked'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
