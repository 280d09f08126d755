"""Small helpers the HTML views share."""

from urllib.parse import urlsplit

from flask import current_app

from eventapp.core.errors import DomainError


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: ``next`` never leaves the site."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def errors_to_form(form, exc: DomainError) -> None:
    """Show a service's refusal beside the fields it names, or above the form."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail, built from BASE_URL so it works outside a request too
    (the sender, the command line) and never trusts the Host header of whoever asked."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def attempt(form, call, place=errors_to_form) -> tuple:
    """Validate ``form`` and run ``call``; commit on success. Returns (result, status), with a
    refusal shown beside the field it names (``place(form, exc)``) and nothing changed."""
    from eventapp.extensions import db

    if not form.validate_on_submit():
        return None, 422
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        place(form, exc)
        return None, exc.status if exc.status in (403, 404, 409) else 422
    db.session.commit()
    return result, 200


def act(call, done, expired: str) -> bool:
    """A one-click button (remove, purge ...) that carries only its CSRF token: run ``call``,
    commit and flash ``done(result)``; or flash why not, with nothing changed."""
    from flask import flash
    from flask_wtf import FlaskForm

    from eventapp.extensions import db

    if not FlaskForm().validate_on_submit():
        flash(expired, "error")
        return False
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return False
    db.session.commit()
    flash(done(result), "success")
    return True
