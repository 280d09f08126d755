import math
import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from eventapp.accounts import bp, services
from eventapp.accounts.forms import (
    AssignForm,
    ChangePasswordForm,
    LoginForm,
    ResetRequestForm,
    SetPasswordForm,
    UserForm,
)
from eventapp.accounts.models import User, counsellor_municipalities
from eventapp.core import policy
from eventapp.core.access import Role, role_label, scope
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form, safe_next
from eventapp.extensions import db, limiter
from eventapp.places import bp as places_bp
from eventapp.places.models import County, Municipality

# --- limits on guessing -----------------------------------------------------------------------
# Failed attempts are counted per client address (behind a load balancer that is the address
# ProxyFix takes from X-Forwarded-For, see TRUSTED_PROXIES) and per account tried, in the
# limiter's storage (Redis in production, shared by the workers). A successful login does not
# count, so an office behind one address is not locked out by its own logins.

def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _reset_limit():
    return current_app.config["RESET_RATE_LIMIT"]


def _email_tried() -> str:
    """The account a form is about; empty (no limit applies) when none is given."""
    email = services.normalise_email(request.form.get("email", ""))[:254]
    return f"account:{email}" if email else ""


def _own_account() -> str:
    return f"account:{current_user.email}" if current_user.is_authenticated else ""


def _refused(response) -> bool:
    return response.status_code in (401, 422)


def _login_refused(response) -> bool:
    return response.status_code == 401


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext("Too many failed attempts. Try again in %(num)d second.",
                        "Too many failed attempts. Try again in %(num)d seconds.", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.", minutes)


@bp.errorhandler(429)
def too_many_attempts(exc):
    """Say how long until every limit this request broke lets it through again."""
    now = time.time()
    resets = [limit.window.reset_time for limit in limiter.current_limits if limit.breached]
    wait = max(1, math.ceil(max(resets, default=now + 60) - now))
    message = _wait_message(wait)
    if request.endpoint == "accounts.login":
        form = LoginForm()
        form.form_errors.append(message)
        body = render_template("accounts/login.html", form=form)
    else:
        body = render_template("errors/error.html", status=429, message=message)
    return body, 429, {"Retry-After": str(wait)}


@bp.before_app_request
def _load_login_session():
    # Loading the login session may write (the last-seen time, a session found over): it is
    # loaded and committed here, before any view, so that the write neither waits for the
    # view's commit nor is lost with a view that sends nothing to the database.
    if request.endpoint != "static" and "_user_id" in session:
        current_user._get_current_object()
        services.commit_session_write()


def _log_in(user) -> None:
    """A new session at login: nothing from before (including a planted session) survives."""
    session.clear()
    services.start_session(user)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@policy.public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_login_refused)
@limiter.limit(_account_limit, methods=["POST"], key_func=_email_tried,
               deduct_when=_login_refused)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Wrong email or password, or the account is not activated."))
            status = 401
        else:
            _log_in(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@policy.public
def logout():
    if FlaskForm().validate_on_submit():
        if current_user.is_authenticated:
            services.end_session(current_user, "logout")
            db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


def _password_page(token: str, purpose: str, template: str):
    try:
        services.find_link(token, purpose)
    except DomainError as exc:
        db.session.commit()  # the dead link taken out of the mail that carried it
        return render_template("accounts/link_invalid.html", message=exc.message), 410
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.use_link(token, purpose, form.password.data)
        except DomainError as exc:
            errors_to_form(form, exc)
            status = 422
        else:
            _log_in(user)
            db.session.commit()
            flash(_("Your password is set. Welcome!"), "success")
            return redirect(url_for("home.index"))
    elif form.is_submitted():
        status = 422
    return render_template(template, form=form), status


@bp.route("/activate/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(_login_limit, methods=["POST"])
def activate(token: str):
    return _password_page(token, "activate", "accounts/activate.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    return _password_page(token, "reset", "accounts/reset.html")


@bp.route("/reset", methods=["GET", "POST"])
@policy.public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_email_tried)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("If an active account has this address, a link to set a new password is on its "
                "way. It works once, for a short time."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), (
        422 if form.is_submitted() else 200
    )


# --- the user's own account ------------------------------------------------------------------

def _account_page(form: ChangePasswordForm, status: int = 200):
    return render_template("accounts/account.html", form=form, action=FlaskForm(),
                           sessions=services.live_sessions(current_user),
                           this_session=current_user.login_session,
                           idle_minutes=current_app.config["SESSION_IDLE_MINUTES"],
                           lifetime_hours=round(
                               current_app.permanent_session_lifetime.total_seconds() / 3600)
                           ), status


@bp.get("/")
@policy.requires("account.own")
def account():
    return _account_page(ChangePasswordForm())


@bp.post("/password")
@policy.requires("account.own")
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_refused)
@limiter.limit(_account_limit, methods=["POST"], key_func=_own_account, deduct_when=_refused)
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    user = current_user._get_current_object()
    try:
        services.change_password(user, form.current.data, form.password.data)
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return _account_page(form, 422)
    # Every session of the user is ended; this browser goes on in a new one.
    _log_in(user)
    db.session.commit()
    flash(_("Your password is changed. You are logged out everywhere else."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/logout-everywhere")
@policy.requires("account.own")
def logout_everywhere():
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.end_all_sessions(current_user, "everywhere")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out everywhere, in this browser too."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/users")
@policy.requires("users.view")
def users():
    stmt = scope(select(User), User, current_user).order_by(User.role, User.name)
    return render_template("accounts/users.html", users=db.session.scalars(stmt).all(),
                           role_label=role_label)


def _user_form() -> UserForm:
    """The directorate picks a county; a county host picks a municipality in their own county."""
    form = UserForm()
    form.role.choices = [(r.value, role_label(r)) for r in services.roles_creatable_by(current_user)]
    if current_user.role == Role.DIRECTORATE:
        del form.municipality
        form.county.choices = [("", _("Choose a county"))] + [
            (str(c.id), f"{c.number} {c.name}")
            for c in db.session.scalars(select(County).where(County.active).order_by(County.number))
        ]
    else:
        del form.county
        form.municipality.choices = [("", _("Not a municipal contact"))] + [
            (str(m.id), f"{m.number} {m.name}")
            for m in db.session.scalars(
                select(Municipality)
                .where(Municipality.county_id == current_user.county_id, Municipality.active)
                .order_by(Municipality.number)
            )
        ]
    return form


def _chosen(form, name: str, model):
    field = getattr(form, name, None)
    return db.session.get(model, int(field.data)) if field is not None and field.data else None


@bp.route("/users/new", methods=["GET", "POST"])
@policy.requires("users.create")
def new_user():
    form = _user_form()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, name=form.name.data, role=form.role.data,
                county=_chosen(form, "county", County),
                municipality=_chosen(form, "municipality", Municipality), actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("%(name)s is created and gets an email to activate the account.",
                    name=user.name), "success")
            return redirect(url_for("accounts.user", user_id=user.id))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/user_new.html", form=form), status


def _assign_form(user: User) -> AssignForm:
    form = AssignForm()
    form.municipalities.choices = [
        (str(m.id), f"{m.number} {m.name}")
        for m in db.session.scalars(
            select(Municipality)
            .where(Municipality.county_id == user.county_id, Municipality.active)
            .order_by(Municipality.number)
        )
    ]
    if not form.is_submitted():
        form.municipalities.data = [str(m.id) for m in user.assigned_municipalities]
    return form


@bp.get("/users/<int:user_id>")
@policy.requires("users.view")
def user(user_id: int):
    shown = policy.load(User, user_id)
    assign = _assign_form(shown) if shown.role == Role.COUNSELLOR else None
    return render_template("accounts/user.html", shown=shown, assign=assign,
                           role_label=role_label, action=FlaskForm())


@bp.post("/users/<int:user_id>/municipalities")
@policy.requires("users.assign_municipalities")
def assign(user_id: int):
    # Asked of the host's own county before the lookup, so that a role that assigns nowhere is
    # refused whatever the number; the service asks again of the counsellor.
    policy.authorize(current_user, "users.assign_municipalities", current_user.county_id)
    shown = policy.load(User, user_id)
    if shown.role != Role.COUNSELLOR:
        abort(404)
    form = _assign_form(shown)
    if form.validate_on_submit():
        chosen = db.session.scalars(
            select(Municipality).where(Municipality.id.in_([int(i) for i in form.municipalities.data]))
        ).all()
        try:
            services.assign_municipalities(current_user, shown, list(chosen))
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
        else:
            db.session.commit()
            flash(_("The counsellor's municipalities are saved."), "success")
            return redirect(url_for("accounts.user", user_id=shown.id))
    return render_template("accounts/user.html", shown=shown, assign=form,
                           role_label=role_label, action=FlaskForm()), 422


@bp.post("/users/<int:user_id>/resend")
@policy.requires("users.create")
def resend_activation(user_id: int):
    shown = policy.load(User, user_id)
    policy.authorize(current_user, services.create_action(shown.role))
    if FlaskForm().validate_on_submit() and not shown.active:
        services.send_link(shown, "activate", actor=current_user)
        db.session.commit()
        flash(_("A new activation link is on its way to %(email)s.", email=shown.email), "success")
    return redirect(url_for("accounts.user", user_id=shown.id))


# --- a municipality's people ---------------------------------------------------------------
# The places blueprint's page for one municipality: its contacts and counsellors are accounts,
# and places, below accounts, does not import them.

@places_bp.get("/municipalities/<int:municipality_id>")
@policy.requires("places.view")
def municipality(municipality_id: int):
    unit = policy.load(Municipality, municipality_id)
    contacts = db.session.scalars(
        select(User).where(User.municipality_id == unit.id).order_by(User.name)
    ).all()
    counsellors = db.session.scalars(
        select(User)
        .join(counsellor_municipalities)
        .where(counsellor_municipalities.c.municipality_id == unit.id)
        .order_by(User.name)
    ).all()
    return render_template("places/municipality.html", unit=unit, contacts=contacts,
                           counsellors=counsellors)
