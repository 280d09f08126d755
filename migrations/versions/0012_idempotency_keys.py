"""Idempotency keys for the API's writes.

- idempotency_keys: one row per Idempotency-Key a user has sent with a write (POST, PUT, PATCH,
  DELETE): the user, the key (at most 200 characters, unique per user), the request it was
  sent with ("METHOD /path"), a SHA-256 of the body, and once the operation has answered, the
  answer's status and body. A row without a status is a write still running. created_at is
  indexed: rows older than 24 hours are deleted when their user next sends a key. A user's rows
  go with the user (ON DELETE CASCADE).

Reviewed by hand: one new table with its unique constraint, foreign key and index, named by the
naming convention; nothing existing changes and no data is filled. Downgrade drops the table
(the stored answers are lost: a retry after downgrade runs again).

Revision ID: 0012_idempotency_keys
Revises: 0011_survey_mail_batches
Create Date: 2026-12-07 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_idempotency_keys'
down_revision = '0011_survey_mail_batches'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('request', sa.Text(), nullable=False),
        sa.Column('body_hash', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_idempotency_keys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key')),
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))
    op.drop_table('idempotency_keys')
