"""Municipality settlement figures per year and size classes.

- municipality_years: one municipality's figures for one year as IMDi publishes them
  (requested, decided, settled; NULL where not published), whether it settles refugees and
  its size class (small, medium, large), both derived at import. Unique per (municipality,
  year); figures not negative; class known; year plausible. ON DELETE CASCADE with its
  municipality (municipalities are retired, never deleted, so this only matters in tests).
  Indexed by municipality (the foreign key) and by year (every reader asks for one year).
- size_thresholds: the directorate's thresholds per year (medium_from, large_from; large above
  medium, medium at least 1), with who changed them last (SET NULL with the user).
- survey_responses.size_class: the respondent's municipality's class in the gathering's year,
  nullable (QR answers, non-municipal respondents, and every response before this revision).

Reviewed by hand: two new tables and one nullable column with its check, all named by the
naming convention; existing rows are untouched. Downgrade drops what upgrade added: the
imported figures, the thresholds and the responses' size classes are lost.

Revision ID: 0017_municipality_facts
Revises: 0016_programme_topics
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_municipality_facts'
down_revision = '0016_programme_topics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'municipality_years',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('requested', sa.Integer(), nullable=True),
        sa.Column('decided', sa.Integer(), nullable=True),
        sa.Column('settled', sa.Integer(), nullable=True),
        sa.Column('settles', sa.Boolean(), nullable=False),
        sa.Column('size_class', sa.String(length=10), nullable=True),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100',
                           name=op.f('ck_municipality_years_year_plausible')),
        sa.CheckConstraint('requested IS NULL OR requested >= 0',
                           name=op.f('ck_municipality_years_requested_not_negative')),
        sa.CheckConstraint('decided IS NULL OR decided >= 0',
                           name=op.f('ck_municipality_years_decided_not_negative')),
        sa.CheckConstraint('settled IS NULL OR settled >= 0',
                           name=op.f('ck_municipality_years_settled_not_negative')),
        sa.CheckConstraint("size_class IS NULL OR size_class IN ('small', 'medium', 'large')",
                           name=op.f('ck_municipality_years_size_class_known')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'],
                                name=op.f('fk_municipality_years_municipality_id_municipalities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality_years')),
        sa.UniqueConstraint('municipality_id', 'year',
                            name=op.f('uq_municipality_years_municipality_id_year')),
    )
    with op.batch_alter_table('municipality_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_years_municipality_id'),
                              ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_years_year'), ['year'], unique=False)

    op.create_table(
        'size_thresholds',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('medium_from', sa.Integer(), nullable=False),
        sa.Column('large_from', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100',
                           name=op.f('ck_size_thresholds_year_plausible')),
        sa.CheckConstraint('medium_from >= 1', name=op.f('ck_size_thresholds_medium_positive')),
        sa.CheckConstraint('large_from > medium_from',
                           name=op.f('ck_size_thresholds_large_above_medium')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_size_thresholds_changed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_size_thresholds')),
    )

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size_class', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            'size_class_known', "size_class IS NULL OR size_class IN ('small', 'medium', 'large')")


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_responses_size_class_known'), type_='check')
        batch_op.drop_column('size_class')
    op.drop_table('size_thresholds')
    with op.batch_alter_table('municipality_years', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_years_year'))
        batch_op.drop_index(batch_op.f('ix_municipality_years_municipality_id'))
    op.drop_table('municipality_years')
