"""Participant link tokens stored hashed.

The four links a participant or municipality holds (a registration's own page, a personal
invitation, a gathering's municipal input form and its calendar subscription) were kept in plain
text. Each becomes three columns: ``<name>_salt`` (random, NOT NULL), ``<name>_hash`` (SHA-256
of the secret, unique; NULL once the link is closed) and ``<name>_legacy_hash`` (unique). The
secret is HMAC-SHA256 under the app's SECRET_KEY of the link's purpose and the salt
(``eventapp.core.links``), so the app can show and mail the link again and nothing in the
database opens one without the key.

Existing rows get a salt and a hash, and their old token's SHA-256 as ``legacy_hash``: links
already mailed or subscribed to keep working (until the link is renewed by a swap or closed by
the purge), while the pages and new mail show the derived link. The plain columns and their
unique constraints go. Delivered registration confirmations and invitations in the outbox lose
their link from the stored copy, as the sender does from now on (pending and failed ones keep
it: they have yet to be delivered). The upgrade needs the app's SECRET_KEY (``flask db upgrade``
runs with it); it cannot run offline (``--sql``).

Downgrade puts plain token columns back holding the derived secrets, so the links shown and
mailed since keep working; links from before this revision stop working (only their hash was
kept), and a closed link gets a fresh random token no one holds. Scrubbed mail stays scrubbed.

Reviewed by hand: SQLite rebuilds the three tables in batch mode; the check constraints, foreign
keys and the partial unique index on registrations survive the rebuild (compared before and
after), and every step was run up, down and up again on SQLite and PostgreSQL.

Revision ID: 0010_hashed_link_tokens
Revises: 0009_login_sessions
Create Date: 2026-12-07 05:35:00

"""
import base64
import hashlib
import hmac
import re
import secrets

from alembic import op
import sqlalchemy as sa
from flask import current_app


revision = '0010_hashed_link_tokens'
down_revision = '0009_login_sessions'
branch_labels = None
depends_on = None

# (table, plain column, column prefix, purpose): the purposes are eventapp.core.links' as of
# this revision, so that the migrated links are the ones the app derives.
LINKS = [
    ('registrations', 'manage_token', 'manage', 'registration.manage'),
    ('invitations', 'token', 'link', 'invitation'),
    ('gatherings', 'input_token', 'input', 'gathering.input'),
    ('gatherings', 'calendar_token', 'calendar', 'gathering.calendar'),
]
# The sender's scrub of a delivered mail (eventapp.mail.services) as of this revision.
LINK_KINDS = ('registration.%', 'campaign\\_%')
SECRET_LINK = re.compile(r"https?://[^\s<>\"']+/[A-Za-z0-9_-]{32,}[^\s<>\"']*")
REMOVED_LINK = "[lenken er fjernet fra kopien / link removed from this copy]"


def _derive(purpose, salt):
    key = current_app.config['SECRET_KEY']
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, f'{purpose}\x00{salt}'.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b'=').decode()


def _sha256(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _tables():
    return list(dict.fromkeys(table for table, *_rest in LINKS))


def upgrade():
    conn = op.get_bind()
    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, _plain, name, _purpose in (link for link in LINKS if link[0] == table):
                batch_op.add_column(sa.Column(f'{name}_salt', sa.String(length=32), nullable=True))
                batch_op.add_column(sa.Column(f'{name}_hash', sa.String(length=64), nullable=True))
                batch_op.add_column(sa.Column(f'{name}_legacy_hash', sa.String(length=64),
                                              nullable=True))

    for table, plain, name, purpose in LINKS:
        rows = sa.table(table, sa.column('id'), sa.column(plain), sa.column(f'{name}_salt'),
                        sa.column(f'{name}_hash'), sa.column(f'{name}_legacy_hash'))
        for ident, token in conn.execute(sa.select(rows.c.id, rows.c[plain])).all():
            salt = secrets.token_urlsafe(18)
            conn.execute(rows.update().where(rows.c.id == ident).values({
                f'{name}_salt': salt, f'{name}_hash': _sha256(_derive(purpose, salt)),
                f'{name}_legacy_hash': _sha256(token)}))

    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, plain, name, _purpose in (link for link in LINKS if link[0] == table):
                batch_op.alter_column(f'{name}_salt', existing_type=sa.String(length=32),
                                      nullable=False)
                batch_op.drop_constraint(batch_op.f(f'uq_{table}_{plain}'), type_='unique')
                batch_op.drop_column(plain)
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_{name}_hash'),
                                                  [f'{name}_hash'])
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_{name}_legacy_hash'),
                                                  [f'{name}_legacy_hash'])

    outbox = sa.table('outbox_messages', sa.column('id'), sa.column('kind'),
                      sa.column('status'), sa.column('body_text'), sa.column('body_html'))
    delivered = conn.execute(sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html).where(
        outbox.c.status == 'sent',
        sa.or_(*(outbox.c.kind.like(kind, escape='\\') for kind in LINK_KINDS)))).all()
    for ident, body_text, body_html in delivered:
        conn.execute(outbox.update().where(outbox.c.id == ident).values(
            body_text=SECRET_LINK.sub(REMOVED_LINK, body_text),
            body_html=SECRET_LINK.sub(REMOVED_LINK, body_html) if body_html else body_html))


def downgrade():
    conn = op.get_bind()
    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, plain, _name, _purpose in (link for link in LINKS if link[0] == table):
                batch_op.add_column(sa.Column(plain, sa.String(length=43), nullable=True))

    for table, plain, name, purpose in LINKS:
        rows = sa.table(table, sa.column('id'), sa.column(plain), sa.column(f'{name}_salt'),
                        sa.column(f'{name}_hash'))
        for ident, salt, digest in conn.execute(
                sa.select(rows.c.id, rows.c[f'{name}_salt'], rows.c[f'{name}_hash'])).all():
            token = _derive(purpose, salt) if digest is not None else secrets.token_urlsafe(24)
            conn.execute(rows.update().where(rows.c.id == ident).values({plain: token}))

    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _table, plain, name, _purpose in (link for link in LINKS if link[0] == table):
                batch_op.drop_constraint(batch_op.f(f'uq_{table}_{name}_legacy_hash'),
                                         type_='unique')
                batch_op.drop_constraint(batch_op.f(f'uq_{table}_{name}_hash'), type_='unique')
                batch_op.drop_column(f'{name}_legacy_hash')
                batch_op.drop_column(f'{name}_hash')
                batch_op.drop_column(f'{name}_salt')
                batch_op.alter_column(plain, existing_type=sa.String(length=43), nullable=False)
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_{plain}'), [plain])
