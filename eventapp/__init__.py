"""eventapp: county gatherings on career guidance for refugees."""

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask loads with the app, not with the package: the solver runs without it.
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> "Flask":
    """Build the app. ``config`` is a Config class (default ``Config``) or a dict of overrides
    on top of it."""
    import gc

    # The start makes a few hundred thousand objects that all live on (modules, models, URL
    # rules): the collections it would trigger (two full ones) find nothing and took a sixth
    # of its time. Frozen at the end, no later collection walks them either: unfrozen, the
    # first allocation after the start paid a full collection all the same, and the
    # interpreter's exit collected them again, a third of what a `flask` command or a test
    # run paid to start and stop (bench/startup.py); the served process's full collections
    # walk only what requests make (wsgi.py). An app built and dropped again, as some tests
    # do, stays in memory until the process ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _create_app(config)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _create_app(config: type | dict | None) -> "Flask":
    from flask import Flask

    from eventapp.config import Config, database_url, secret_key

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    overrides = {}
    if isinstance(config, dict):
        overrides, config = config, None
    config = config or Config
    app.config.from_object(config)
    app.config.update({k: v for k, v in config.from_env().items() if v is not None})
    app.config.update(overrides)
    instance = Path(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
        app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL"), instance
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        instance.mkdir(parents=True, exist_ok=True)
        # Writers wait for each other instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    if proxies := app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from eventapp.core import hostile
    from eventapp.core.routing import LazyBuilderRule

    app.url_rule_class = LazyBuilderRule  # before any route is added
    hostile.init_app(app)  # before any route is added: its int converter bounds every id
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)

    from eventapp.cli import register

    register(app)
    _serve_static_files(app)
    return app


def _serve_static_files(app: "Flask") -> None:
    """Static files under hashed names, compressed (core/assets.py); plotly.js among them, taken
    from the installed plotly package (its smallest bundle: the package ships only
    plotly.min.js and a larger widget bundle)."""
    from eventapp.core import assets
    from eventapp.reporting.charts import PLOTLYJS, plotlyjs_path

    assets.init_app(app, extra={PLOTLYJS: plotlyjs_path()},
                    headers=lambda: _security_headers(app.config))


# What every answer carries, pages and static files alike (a view may set its own first).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'; form-action 'self'")


def _security_headers(config) -> list[tuple[str, str]]:
    headers = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
               ("Referrer-Policy", "same-origin"),
               ("Content-Security-Policy", CONTENT_SECURITY_POLICY)]
    if config.get("SESSION_COOKIE_SECURE"):
        # Secure cookies mean the site is served over HTTPS only: browsers may insist on it.
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def _init_extensions(app: "Flask") -> None:
    from flask_babel import lazy_gettext as _l

    from eventapp.core import translations
    from eventapp.core.views import select_locale
    from eventapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    translations.install(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_secret: str):
        from eventapp.accounts.services import user_for_session

        return user_for_session(session_secret)


def _register_blueprints(app: "Flask") -> None:
    from eventapp import (  # noqa: F401,E501
        accounts,
        api,
        core,
        documents,
        followup,
        gatherings,
        grants,
        invitations,
        mail,
        partners,
        places,
        registration,
        reporting,
        surveys,
    )
    from eventapp.accounts import api as _accounts_api  # noqa: F401
    from eventapp.accounts import views as _accounts_views  # noqa: F401
    from eventapp.api import auth as _api_auth  # noqa: F401
    from eventapp.api import openapi as _openapi  # noqa: F401
    from eventapp.api import views as _api_views  # noqa: F401
    from eventapp.core.views import bp as core_bp
    from eventapp.dialogue import bp as dialogue_bp
    from eventapp.dialogue import views as _dialogue_views  # noqa: F401
    from eventapp.documents import views as _documents_views  # noqa: F401
    from eventapp.extensions import csrf
    from eventapp.followup import models as _followup_models  # noqa: F401
    from eventapp.followup import views as _followup_views  # noqa: F401
    from eventapp.gatherings import api as _gatherings_api  # noqa: F401
    from eventapp.gatherings import views as _gatherings_views  # noqa: F401
    from eventapp.grants import api as _grants_api  # noqa: F401
    from eventapp.grants import views as _grants_views  # noqa: F401
    from eventapp.home import bp as home_bp
    from eventapp.home import views as _home_views  # noqa: F401
    from eventapp.invitations import api as _invitations_api  # noqa: F401
    from eventapp.invitations import views as _invitations_views  # noqa: F401
    from eventapp.mail import views as _mail_views  # noqa: F401
    from eventapp.materials import bp as materials_bp
    from eventapp.materials import views as _materials_views  # noqa: F401
    from eventapp.partners import api as _partners_api  # noqa: F401
    from eventapp.partners import views as _partners_views  # noqa: F401
    from eventapp.places import api as _places_api  # noqa: F401
    from eventapp.places import views as _places_views  # noqa: F401
    from eventapp.registration import api as _registration_api  # noqa: F401
    from eventapp.registration import message_views as _message_views  # noqa: F401
    from eventapp.registration import views as _registration_views  # noqa: F401
    from eventapp.registration.notify import subscribe as subscribe_registration

    # Registration mails the registered what the gatherings feature (below it) has moved.
    subscribe_registration()
    from eventapp.reporting import api as _reporting_api  # noqa: F401
    from eventapp.reporting import topic_views as _topic_views  # noqa: F401
    from eventapp.reporting import views as _reporting_views  # noqa: F401
    from eventapp.seating import api as _seating_api  # noqa: F401
    from eventapp.seating.views import bp as seating_bp
    from eventapp.surveys import api as _surveys_api  # noqa: F401
    from eventapp.surveys import views as _surveys_views  # noqa: F401

    # The API authenticates by bearer token only, never by cookie, so it needs no CSRF token.
    csrf.exempt(api.bp)
    for blueprint in (core_bp, home_bp, accounts.bp, places.bp, gatherings.bp, invitations.bp,
                      registration.bp, grants.bp, reporting.bp, seating_bp, surveys.bp, followup.bp,
                      mail.bp, partners.bp, documents.bp, dialogue_bp, materials_bp,
                      api.bp, api.ui):
        app.register_blueprint(blueprint)


def _register_errors(app: "Flask") -> None:
    from flask import render_template, request
    from flask_babel import gettext as _
    from flask_babel import ngettext
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import HTTPException, InternalServerError

    from eventapp.api.auth import api_error, domain_error_json, http_error_json
    from eventapp.core.db import Busy, lock_timed_out
    from eventapp.core.errors import DomainError
    from eventapp.extensions import db

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return domain_error_json(exc)
        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = _("The form had expired or was sent from elsewhere. Go back, reload the page and "
                    "try again.")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 429:
            return rate_limited(exc)
        if wants_json():
            return http_error_json(exc)
        return render_template("errors/error.html", status=exc.code, message=None), exc.code

    def rate_limited(exc: HTTPException):
        """Say how long until every limit this request broke lets it through again, from the
        limiter's reset times (as the login page does), and send it as Retry-After."""
        wait = _rate_limit_wait()
        if wants_json():
            response = http_error_json(exc)
            response.headers["Retry-After"] = str(wait)
            return response
        if wait < 120:
            message = ngettext("Too many requests in a short time. Try again in %(num)d second.",
                               "Too many requests in a short time. Try again in %(num)d "
                               "seconds.", wait)
        else:
            message = ngettext("Too many requests in a short time. Try again in %(num)d minute.",
                               "Too many requests in a short time. Try again in %(num)d "
                               "minutes.", math.ceil(wait / 60))
        return (render_template("errors/error.html", status=429, message=message), 429,
                {"Retry-After": str(wait)})

    @app.errorhandler(OperationalError)
    def database_error(exc: OperationalError):
        # A wait for a lock outside ``lock_row`` ran out: as busy as there, not broken.
        if lock_timed_out(exc):
            return domain_error(Busy())
        return server_error(exc)

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        if wants_json():
            return api_error(500, "server_error", _("Something went wrong on our side."))
        return render_template("errors/error.html", status=500, message=None), 500


def _rate_limit_wait() -> int:
    """Seconds until the limits this request broke let it through again (at least one)."""
    import time

    from eventapp.extensions import limiter

    now = time.time()
    try:
        resets = [limit.window.reset_time for limit in limiter.current_limits if limit.breached]
    except Exception:  # a limiter that cannot tell: a minute is the usual window
        resets = []
    return max(1, math.ceil(max(resets, default=now + 60) - now))


def _register_template_helpers(app: "Flask") -> None:
    from flask import current_app, request
    from flask_babel import format_date, format_datetime, get_locale
    from flask_login import current_user

    from eventapp.core import policy
    from eventapp.core.access import Role, role_label
    from eventapp.core.time import to_oslo
    from eventapp.core.web import external_url
    from eventapp.gatherings.models import status_label

    @app.context_processor
    def inject():
        def failed_mail() -> int:
            from eventapp.mail.services import failed_count

            return failed_count(current_user) if current_user.is_authenticated else 0

        def can(action: str, obj=None) -> bool:
            return policy.can(current_user, action, obj, record=False)

        return {"Role": Role, "role_label": role_label, "can": can, "locale": str(get_locale()),
                "failed_mail": failed_mail,
                "status_label": status_label, "external_url": external_url,
                "view_functions": current_app.view_functions, "current_path": request.full_path.rstrip("?")}

    @app.template_filter("local")
    def local(value, fmt="short"):
        return format_datetime(to_oslo(value), fmt) if value else ""

    @app.template_filter("whole_percent")
    def whole_percent(share):
        from eventapp.core.numbers import whole_percent

        return whole_percent(share)

    @app.template_filter("time")
    def time_filter(value):
        return format_datetime(to_oslo(value), "HH:mm") if value else ""

    @app.template_filter("contact_email")
    def contact_email(value):
        # A purged record keeps a placeholder address (the column is required and unique per
        # gathering); people are shown no address rather than the placeholder.
        return "" if not value or value.endswith("@purged.invalid") else value

    @app.template_filter("date")
    def date_filter(value, fmt="long"):
        return format_date(value, fmt) if value else ""

    @app.template_filter("daterange")
    def daterange_filter(start, end=None):
        from eventapp.core.dates import daterange

        return daterange(start, end, str(get_locale()))

    @app.after_request
    def security_headers(response):
        for name, value in _security_headers(current_app.config):
            response.headers.setdefault(name, value)
        # Whatever a signed-in user, an API token or a participant's link sees may be
        # personal: no browser or proxy keeps a copy. The rule goes by the request, not the page,
        # so a new page behind a link is covered without a line of its own; only static files
        # and what a view marks public may be kept.
        if request.endpoint != "static" and not response.cache_control.public and (
                "token" in (request.view_args or {}) or request.authorization is not None
                or current_user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response
