"""The start page and the language switch."""

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from eventapp.core.access import scope
from eventapp.core.web import safe_next
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering

bp = Blueprint("core", __name__)

LANGUAGE_COOKIE = "lang"


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        published = db.session.scalars(
            select(Gathering).where(Gathering.status.in_(("open", "closed")))
            .order_by(Gathering.start_date).limit(20)
        ).all()
        return render_template("core/welcome.html", published=published)
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user)
        .order_by(Gathering.start_date.desc())
        .limit(10)
    ).all()
    from eventapp.grants.services import worklist

    return render_template("core/home.html", gatherings=gatherings,
                           worklist=worklist(current_user))


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("core.home")
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
