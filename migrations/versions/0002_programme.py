"""Programme committee, programme items and speakers, change log, municipal input, other events.

Reviewed by hand: the two link tokens on gatherings are added nullable, filled with a fresh
random token for every existing gathering, then made NOT NULL and unique.

Revision ID: 0002_programme
Revises: 0001_initial
Create Date: 2026-11-22 13:07:05.465890

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_programme'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_committee_members_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_committee_members_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_members')),
    sa.UniqueConstraint('gathering_id', 'user_id', name=op.f('uq_committee_members_gathering_id_user_id'))
    )
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_members_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_members_user_id'), ['user_id'], unique=False)

    op.create_table('municipal_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('small_municipality', sa.Boolean(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('committee_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('new', 'adopted', 'declined')", name=op.f('ck_municipal_inputs_status_known')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_municipal_inputs_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_municipal_inputs_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_municipal_inputs_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipal_inputs'))
    )
    with op.batch_alter_table('municipal_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipal_inputs_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('other_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('source_uid', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('manual', 'ics')", name=op.f('ck_other_events_source_known')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_other_events_ends_after_start')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_other_events_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_other_events')),
    sa.UniqueConstraint('gathering_id', 'source_uid', name=op.f('uq_other_events_gathering_id_source_uid'))
    )
    with op.batch_alter_table('other_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_other_events_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('programme_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('room', sa.String(length=100), nullable=True),
    sa.Column('question_minutes', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('talk', 'plenary_discussion', 'group_work', 'panel', 'experience_sharing', 'icebreaker', 'break', 'meal', 'social_dinner', 'other')", name=op.f('ck_programme_items_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_programme_items_ends_after_start')),
    sa.CheckConstraint('question_minutes >= 0', name=op.f('ck_programme_items_question_minutes_not_negative')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_programme_items_sequence_not_negative')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_programme_items_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_items')),
    sa.UniqueConstraint('uid', name=op.f('uq_programme_items_uid'))
    )
    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.create_index('ix_programme_items_gathering_start', ['gathering_id', 'starts_at'], unique=False)

    op.create_table('municipal_input_items',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['municipal_inputs.id'], name=op.f('fk_municipal_input_items_input_id_municipal_inputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['programme_items.id'], name=op.f('fk_municipal_input_items_item_id_programme_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', 'item_id', name=op.f('pk_municipal_input_items'))
    )
    op.create_table('programme_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('created', 'updated', 'cancelled')", name=op.f('ck_programme_changes_action_known')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_programme_changes_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['programme_items.id'], name=op.f('fk_programme_changes_item_id_programme_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_programme_changes_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_changes'))
    )
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_changes_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('programme_speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('organisation_kind', sa.String(length=30), nullable=False),
    sa.CheckConstraint("organisation_kind IN ('directorate', 'county', 'career_centre', 'municipality', 'imdi', 'nav', 'adult_education', 'research', 'refugee_background', 'other')", name=op.f('ck_programme_speakers_organisation_kind_known')),
    sa.ForeignKeyConstraint(['item_id'], ['programme_items.id'], name=op.f('fk_programme_speakers_item_id_programme_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_speakers'))
    )
    with op.batch_alter_table('programme_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_speakers_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('input_token', sa.String(length=43), nullable=True))
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=43), nullable=True))

    conn = op.get_bind()
    gatherings = sa.table('gatherings', sa.column('id'), sa.column('input_token'),
                          sa.column('calendar_token'))
    for (ident,) in conn.execute(sa.select(gatherings.c.id)).all():
        conn.execute(gatherings.update().where(gatherings.c.id == ident).values(
            input_token=secrets.token_urlsafe(24), calendar_token=secrets.token_urlsafe(24)))

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.alter_column('input_token', existing_type=sa.String(length=43), nullable=False)
        batch_op.alter_column('calendar_token', existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_gatherings_calendar_token'), ['calendar_token'])
        batch_op.create_unique_constraint(batch_op.f('uq_gatherings_input_token'), ['input_token'])



def downgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_gatherings_input_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_gatherings_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')
        batch_op.drop_column('input_token')
        batch_op.drop_column('description')

    with op.batch_alter_table('programme_speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_speakers_item_id'))

    op.drop_table('programme_speakers')
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_changes_gathering_id'))

    op.drop_table('programme_changes')
    op.drop_table('municipal_input_items')
    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_items_gathering_start')

    op.drop_table('programme_items')
    with op.batch_alter_table('other_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_other_events_gathering_id'))

    op.drop_table('other_events')
    with op.batch_alter_table('municipal_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipal_inputs_gathering_id'))

    op.drop_table('municipal_inputs')
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_committee_members_gathering_id'))

    op.drop_table('committee_members')
