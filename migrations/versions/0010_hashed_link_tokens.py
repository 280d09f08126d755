"""Participant link tokens stored hashed.

PLACEHOLDER: filled in by the change that needs it, or removed (and the next revision's
down_revision fixed) if that change needs no schema change.

Revision ID: 0010_hashed_link_tokens
Revises: 0009_login_sessions
Create Date: 2026-12-07 05:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_hashed_link_tokens'
down_revision = '0009_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
