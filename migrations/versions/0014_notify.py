"""Telling everyone affected: the gathering's calendar SEQUENCE, and the host's messages.

- gatherings.calendar_sequence: raised each time the gathering's own calendar fields (title,
  dates, venue, address, description) change. Added to what the programme's changes count, it
  is the SEQUENCE of the gathering's "add to calendar" event, so the calendar file mailed after
  a change of venue or dates replaces the event (same UID) instead of being ignored. Existing
  gatherings start at 0: their SEQUENCE is what it was (the programme's count).
- host_messages: a message the host wrote to the registered (all, one municipality, the
  waitlist, or day 2): the gathering, the group (and municipality), subject, body, how many it
  went to, when and by whom. The mails themselves are outbox rows. A gathering's messages go
  with it (ON DELETE CASCADE); the sender's account may go (SET NULL).

Reviewed by hand: one added column with a server default (batch mode for SQLite), one new table
with its check constraints, foreign keys and index, named by the naming convention; no data is
filled. Downgrade drops both (the messages' record is lost; the mails stay in the outbox).

Revision ID: 0014_notify
Revises: 0013_grant_history_restore
Create Date: 2026-12-07 08:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_notify'
down_revision = '0013_grant_history_restore'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'host_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('gathering_id', sa.Integer(), nullable=False),
        sa.Column('audience', sa.String(length=20), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("audience IN ('all', 'municipality', 'waitlist', 'day2')",
                           name=op.f('ck_host_messages_audience_known')),
        sa.CheckConstraint("(audience = 'municipality') = (municipality_id IS NOT NULL)",
                           name=op.f('ck_host_messages_municipality_for_municipality')),
        sa.CheckConstraint('recipients > 0', name=op.f('ck_host_messages_recipients_positive')),
        sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                                name=op.f('fk_host_messages_gathering_id_gatherings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'],
                                name=op.f('fk_host_messages_municipality_id_municipalities')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'],
                                name=op.f('fk_host_messages_sent_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_host_messages')),
    )
    with op.batch_alter_table('host_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_messages_gathering_id'), ['gathering_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('host_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_messages_gathering_id'))
    op.drop_table('host_messages')
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
