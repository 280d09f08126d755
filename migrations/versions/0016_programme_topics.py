"""Programme topics (national list, items' topics).

(Stub reserved for the work in progress; filled in with the schema it adds.)

Revision ID: 0016_programme_topics
Revises: 0015_outreach_history
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0016_programme_topics'
down_revision = '0015_outreach_history'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
