"""Digital and hybrid gatherings and programme items, and how digital participants count.

- gatherings.mode ('in_person', 'digital', 'hybrid'; existing rows and the default
  'in_person'), gatherings.meeting_url (nullable, at most 500), and gatherings.venue becomes
  nullable. Checks: the mode is known; a venue unless digital; a meeting link unless in
  person; a link is https:// and holds no blank.
- programme_items.meeting_url (nullable, at most 500): an item held online on its own link;
  the same https check.
- registrations.attends_digitally (false for existing rows): at a hybrid gathering, takes part
  through the link.
- grant_rules.digital_counts ('full' for existing years, or 'not_counted'): whether those who
  took part digitally count as participants in the grant's rule; a known value.

Reviewed by hand: five new columns with server defaults where NOT NULL, so existing rows keep
working unchanged (in person, a venue, no link, counted as before); one column made nullable;
six checks named by the naming convention. Downgrade refuses nothing: it first gives every
gathering without a venue a venue ("Digital"), so venue can be NOT NULL again, then drops
what upgrade added: modes, links and the digital rule are lost.

Revision ID: 0022_digital
Revises: 0021_planning_dialogue
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_digital'
down_revision = '0021_planning_dialogue'
branch_labels = None
depends_on = None

URL_SHAPE = ("meeting_url IS NULL OR (meeting_url LIKE 'https://%' "
             "AND meeting_url NOT LIKE '% %')")


def upgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=20), nullable=False,
                                      server_default='in_person'))
        batch_op.add_column(sa.Column('meeting_url', sa.String(length=500), nullable=True))
        batch_op.alter_column('venue', existing_type=sa.String(length=200), nullable=True)
        batch_op.create_check_constraint(
            'mode_known', "mode IN ('in_person', 'digital', 'hybrid')")
        batch_op.create_check_constraint(
            'venue_unless_digital', "mode = 'digital' OR venue IS NOT NULL")
        batch_op.create_check_constraint(
            'meeting_url_unless_in_person', "mode = 'in_person' OR meeting_url IS NOT NULL")
        batch_op.create_check_constraint('meeting_url_https', URL_SHAPE)

    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_url', sa.String(length=500), nullable=True))
        batch_op.create_check_constraint('meeting_url_https', URL_SHAPE)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attends_digitally', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('grant_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digital_counts', sa.String(length=20), nullable=False,
                                      server_default='full'))
        batch_op.create_check_constraint(
            'digital_counts_known', "digital_counts IN ('full', 'not_counted')")


def downgrade():
    with op.batch_alter_table('grant_rules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_grant_rules_digital_counts_known'), type_='check')
        batch_op.drop_column('digital_counts')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('attends_digitally')

    with op.batch_alter_table('programme_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programme_items_meeting_url_https'), type_='check')
        batch_op.drop_column('meeting_url')

    op.execute("UPDATE gatherings SET venue = 'Digital' WHERE venue IS NULL")
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_gatherings_meeting_url_https'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_gatherings_meeting_url_unless_in_person'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_gatherings_venue_unless_digital'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_gatherings_mode_known'), type_='check')
        batch_op.alter_column('venue', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('meeting_url')
        batch_op.drop_column('mode')
