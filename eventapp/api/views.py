"""A user's own API tokens: create (the secret is shown once) and revoke."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.api import services, ui
from eventapp.api.forms import TokenForm
from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.extensions import db


@ui.get("/")
@policy.requires("tokens.manage")
def index():
    return render_template("api/tokens.html", form=TokenForm(), tokens=services.tokens_of(current_user),
                           revoke_form=FlaskForm(), new_secret=None)


@ui.post("/")
@policy.requires("tokens.manage")
def create():
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        _token, new_secret = services.create_token(current_user, form.name.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, tokens=services.tokens_of(current_user),
                           revoke_form=FlaskForm(), new_secret=new_secret)


@ui.post("/<int:token_id>/revoke")
@policy.requires("tokens.manage")
def revoke(token_id: int):
    if FlaskForm().validate_on_submit():
        try:
            token = services.revoke_token(current_user, token_id)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for(".index"))
