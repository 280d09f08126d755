"""Server-side login sessions; account links remember the mail that carried them.

Reviewed by hand. Creates login_sessions: one row per login, holding the SHA-256 of the
session's secret (the cookie carries the secret itself), the user's role, county and
municipality at login, created and last-seen times, and when and why it ended; unique on the
hash, indexed on the user, deleted with the user. Two checks: a known end reason, and an end
time exactly when there is a reason. Drops users.session_token (and its unique constraint),
which the cookie carried before and nothing reads any more: every session open before the
upgrade ends, and people log in again. Adds link_tokens.message_id, the outbox message that
carried the link (set null if the message is purged), so the link can be taken out of that
message once it is used or expired; links sent before the upgrade have none.

Downgrade drops both and gives every user a new random session_token (sessions end again).

Revision ID: 0009_login_sessions
Revises: 0008_report_locked
Create Date: 2026-12-07 05:35:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0009_login_sessions'
down_revision = '0008_report_locked'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('opened_as', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "end_reason IN ('logout', 'everywhere', 'password', 'deactivated', 'changed', "
            "'idle', 'expired')", name=op.f('ck_login_sessions_end_reason_known')),
        sa.CheckConstraint('(ended_at IS NULL) = (end_reason IS NULL)',
                           name=op.f('ck_login_sessions_ended_with_reason')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_login_sessions_secret_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_session_token'), type_='unique')
        batch_op.drop_column('session_token')

    with op.batch_alter_table('link_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_link_tokens_message_id_outbox_messages'),
                                    'outbox_messages', ['message_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('link_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_link_tokens_message_id_outbox_messages'),
                                 type_='foreignkey')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.text('SELECT id FROM users')).all():
        conn.execute(sa.text('UPDATE users SET session_token = :token WHERE id = :id'),
                     {'token': secrets.token_urlsafe(24), 'id': user_id})
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_session_token'), ['session_token'])

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
