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
