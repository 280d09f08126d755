"""The language switch, for every page."""

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.web import safe_next
from eventapp.extensions import db

bp = Blueprint("core", __name__)

LANGUAGE_COOKIE = "lang"


@bp.post("/language")
@policy.public
def set_language():
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("home.index")
    response = redirect(target)
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    return response


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]
