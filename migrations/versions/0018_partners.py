"""Partner organisations per county, picked by registrations and invited by campaigns.

- partners: a county's partner organisation (county_id, name unique in the county, kind one of
  PARTNER_KINDS, active; never deleted, only deactivated).
- partner_contacts: the people at a partner to invite (name, lowercase email unique per partner,
  phone, active); they go with their partner (ON DELETE CASCADE).
- registrations.partner_id: the partner picked from the county's list (nullable, ON DELETE SET
  NULL; partner_name keeps the name as registered, and free text stays allowed), indexed for
  the count by kind; a check keeps it to partners' registrations.
- invitations.partner_id, partner_contact_id: a campaign's invitation to a partner contact.
  invitations.municipality_id becomes nullable; a check says an invitation names exactly one of
  a municipality and a partner, so every existing row (all municipal) stays valid and the
  board's per-municipality counts never see a partner's invitation.

Reviewed by hand: two new tables and five nullable columns, foreign keys, indexes and checks
named by the naming convention; existing rows keep NULL in the new columns. Downgrade deletes
the partners' invitations (they name no municipality and could not stay), then drops what
upgrade added: the partner list and the picks are lost, partner_name on registrations stays.

Revision ID: 0018_partners
Revises: 0017_municipality_facts
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_partners'
down_revision = '0017_municipality_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('nav', 'adult_education', 'imdi', 'statsforvalteren', "
                       "'interpreter_service', 'voluntary', 'other')",
                       name=op.f('ck_partners_kind_known')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_partners_name_not_blank')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'],
                            name=op.f('fk_partners_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('county_id', 'name', name=op.f('uq_partners_county_id_name'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_county_id'), ['county_id'], unique=False)

    op.create_table('partner_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_partner_contacts_email_lowercase')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                            name=op.f('fk_partner_contacts_partner_id_partners'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_contacts')),
    sa.UniqueConstraint('partner_id', 'email', name=op.f('uq_partner_contacts_partner_id_email'))
    )
    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_contacts_partner_id'), ['partner_id'],
                              unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registrations_partner_id_partners'),
                                    'partners', ['partner_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_registrations_partner_id'), ['partner_id'],
                              unique=False)
        batch_op.create_check_constraint(
            'partner_id_for_partner', "partner_id IS NULL OR organisation_kind = 'partner'")

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_contact_id', sa.Integer(), nullable=True))
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_invitations_partner_id_partners'),
                                    'partners', ['partner_id'], ['id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_invitations_partner_contact_id_partner_contacts'),
            'partner_contacts', ['partner_contact_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_invitations_partner_id'), ['partner_id'],
                              unique=False)
        batch_op.create_check_constraint(
            'municipality_or_partner', '(municipality_id IS NULL) <> (partner_id IS NULL)')
        batch_op.create_check_constraint(
            'partner_contact_has_partner',
            'partner_contact_id IS NULL OR partner_id IS NOT NULL')


def downgrade():
    op.execute("DELETE FROM invitations WHERE municipality_id IS NULL")
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_invitations_partner_contact_has_partner'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_invitations_municipality_or_partner'),
                                 type_='check')
        batch_op.drop_index(batch_op.f('ix_invitations_partner_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_invitations_partner_contact_id_partner_contacts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_invitations_partner_id_partners'),
                                 type_='foreignkey')
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('partner_contact_id')
        batch_op.drop_column('partner_id')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_partner_id_for_partner'),
                                 type_='check')
        batch_op.drop_index(batch_op.f('ix_registrations_partner_id'))
        batch_op.drop_constraint(batch_op.f('fk_registrations_partner_id_partners'),
                                 type_='foreignkey')
        batch_op.drop_column('partner_id')

    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_contacts_partner_id'))
    op.drop_table('partner_contacts')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_county_id'))
    op.drop_table('partners')
