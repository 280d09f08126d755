"""Retries that are safe: every API write takes an ``Idempotency-Key`` header, as pretix's API does.

The first request with a key reserves it (a row without an answer, inserted and committed in a
transaction of its own: the unique constraint on user and key decides who runs), runs the
operation, and stores its answer. A later request with the same key, from the same user:

- same method, path and body, answer stored: the stored answer again (status and body), and
  nothing runs, so a client whose reply was lost may simply send the request again;
- same method, path and body, no answer yet (the first is still running): 409;
- another method, path or body: 422, and nothing runs.

Every answer the operation gives is stored, refusals (4xx) too, as pretix does, except a server
error (5xx) or an exception no handler turns into an answer: the key is then freed, so that a
retry runs the operation again. Keys last ``KEY_LIFETIME``; expired rows of a user are deleted
when that user next sends a key (no cron job).

Public operations (a participant's token in the path, no user) do not take the header: it is
not in their part of the document, and they ignore it.
"""

import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from eventapp.api.models import IdempotencyKey
from eventapp.core.errors import Conflict, DomainError, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db

HEADER = "Idempotency-Key"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 200
# Printable ASCII without spaces: what survives every proxy unchanged (a UUID is typical).
KEY_PATTERN = r"^[!-~]{1,200}$"

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
               "pattern": KEY_PATTERN},
    "description": (
        "Makes a retry safe (a UUID per write is typical). The same key with the same method, "
        "path and body answers the first answer again (status and body) and changes nothing "
        "more; the same key with another method, path or body answers 422; a second use while "
        "the first is still running answers 409. Keys belong to the token's user and expire "
        "after 24 hours. A server error (5xx) is not kept: the key may be used again. Without "
        "the header, every request runs."
    ),
}


def idempotent(view):
    """``view`` with the ``Idempotency-Key`` header honoured for the API's user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        return _run_once(view, _valid_key(key), args, kwargs)

    return wrapped


def _valid_key(key: str) -> str:
    if not re.fullmatch(KEY_PATTERN, key):
        message = _("Give an Idempotency-Key of 1 to %(max)d visible ASCII characters, "
                    "without spaces.", max=MAX_KEY_LENGTH)
        raise ValidationFailed(message, fields={HEADER: message})
    return key


def _request_line() -> str:
    query = request.query_string.decode("latin-1")
    return f"{request.method} {request.path}" + (f"?{query}" if query else "")


def _body_hash() -> str:
    """A hash of the body; JSON is hashed in one canonical form, so that key order and spacing
    do not make a retry a different request."""
    raw = request.get_data(cache=True)
    data = request.get_json(silent=True) if request.is_json else None
    if data is not None:
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


def _run_once(view, key: str, args, kwargs):
    from eventapp.api.auth import api_user

    user_id = api_user().id
    line, body_hash = _request_line(), _body_hash()
    # The session holds nothing of the operation yet (at most the token's last use, which the
    # operation would commit anyway); the reservation is committed on its own.
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < utcnow() - KEY_LIFETIME))
    db.session.add(IdempotencyKey(user_id=user_id, key=key, request=line, body_hash=body_hash))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _answer_again(user_id, key, line, body_hash)

    transient = False
    try:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except DomainError as exc:
            db.session.rollback()
            response = current_app.make_response(_error_answer(exc))
            # "Busy, try again": the retry with the same key must run, not replay the 409.
            transient = getattr(exc, "retry_after", None) is not None
        except HTTPException as exc:
            db.session.rollback()
            response = current_app.make_response(_error_answer(exc))
    except BaseException:
        db.session.rollback()
        _free(user_id, key)
        raise
    if transient or response.status_code >= 500:
        _free(user_id, key)
        return response
    row = db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).one()
    row.status = response.status_code
    row.response_body = response.get_data(as_text=True)
    db.session.commit()
    return response


def _error_answer(exc):
    from eventapp.api.auth import domain_error_json, http_error_json

    return domain_error_json(exc) if isinstance(exc, DomainError) else http_error_json(exc)


def _free(user_id: int, key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                    IdempotencyKey.key == key))
    db.session.commit()


def _answer_again(user_id: int, key: str, line: str, body_hash: str):
    row = db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()
    # The answer is the one this user was given; the policy was asked then. A refusal here
    # tells nothing of any object.
    if getattr(g, "policy_action", None):
        g.setdefault("policy_checked", set()).add(g.policy_action)
    if row is None:  # the first request failed and freed the key between the two statements
        raise Conflict(_("This Idempotency-Key is in use by a request still running. Try "
                         "again in a moment."))
    if row.request != line or row.body_hash != body_hash:
        raise ValidationFailed(_("This Idempotency-Key was used for another request. Use a new "
                                 "key for each different request."),
                               fields={HEADER: _("Already used for another request.")})
    if row.status is None:
        raise Conflict(_("This Idempotency-Key is in use by a request still running. Try "
                         "again in a moment."))
    response = current_app.response_class(row.response_body, status=row.status,
                                          mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response
