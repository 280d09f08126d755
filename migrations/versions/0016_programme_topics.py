"""Programme topics: the national list the directorate keeps, and the topics of each item.

- programme_topics: id, code (unique, the stable name the API and exports use), name (Bokmål),
  name_en, position (the list's order), active (deactivated topics stay on the items and in the
  reports but are no longer offered). Checks: code and name not empty, position not negative.
  The list itself is data the app loads (eventapp.gatherings.services.topics.seed_topics, run by
  `flask topics load`, the demo and the directorate's page), not rows written here.
- programme_item_topics(item_id, topic_id): an item's topics. An item's rows go with it (ON
  DELETE CASCADE); a topic with items cannot be deleted (topics are deactivated instead).
  Indexed by topic_id for the roll-up by topic.
- programme_speakers.organisation_kind: 'statsforvalteren' added to the known kinds (the check
  is recreated with the new list).

Reviewed by hand: two new tables with their keys, checks and index, and one check recreated
in batch mode (SQLite), named by the naming convention; existing rows are unchanged.
Downgrade drops both tables (items lose their topics) and first turns speakers of the kind
'statsforvalteren' into 'other', so the old check holds again.

Revision ID: 0016_programme_topics
Revises: 0015_outreach_history
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016_programme_topics'
down_revision = '0015_outreach_history'
branch_labels = None
depends_on = None

_KINDS_BEFORE = ("'directorate', 'county', 'career_centre', 'municipality', 'imdi', 'nav', "
                 "'adult_education', 'research', 'refugee_background', 'other'")
_KINDS_AFTER = ("'directorate', 'county', 'career_centre', 'municipality', 'imdi', 'nav', "
                "'adult_education', 'research', 'refugee_background', 'statsforvalteren', "
                "'other'")


def upgrade():
    op.create_table(
        'programme_topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f('ck_programme_topics_code_not_empty')),
        sa.CheckConstraint("name <> ''", name=op.f('ck_programme_topics_name_not_empty')),
        sa.CheckConstraint('position >= 0',
                           name=op.f('ck_programme_topics_position_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_topics')),
        sa.UniqueConstraint('code', name=op.f('uq_programme_topics_code')),
    )
    op.create_table(
        'programme_item_topics',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['programme_items.id'],
                                name=op.f('fk_programme_item_topics_item_id_programme_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['topic_id'], ['programme_topics.id'],
                                name=op.f('fk_programme_item_topics_topic_id_programme_topics')),
        sa.PrimaryKeyConstraint('item_id', 'topic_id', name=op.f('pk_programme_item_topics')),
    )
    with op.batch_alter_table('programme_item_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_item_topics_topic_id'), ['topic_id'],
                              unique=False)
    with op.batch_alter_table('programme_speakers', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_programme_speakers_organisation_kind_known'), type_='check')
        batch_op.create_check_constraint(
            'organisation_kind_known', f"organisation_kind IN ({_KINDS_AFTER})")


def downgrade():
    op.execute("UPDATE programme_speakers SET organisation_kind = 'other' "
               "WHERE organisation_kind = 'statsforvalteren'")
    with op.batch_alter_table('programme_speakers', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_programme_speakers_organisation_kind_known'), type_='check')
        batch_op.create_check_constraint(
            'organisation_kind_known', f"organisation_kind IN ({_KINDS_BEFORE})")
    with op.batch_alter_table('programme_item_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_item_topics_topic_id'))
    op.drop_table('programme_item_topics')
    op.drop_table('programme_topics')
