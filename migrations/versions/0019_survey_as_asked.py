"""Survey templates as asked and follow-up for municipalities.

(Stub reserved for the work in progress; filled in with the schema it adds.)

Revision ID: 0019_survey_as_asked
Revises: 0018_partners
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0019_survey_as_asked'
down_revision = '0018_partners'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
