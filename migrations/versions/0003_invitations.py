"""Contacts, campaigns and personal invitations, outreach log, per-municipality follow-up and
caps, registrations.

Reviewed by hand: the partial unique index on registrations (one live registration per address
and gathering) is written for both SQLite and PostgreSQL.

Revision ID: 0003_invitations
Revises: 0002_programme
Create Date: 2026-11-22 13:48:12.830201

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_invitations'
down_revision = '0002_programme'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('leader', 'programme_adviser', 'other')", name=op.f('ck_contacts_role_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_contacts_email_lowercase')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_contacts_county_id_counties')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_contacts_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('municipality_id', 'email', name=op.f('uq_contacts_municipality_id_email'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sender_kind', sa.String(length=30), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('sender_email', sa.String(length=254), nullable=True),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('invitation', 'reminder')", name=op.f('ck_campaigns_kind_known')),
    sa.CheckConstraint("sender_kind IN ('career_centre', 'integration_adviser', 'counsellor')", name=op.f('ck_campaigns_sender_kind_known')),
    sa.CheckConstraint("status IN ('draft', 'sending', 'sent')", name=op.f('ck_campaigns_status_known')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['users.id'], name=op.f('fk_campaigns_counsellor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_campaigns_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('gathering_municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('cap', sa.Integer(), nullable=True),
    sa.Column('barrier_travel_cost', sa.Boolean(), nullable=False),
    sa.Column('barrier_finances', sa.Boolean(), nullable=False),
    sa.Column('barrier_staffing', sa.Boolean(), nullable=False),
    sa.Column('barrier_timing', sa.Boolean(), nullable=False),
    sa.Column('barrier_other', sa.String(length=300), nullable=True),
    sa.Column('offered_travel_support', sa.Boolean(), nullable=False),
    sa.Column('offered_digital', sa.Boolean(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('cap IS NULL OR cap >= 0', name=op.f('ck_gathering_municipalities_cap_not_negative')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_gathering_municipalities_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_gathering_municipalities_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gathering_municipalities_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gathering_municipalities')),
    sa.UniqueConstraint('gathering_id', 'municipality_id', name=op.f('uq_gathering_municipalities_gathering_id_municipality_id'))
    )
    with op.batch_alter_table('gathering_municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_municipalities_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('outreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("channel IN ('visit', 'phone', 'video', 'own_mail', 'other')", name=op.f('ck_outreach_channel_known')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_outreach_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_outreach_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outreach_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach'))
    )
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('open_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_invitations_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_invitations_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_invitations_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_invitations_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_invitations_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('campaign_id', 'email', name=op.f('uq_invitations_campaign_id_email')),
    sa.UniqueConstraint('token', name=op.f('uq_invitations_token'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('organisation_kind', sa.String(length=20), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('day1', sa.Boolean(), nullable=False),
    sa.Column('day2', sa.Boolean(), nullable=False),
    sa.Column('attends_dinner', sa.Boolean(), nullable=False),
    sa.Column('dietary_needs', sa.Text(), nullable=True),
    sa.Column('dietary_consent', sa.Boolean(), nullable=False),
    sa.Column('accessibility_needs', sa.Text(), nullable=True),
    sa.Column('accommodation', sa.Boolean(), nullable=False),
    sa.Column('travel_support_requested', sa.Boolean(), nullable=False),
    sa.Column('list_consent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('manage_token', sa.String(length=43), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(organisation_kind IN ('municipality', 'district')) = (municipality_id IS NOT NULL)", name=op.f('ck_registrations_municipality_for_municipal')),
    sa.CheckConstraint("channel IN ('personal_link', 'public_link', 'host', 'municipal_contact', 'api')", name=op.f('ck_registrations_channel_known')),
    sa.CheckConstraint("organisation_kind <> 'partner' OR partner_name IS NOT NULL", name=op.f('ck_registrations_partner_named')),
    sa.CheckConstraint("organisation_kind IN ('municipality', 'district', 'county', 'partner')", name=op.f('ck_registrations_organisation_kind_known')),
    sa.CheckConstraint("role IN ('leader', 'programme_adviser', 'career_counsellor', 'county_staff', 'partner', 'speaker', 'other')", name=op.f('ck_registrations_role_known')),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_registrations_status_known')),
    sa.CheckConstraint('day1 OR day2', name=op.f('ck_registrations_at_least_one_day')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_registrations_email_lowercase')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_registrations_county_id_counties')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_registrations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_registrations_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_registrations_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_registrations_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('manage_token', name=op.f('uq_registrations_manage_token'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_gathering_municipality', ['gathering_id', 'municipality_id'], unique=False)
        batch_op.create_index('uq_registrations_gathering_email_live', ['gathering_id', 'email'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_gathering_email_live', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index('ix_registrations_gathering_municipality')

    op.drop_table('registrations')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_gathering_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_gathering_id'))

    op.drop_table('outreach')
    with op.batch_alter_table('gathering_municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gathering_municipalities_gathering_id'))

    op.drop_table('gathering_municipalities')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_gathering_id'))

    op.drop_table('campaigns')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_county_id'))

    op.drop_table('contacts')
