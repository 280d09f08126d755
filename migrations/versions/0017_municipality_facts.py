"""Municipality settlement figures per year and size classes.

(Stub reserved for the work in progress; filled in with the schema it adds.)

Revision ID: 0017_municipality_facts
Revises: 0016_programme_topics
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0017_municipality_facts'
down_revision = '0016_programme_topics'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
