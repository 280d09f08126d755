"""Creating, finding and revoking API tokens."""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api.models import ApiToken
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db

TOKEN_PREFIX = "ea_"  # noqa: S105 - a marker, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name, so you know what it is for."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("The name can be at most 100 characters."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    return token, raw


def user_for_token(raw: str):
    """The active user behind an unrevoked token, or None."""
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(raw))).first()
    if token is None or not token.active or not token.user.active:
        return None
    now = utcnow()
    # Writing on every call would make concurrent calls with one token queue on its row.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def tokens_of(user) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(user, token_id: int) -> ApiToken:
    """Users revoke only their own tokens; another's answers as if it did not exist."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    token.revoke(utcnow())
    return token
