"""Bearer-token authentication for /api/v1 and JSON errors for everything under it.

The API authenticates only by token, never by the browser's session cookie, so CSRF does not
apply to it and a logged-in browser cannot be tricked into calling it.
"""

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from eventapp.api import bp
from eventapp.api.services import user_for_token
from eventapp.core.errors import DomainError


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventapp"'
    return response


def api_user():
    return g.get("api_user")


@bp.before_request
def authenticate():
    func = current_app.view_functions.get(request.endpoint or "")
    if getattr(getattr(func, "operation", None), "public", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return api_error(401, "unauthorized", _("Send an API token: Authorization: Bearer <token>."))
    user = user_for_token(raw.strip())
    if user is None:
        return api_error(401, "unauthorized", _("The API token is unknown or has been revoked."))
    g.api_user = user
    return None


HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "validation_failed", 429: "too_many_requests",
}


def http_error_json(exc: HTTPException):
    messages = {
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        429: _("Too many requests. Wait a little and try again."),
        400: _("The request could not be understood."),
    }
    status = exc.code or 500
    response = api_error(status, HTTP_CODES.get(status, "error"),
                         messages.get(status, exc.description or exc.name))
    # The error's own headers stay: a 405 says which methods are allowed (Allow, RFC 9110).
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def domain_error_json(exc: DomainError):
    response = api_error(exc.status, exc.code, exc.message, exc.fields or None)
    if retry_after := getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(retry_after)
    return response
