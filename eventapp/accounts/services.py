"""Accounts: creating users by role, passwords, login sessions, and emailed one-time links."""

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from eventapp.accounts.models import LinkToken, LoginSession, User
from eventapp.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem  # noqa: F401
from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.core.web import external_url
from eventapp.extensions import db
from eventapp.mail.services import blank_links, queue_template
from eventapp.places.models import County, Municipality

# A session's last-seen time is written at most this often, not on every request; the idle
# timeout is as exact as that.
SESSION_TOUCH = timedelta(seconds=60)
# Ended and expired sessions are kept this long after their lifetime for a look back, then
# deleted at the user's next login.
SESSION_KEEP = timedelta(days=30)


def _hasher() -> PasswordHasher:
    if current_app.config.get("PASSWORD_HASH_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


# A hash to check passwords against when there is no account (one per set of hasher
# parameters), made once per process, so that an unknown email costs one argon2 run like a
# known one and not two.
_stand_in_hashes: dict[tuple, str] = {}


def _stand_in_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _stand_in_hashes:
        _stand_in_hashes[key] = hasher.hash(secrets.token_urlsafe(16))
    return _stand_in_hashes[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password with one argon2 run whether or not the user exists or has one."""
    hasher = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        if stored is None:
            hasher.verify(_stand_in_hash(hasher), password)
            return False
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    """Set a new password; it ends every login session of the user (the view that changed it
    starts a new one for its own browser)."""
    problem = password_problem(password, [user.email, user.name, *user.email.split("@")])
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = hash_password(password)
    end_all_sessions(user, "password")


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user changes their own password, knowing the present one."""
    if not verify_password(user, current or ""):
        raise ValidationFailed(_("Your current password is wrong."), field="current")
    set_password(user, new)


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


# --- login sessions ----------------------------------------------------------------------------
# A login is a row in login_sessions; the cookie carries its secret. It is over when it is
# ended (logout, "log out everywhere", a new password), when the user is deactivated or their
# role, county or municipality changes (found when the session is next used, however the
# change was made), after SESSION_IDLE_MINUTES without a request, and PERMANENT_SESSION_LIFETIME
# after login however busy.

def session_secret_hash(secret: str) -> str:
    return _token_hash(secret)


def start_session(user: User) -> str:
    """A new login session for ``user``; returns its secret for the cookie."""
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    session = LoginSession(user_id=user.id, secret_hash=session_secret_hash(secret),
                           opened_as=user.opened_as, created_at=now, last_seen_at=now)
    db.session.add(session)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        LoginSession.created_at < now - current_app.permanent_session_lifetime - SESSION_KEEP,
    ))
    db.session.flush()
    user.login_session, user.session_secret = session, secret
    return secret


# Set on the database session when the login session was written (commit_session_write).
SESSION_WRITTEN = "eventapp.login_session_written"


def user_for_session(secret: str) -> User | None:
    """The user of a live login session, or None. Writes the last-seen time (at most once a
    minute) or the end of a session found over; the request commits that before its view runs
    (accounts.views._load_login_session, through commit_session_write)."""
    session = db.session.scalars(
        select(LoginSession).options(joinedload(LoginSession.user))
        .where(LoginSession.secret_hash == session_secret_hash(secret or ""))
    ).first()
    if session is None:
        return None
    now = utcnow()
    user = session.user
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    reason = session.why_over(user, now, idle, current_app.permanent_session_lifetime)
    if reason is not None:
        if session.ended_at is None:
            session.end(now, reason)
            _wrote_session()
        return None
    if now - session.last_seen_at >= SESSION_TOUCH:
        session.last_seen_at = now
        _wrote_session()
    user.login_session, user.session_secret = session, secret
    return user


def _wrote_session() -> None:
    db.session.flush()
    db.session.info[SESSION_WRITTEN] = True


def commit_session_write() -> None:
    """Commit what ``user_for_session`` wrote, if anything. A request that wrote nothing (all
    but one a minute per session) keeps its transaction: committing it would have expired the
    user just loaded and cost two round trips more, the commit and loading the user again."""
    if db.session.info.pop(SESSION_WRITTEN, False):
        db.session.commit()


def end_session(user: User, reason: str = "logout") -> None:
    """End the session the user is acting in."""
    if user.login_session is not None:
        user.login_session.end(utcnow(), reason)
        db.session.flush()


def end_all_sessions(user: User, reason: str) -> None:
    if user.id is None:
        return  # not saved yet: no sessions
    now = utcnow()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    if user.login_session is not None:
        user.login_session.end(now, reason)


def live_sessions(user: User) -> list[LoginSession]:
    """The user's sessions that could still be used, newest first."""
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    sessions = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc())
    ).all()
    return [s for s in sessions
            if s.why_over(user, now, idle, current_app.permanent_session_lifetime) is None]


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


_LINK_ENDPOINTS = {"activate": "accounts.activate", "reset": "accounts.reset_password"}


def _link_pattern(purpose: str) -> re.Pattern:
    """Any link of this purpose in a mail body, whatever its token and its BASE_URL."""
    path = current_app.url_map.bind("localhost").build(_LINK_ENDPOINTS[purpose],
                                                       {"token": "TOKEN"})
    return re.compile(r"\S*" + re.escape(path).replace("TOKEN", r"[A-Za-z0-9_\-]+"))


def _blank_in_mail(tokens: list[LinkToken]) -> None:
    """A link that no longer works leaves the kept copy of the mail that carried it: the
    outbox shows bodies to hosts and the directorate."""
    for token in tokens:
        if token.message_id is not None:
            blank_links([token.message_id], _link_pattern(token.purpose))


def issue_link(user: User, purpose: str) -> str:
    """A new one-time link secret; earlier unused links of the same purpose stop working."""
    _retire_links(user.email, purpose)
    raw = secrets.token_urlsafe(32)
    _add_link(user, purpose, raw)
    return raw


def _retire_links(email: str, purpose: str) -> None:
    """The address's unused links of this purpose stop working and leave their mail. The same
    two statements run whether the address has an account or not (see request_password_reset)."""
    message_ids = db.session.scalars(
        update(LinkToken)
        .where(LinkToken.user_id.in_(select(User.id).where(User.email == email)),
               LinkToken.purpose == purpose, LinkToken.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(LinkToken.message_id)
    ).all()
    blank_links([i for i in message_ids if i is not None], _link_pattern(purpose))


def _link_hours(purpose: str) -> int:
    return current_app.config[
        "ACTIVATION_LINK_HOURS" if purpose == "activate" else "RESET_LINK_HOURS"
    ]


def _add_link(user: User, purpose: str, raw: str, message_id: int | None = None) -> None:
    db.session.add(LinkToken(user_id=user.id, purpose=purpose, token_hash=_token_hash(raw),
                             expires_at=utcnow() + timedelta(hours=_link_hours(purpose)),
                             message_id=message_id))
    db.session.flush()


def find_link(raw: str, purpose: str) -> LinkToken:
    """The link's token if it can still be used; else a clear reason why not."""
    token = db.session.scalars(
        select(LinkToken).where(
            LinkToken.token_hash == _token_hash(raw or ""), LinkToken.purpose == purpose
        )
    ).first()
    if token is None:
        raise ValidationFailed(_("This link is not valid. Ask for a new one."))
    if token.used_at is not None or utcnow() >= token.expires_at:
        # Flushed here; the view commits it with the refusal.
        _blank_in_mail([token])
        db.session.flush()
        if token.used_at is not None:
            raise ValidationFailed(_("This link has already been used. Ask for a new one."))
        raise ValidationFailed(_("This link has expired. Ask for a new one."))
    return token


def use_link(raw: str, purpose: str, password: str) -> User:
    """Set the password through an activation or reset link, and spend the link."""
    token = find_link(raw, purpose)
    user = token.user
    set_password(user, password)
    user.active = True
    token.used_at = utcnow()
    _blank_in_mail([token])
    db.session.flush()
    return user


def send_link(user: User, purpose: str, actor: User | None = None) -> None:
    """Mail a new one-time link; earlier unused links of the same purpose stop working."""
    _retire_links(user.email, purpose)
    raw = secrets.token_urlsafe(32)
    message = queue_template(
        f"accounts.{purpose}",
        f"mail/{purpose}",
        to=user.email,
        to_name=user.name,
        locale=user.language,
        created_by=actor,
        county_id=user.county_id,
        user=user,
        link=external_url(_LINK_ENDPOINTS[purpose], token=raw),
        hours=_link_hours(purpose),
    )
    _add_link(user, purpose, raw, message.id)


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address, else a mail saying that no
    active account has it. The page says the same either way, and both ways do the same work
    (look the address up, retire its earlier reset links, render and queue one mail), so the
    time it takes tells nothing either; only the link's own row is extra for a known one."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_link(user, "reset")
        return
    _retire_links(email, "reset")
    queue_template(
        "accounts.reset_no_account",
        "accounts/reset_no_account",
        to=email,
        locale=user.language if user is not None else None,
        county_id=user.county_id if user is not None else None,
    )
