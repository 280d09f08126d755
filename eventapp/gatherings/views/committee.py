"""The programme committee: anyone who may see the gathering reads it; the host adds."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.models import Gathering


def place_label(unit) -> str:
    return f"{unit.name} ({unit.number})"


@bp.route("/<int:gathering_id>/committee", methods=["GET", "POST"])
@policy.requires("gathering.view")
def committee(gathering_id: int):
    """The programme committee: anyone who may see the gathering reads it; the host adds."""
    from sqlalchemy.exc import IntegrityError

    from eventapp.gatherings.forms import CommitteeMemberForm
    from eventapp.places.models import Municipality

    gathering = policy.load(Gathering, gathering_id)
    if request.method == "POST":
        policy.authorize(current_user, "gathering.manage", gathering)
    is_host = policy.can(current_user, "gathering.manage", gathering)
    form, status = None, 200
    if is_host:
        form = CommitteeMemberForm()
        form.municipality.choices = [("", _("None: county staff"))] + [
            (str(m.id), place_label(m)) for m in services.input_places(gathering)
        ]
        if form.validate_on_submit():
            chosen = form.municipality.data
            municipality = db.session.get(Municipality, int(chosen)) if chosen else None
            try:
                member = services.add_committee_member(
                    gathering, current_user, email=form.email.data, name=form.name.data or "",
                    municipality=municipality,
                )
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                errors_to_form(form, exc)
                status = 422
            except IntegrityError:
                # Two hosts added the same person at once; the database kept one.
                db.session.rollback()
                form.email.errors = [*form.email.errors, _("This person is already on the committee.")]
                status = 422
            else:
                if member.user.active:
                    flash(_("%(name)s is on the committee.", name=member.user.name), "success")
                else:
                    flash(_("%(name)s is on the committee and gets an email to activate the account.",
                            name=member.user.name), "success")
                return redirect(url_for("gatherings.committee", gathering_id=gathering.id))
        elif form.is_submitted():
            status = 422
    members = list(gathering.committee)
    municipal = [m for m in members if m.is_municipal]
    return render_template(
        "gatherings/committee.html", gathering=gathering, members=members, municipal=municipal,
        form=form, is_host=is_host, action=FlaskForm(),
    ), status


@bp.post("/<int:gathering_id>/committee/<int:member_id>/remove")
@policy.requires("gathering.manage")
def remove_member(gathering_id: int, member_id: int):
    gathering = policy.load(Gathering, gathering_id)
    member = next((m for m in gathering.committee if m.id == member_id), None)
    if member is None:
        abort(404)
    if FlaskForm().validate_on_submit():
        name = member.user.name
        services.remove_committee_member(gathering, current_user, member_id)
        db.session.commit()
        flash(_("%(name)s is no longer on the committee.", name=name), "success")
    return redirect(url_for("gatherings.committee", gathering_id=gathering.id))
