"""Accounts: creating users by role, passwords, login, and emailed one-time links."""

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from zxcvbn import zxcvbn

from eventapp.accounts.models import LinkToken, User
from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.core.web import external_url
from eventapp.extensions import db
from eventapp.mail.services import queue_template
from eventapp.places.models import County, Municipality

MIN_PASSWORD_LENGTH = 12
# Longer passwords are hashed as given; zxcvbn is only asked about the first 100 characters,
# because its run time grows with length.
ZXCVBN_MAX = 100


def _hasher() -> PasswordHasher:
    if current_app.config.get("PASSWORD_HASH_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in about the same time whether or not the user exists."""
    hasher = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        if stored is None:
            hasher.verify(hasher.hash("timing-equaliser"), password + "x")
            return False
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, user_inputs: list[str] = ()) -> str | None:
    """Why a password is refused, or None. Length first, then guessability (common passwords,
    keyboard patterns, the user's own name or email)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=[u for u in user_inputs if u])["score"] < 3:
        return _(
            "This password is too common or too easy to guess. Use several unrelated words, "
            "or mix in numbers and symbols."
        )
    return None


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, [user.email, user.name, *user.email.split("@")])
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = hash_password(password)
    # A new password ends every other session of this user.
    user.rotate_session_token()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if not verify_password(user, password) or user is None or not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def create_action(role: Role | str) -> str:
    """The policy's action for creating an account with ``role`` (``users.create_counsellor``)."""
    return f"users.create_{Role(role).value}"


def roles_creatable_by(actor: User) -> list[Role]:
    return sorted(role for role in Role if policy.can(actor, create_action(role)))


def create_user(
    *,
    email: str,
    name: str,
    role: Role | str,
    county: County | None = None,
    municipality: Municipality | None = None,
    actor: User | None = None,
    password: str | None = None,
    send_activation: bool = True,
) -> User:
    """Create an account. With an ``actor`` the rules of who-creates-whom apply; without one
    (the command line) any role may be created. Without a password the account waits for
    activation through an emailed link."""
    role = Role(role)
    email = normalise_email(email)
    if actor is not None:
        policy.authorize(actor, create_action(role))
        if actor.role == Role.COUNTY_HOST:
            county = actor.county
    if municipality is not None:
        county = municipality.county
    problems = {}
    if "@" not in email or len(email) > 254:
        problems["email"] = _("Enter a valid email address.")
    elif find_user_by_email(email) is not None:
        problems["email"] = _("An account with this email address already exists.")
    if not (name or "").strip():
        problems["name"] = _("Enter the person's name.")
    if role != Role.DIRECTORATE and county is None:
        problems["county"] = _("Choose a county.")
    if role == Role.MUNICIPAL_CONTACT and municipality is None:
        problems["municipality"] = _("Choose a municipality or city district.")
    if actor is not None and actor.role == Role.COUNTY_HOST and municipality is not None \
            and municipality.county_id != actor.county_id:
        problems["municipality"] = _("Choose a municipality in your own county.")
    if password is not None:
        problem = password_problem(password, [email, name, *email.split("@")])
        if problem:
            problems["password"] = problem
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    user = User(
        email=email,
        name=name.strip(),
        role=role.value,
        county=None if role == Role.DIRECTORATE else county,
        municipality=municipality if role == Role.MUNICIPAL_CONTACT else None,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(user)
    if password is not None:
        set_password(user, password)
        user.active = True
    db.session.flush()
    if password is None and send_activation:
        send_link(user, "activate", actor=actor)
    return user


def assign_municipalities(actor: User, counsellor: User, municipalities: list[Municipality]):
    """A county host names the municipalities a counsellor is contact person for."""
    policy.authorize(actor, "users.assign_municipalities", counsellor)
    if counsellor.role != Role.COUNSELLOR:
        raise ValidationFailed(_("Only career counsellors are assigned municipalities."))
    if any(m.county_id != actor.county_id for m in municipalities):
        raise ValidationFailed(
            _("Choose municipalities in your own county."), field="municipalities"
        )
    counsellor.assigned_municipalities = list(municipalities)
    db.session.flush()


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_link(user: User, purpose: str) -> str:
    """A new one-time link secret; earlier unused links of the same purpose stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(LinkToken).where(
            LinkToken.user_id == user.id, LinkToken.purpose == purpose, LinkToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    hours = current_app.config[
        "ACTIVATION_LINK_HOURS" if purpose == "activate" else "RESET_LINK_HOURS"
    ]
    raw = secrets.token_urlsafe(32)
    db.session.add(
        LinkToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(raw),
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return raw


def find_link(raw: str, purpose: str) -> LinkToken:
    """The link's token if it can still be used; else a clear reason why not."""
    token = db.session.scalars(
        select(LinkToken).where(
            LinkToken.token_hash == _token_hash(raw or ""), LinkToken.purpose == purpose
        )
    ).first()
    if token is None:
        raise ValidationFailed(_("This link is not valid. Ask for a new one."))
    if token.used_at is not None:
        raise ValidationFailed(_("This link has already been used. Ask for a new one."))
    if utcnow() >= token.expires_at:
        raise ValidationFailed(_("This link has expired. Ask for a new one."))
    return token


def use_link(raw: str, purpose: str, password: str) -> User:
    """Set the password through an activation or reset link, and spend the link."""
    token = find_link(raw, purpose)
    user = token.user
    set_password(user, password)
    user.active = True
    token.used_at = utcnow()
    db.session.flush()
    return user


def send_link(user: User, purpose: str, actor: User | None = None) -> None:
    raw = issue_link(user, purpose)
    endpoint = "accounts.activate" if purpose == "activate" else "accounts.reset_password"
    link = external_url(endpoint, token=raw)
    hours = current_app.config[
        "ACTIVATION_LINK_HOURS" if purpose == "activate" else "RESET_LINK_HOURS"
    ]
    queue_template(
        f"accounts.{purpose}",
        f"mail/{purpose}",
        to=user.email,
        to_name=user.name,
        locale=user.language,
        created_by=actor,
        county_id=user.county_id,
        user=user,
        link=link,
        hours=hours,
    )


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address; say nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_link(user, "reset")
