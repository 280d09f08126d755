"""The seating rules hosts asked for: neighbours, regions kept apart, spreads, and wishes.

- seating_settings: spread_partner_kinds (NAV and adult education at as many tables as
  possible), apart_neighbours (marked neighbour municipalities at different tables),
  spread_large (staff of large municipalities spread over the tables), follow_attendance
  (re-planning after check-in seats people on the days they were checked in). All NOT NULL,
  false for existing rows, so a gathering planned before plans as it did; new settings switch
  the partner spread on (the model's default).
- seating_neighbours: two municipalities of a county the host marked as neighbours, per county
  so the next gathering keeps them; stored in id order (check first_id < second_id), once
  (unique). Go with the county or either municipality (CASCADE); indexed by county.
- seating_apart_regions: a region (one career counsellor's municipalities) whose municipalities
  sit apart at one gathering; once per gathering and counsellor (unique); goes with the
  gathering or the counsellor's account (CASCADE).
- registrations.seating_wish: nullable, 'regional' or 'apart_from_neighbours' (a check).

Reviewed by hand: four columns with server defaults, one nullable column with a check, two
tables, every name by the naming convention. Downgrade drops what upgrade added: the switches,
the marked neighbours, the regions kept apart and the participants' wishes are lost.

Revision ID: 0023_seating_rules
Revises: 0022_digital
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023_seating_rules'
down_revision = '0022_digital'
branch_labels = None
depends_on = None

SWITCHES = ('spread_partner_kinds', 'apart_neighbours', 'spread_large', 'follow_attendance')


def upgrade():
    with op.batch_alter_table('seating_settings', schema=None) as batch_op:
        for name in SWITCHES:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.false()))

    op.create_table('seating_neighbours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_seating_neighbours_ordered_pair')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'],
                            name=op.f('fk_seating_neighbours_county_id_counties'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_id'], ['municipalities.id'],
                            name=op.f('fk_seating_neighbours_first_id_municipalities'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['municipalities.id'],
                            name=op.f('fk_seating_neighbours_second_id_municipalities'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_neighbours')),
    sa.UniqueConstraint('first_id', 'second_id',
                        name=op.f('uq_seating_neighbours_first_id_second_id'))
    )
    with op.batch_alter_table('seating_neighbours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_neighbours_county_id'), ['county_id'],
                              unique=False)

    op.create_table('seating_apart_regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['counsellor_id'], ['users.id'],
                            name=op.f('fk_seating_apart_regions_counsellor_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                            name=op.f('fk_seating_apart_regions_gathering_id_gatherings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seating_apart_regions')),
    sa.UniqueConstraint('gathering_id', 'counsellor_id',
                        name=op.f('uq_seating_apart_regions_gathering_id_counsellor_id'))
    )
    with op.batch_alter_table('seating_apart_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seating_apart_regions_gathering_id'),
                              ['gathering_id'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seating_wish', sa.String(length=30), nullable=True))
        batch_op.create_check_constraint(
            'seating_wish_known',
            "seating_wish IS NULL OR seating_wish IN ('regional', 'apart_from_neighbours')")


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_seating_wish_known'),
                                 type_='check')
        batch_op.drop_column('seating_wish')

    with op.batch_alter_table('seating_apart_regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_apart_regions_gathering_id'))
    op.drop_table('seating_apart_regions')

    with op.batch_alter_table('seating_neighbours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seating_neighbours_county_id'))
    op.drop_table('seating_neighbours')

    with op.batch_alter_table('seating_settings', schema=None) as batch_op:
        for name in reversed(SWITCHES):
            batch_op.drop_column(name)
