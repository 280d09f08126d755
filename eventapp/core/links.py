"""The secrets in participants' links, kept so that the database alone opens nothing.

A participant's link (their registration's own page, a personal invitation, the municipal input
form, the calendar subscription) carries a secret. Its row keeps a random salt and the SHA-256
of the secret, never the secret itself: the secret is HMAC-SHA256 of the link's purpose and the
salt under SECRET_KEY. So the app can show and mail a link again whenever it needs to, a copy of
the database (a dump, a backup) turns into no link without the key, and a new salt makes a new
link and kills the old one. A visitor's link is found by the hash of what they bring: one
indexed lookup, nothing compared character by character.

Rows from before migration 0010 also keep the hash of the link they had then (``legacy``), so
links already mailed or subscribed to keep working until the link is renewed or closed.
Changing SECRET_KEY changes every link made since, as it ends every session.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import or_, select

from eventapp.extensions import db

# What a link's secret can look like: the derived ones are 43 characters, those from before
# 0010 are 32. Anything else is answered without asking the database.
_PLAUSIBLE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def derive(purpose: str, salt: str) -> str:
    """The secret in the link: 43 URL-safe characters."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, f"{purpose}\x00{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PersonalLink:
    """One link of a model, kept in its columns ``<name>_salt`` (never null), ``<name>_hash``
    (null: the link is closed) and ``<name>_legacy_hash`` (the link from before 0010)."""

    def __init__(self, purpose: str, name: str):
        self.purpose = purpose
        self.salt, self.hash, self.legacy = f"{name}_salt", f"{name}_hash", f"{name}_legacy_hash"

    def new_values(self) -> dict[str, str | None]:
        """The columns of a new link, for an INSERT written without the ORM."""
        salt = secrets.token_urlsafe(18)
        return {self.salt: salt, self.hash: token_hash(derive(self.purpose, salt)),
                self.legacy: None}

    def issue(self, row) -> None:
        """Give a new row its link (from the model's constructor)."""
        if getattr(row, self.salt, None) is None:
            self.renew(row)

    def renew(self, row) -> None:
        """A new link for ``row``; the old one, and one from before 0010, stop working."""
        for column, value in self.new_values().items():
            setattr(row, column, value)

    def close(self, row) -> None:
        """No link works any more, and none is shown."""
        setattr(row, self.hash, None)
        setattr(row, self.legacy, None)

    def token(self, row) -> str | None:
        """The secret to put in the link; None once the link is closed."""
        if getattr(row, self.hash) is None:
            return None
        return derive(self.purpose, getattr(row, self.salt))

    def find(self, model, token: str):
        """The row of ``model`` whose link holds ``token``, or None."""
        if not isinstance(token, str) or not _PLAUSIBLE.fullmatch(token):
            return None
        digest = token_hash(token)
        return db.session.scalars(select(model).where(or_(
            getattr(model, self.hash) == digest, getattr(model, self.legacy) == digest))).first()
