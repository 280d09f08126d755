"""Partner organisations per county.

(Stub reserved for the work in progress; filled in with the schema it adds.)

Revision ID: 0018_partners
Revises: 0017_municipality_facts
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0018_partners'
down_revision = '0017_municipality_facts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
