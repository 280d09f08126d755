"""Seating: tables and group-work rounds per gathering, the host's pins and keep-apart pairs, the
rules and last solve report, and the plan itself (one seat per person and round).

Reviewed by hand: new tables only; every row hangs off a gathering (or its rounds and
registrations) with ON DELETE CASCADE, and a round's programme item is SET NULL when the item
goes, so removing a programme item never loses the plan.

Revision ID: 0005_seating
Revises: 0004_grants
Create Date: 2026-11-22 16:04:44.270190

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_seating'
down_revision = '0004_grants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seating_settings',
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('min_counsellors_per_table', sa.Integer(), nullable=False),
    sa.Column('max_county_staff_per_table', sa.Integer(), nullable=False),
    sa.Column('max_per_organisation', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('time_limit_s', sa.Integer(), nullable=False),
    sa.Column('plan_report', sa.Text(), nullable=True),
    sa.Column('planned_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('max_county_staff_per_table BETWEEN 0 AND 30', name=op.f('ck_seating_settings_max_county_range')),
    sa.CheckConstraint('max_per_organisation BETWEEN 0 AND 30', name=op.f('ck_seating_settings_max_organisation_range')),
    sa.CheckConstraint('min_counsellors_per_table BETWEEN 0 AND 10', name=op.f('ck_seating_settings_min_counsellors_range')),
    sa.CheckConstraint('time_limit_s BETWEEN 1 AND 60', name=op.f('ck_seating_settings_time_limit_range')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_seating_settings_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gathering_id', name=op.f('pk_seating_settings'))
    )
    op.create_table('seating_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('seats BETWEEN 1 AND 30', name=op.f('ck_seating_tables_seats_range')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_seating_tables_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_tables')),
    sa.UniqueConstraint('gathering_id', 'name', name=op.f('uq_seating_tables_gathering_id_name'))
    )
    with op.batch_alter_table('seating_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_tables_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('seating_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('programme_item_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("mode IN ('mixed', 'regional')", name=op.f('ck_seating_rounds_mode_known')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_seating_rounds_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_item_id'], ['programme_items.id'], name=op.f('fk_seating_rounds_programme_item_id_programme_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_rounds')),
    sa.UniqueConstraint('gathering_id', 'position', name=op.f('uq_seating_rounds_gathering_id_position'))
    )
    with op.batch_alter_table('seating_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_rounds_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('seating_apart',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_seating_apart_ordered_pair')),
    sa.ForeignKeyConstraint(['first_id'], ['registrations.id'], name=op.f('fk_seating_apart_first_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_seating_apart_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['registrations.id'], name=op.f('fk_seating_apart_second_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_apart')),
    sa.UniqueConstraint('first_id', 'second_id', name=op.f('uq_seating_apart_first_id_second_id'))
    )
    with op.batch_alter_table('seating_apart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_apart_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('seating_pins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_seating_pins_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['seating_rounds.id'], name=op.f('fk_seating_pins_round_id_seating_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['seating_tables.id'], name=op.f('fk_seating_pins_table_id_seating_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_pins')),
    sa.UniqueConstraint('round_id', 'registration_id', name=op.f('uq_seating_pins_round_id_registration_id'))
    )
    with op.batch_alter_table('seating_pins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_pins_round_id'), ['round_id'], unique=False)

    op.create_table('seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('moved_by_hand', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_seats_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['seating_rounds.id'], name=op.f('fk_seats_round_id_seating_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['seating_tables.id'], name=op.f('fk_seats_table_id_seating_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seats')),
    sa.UniqueConstraint('round_id', 'registration_id', name=op.f('uq_seats_round_id_registration_id'))
    )
    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seats_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seats_round_id'), ['round_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seats_round_id'))
        batch_op.drop_index(batch_op.f('ix_seats_registration_id'))

    op.drop_table('seats')
    with op.batch_alter_table('seating_pins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_pins_round_id'))

    op.drop_table('seating_pins')
    with op.batch_alter_table('seating_apart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_apart_gathering_id'))

    op.drop_table('seating_apart')
    with op.batch_alter_table('seating_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_rounds_gathering_id'))

    op.drop_table('seating_rounds')
    with op.batch_alter_table('seating_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_tables_gathering_id'))

    op.drop_table('seating_tables')
    op.drop_table('seating_settings')
