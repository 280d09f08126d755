"""Survey mail shown to the host as batches.

PLACEHOLDER: filled in by the change that needs it, or removed (and the next revision's
down_revision fixed) if that change needs no schema change.

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
    pass


def downgrade():
    pass
