"""The page that starts a new gathering as a copy of an earlier one (``home.copying``): choose
the gathering to start from, see what comes along, give the new title, dates and venue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.hostile import DB_INT_MAX
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.home import bp, copying


class CopyForm(FlaskForm):
    source = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    start_date = DateField(_l("First day"), validators=[InputRequired(_l("Enter the first day."))])
    end_date = DateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))],
                         description=_l("The programme keeps its day numbers and clock times."))
    venue = StringField(_l("Venue"), validators=[DataRequired(_l("Enter the venue.")),
                                                 Length(max=200)])


def _source_id(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= DB_INT_MAX else None


@bp.route("/gatherings/new/from-earlier", methods=["GET", "POST"])
@policy.requires("gathering.create")
def copy_gathering():
    policy.authorize(current_user, "gathering.create", current_user.county_id)
    chosen = request.form.get("source") if request.method == "POST" else request.args.get("source")
    source = None
    if chosen:
        try:
            source = copying.load_source(current_user, _source_id(chosen))
        except DomainError:
            abort(404)
    form = CopyForm()
    status = 200
    if source is not None and request.method == "GET":
        form.source.data = str(source.id)
        form.title.data = source.title
        form.venue.data = source.venue
    if source is not None and form.validate_on_submit():
        try:
            gathering = copying.copy_gathering(
                source, current_user, title=form.title.data, start_date=form.start_date.data,
                end_date=form.end_date.data, venue=form.venue.data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("The gathering is created as a draft from “%(title)s”. Check the programme "
                    "and the committee next.", title=source.title), "success")
            return redirect(url_for("gatherings.show", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422 if source is not None else 400
    plan = copying.copy_plan(source, current_user) if source is not None else None
    return render_template("home/copy_gathering.html", form=form, source=source, plan=plan,
                           sources=copying.copy_sources(current_user)), status
