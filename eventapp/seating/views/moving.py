"""Moving one person by hand, with a preview of what that breaks."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating import services
from eventapp.seating.forms import MoveForm
from eventapp.seating.views import bp
from eventapp.seating.views.common import (
    fill_choices,
    load_gathering,
    page_labels,
    parse_int,
    people_choices,
    round_labels,
)


def _move_page(gathering: Gathering, person_id: int | None, *, form=None, preview=None,
               status: int = 200):
    people = services.people(gathering)
    person = next((p for p in people if p.id == person_id), None)
    rounds = services.rounds(gathering)
    tables = services.tables(gathering)
    current = services.current_plan(gathering)
    seats = dict()
    if person is not None and current is not None:
        seats = {rnd.id: table for rnd, table in services.seats_for(person)}
    forms = []
    if person is not None and current is not None and policy.can(current_user, "seating.manage", gathering):
        for rnd in rounds:
            if form is not None and form.round_id.data == rnd.id:
                shown = form
            else:
                seat = seats.get(rnd.id)
                shown = MoveForm(formdata=None, registration_id=person.id, round_id=rnd.id,
                                 table_id=seat.id if seat is not None else None)
            fill_choices(gathering, people=people, rounds=rounds, tables=tables, forms=(shown,))
            # One form per round on the page: each select needs its own id for its label.
            shown.table_id.id = shown.table_id.label.field_id = f"table_id-{rnd.id}"
            forms.append((rnd, shown))
    # A refusal whose round form is not on the page (an unknown person or round) goes on top.
    shown_rounds = {rnd.id for rnd, _form in forms}
    orphan_errors = []
    if form is not None and form.errors and form.round_id.data not in shown_rounds:
        orphan_errors = [message for messages in form.errors.values() for message in messages
                         if isinstance(message, str)] + list(form.form_errors)
        if form.errors.get("csrf_token"):
            orphan_errors = [_("The form had expired. Please send it again.")]
    pins = {pin.round_id: pin for pin in services.pins(gathering)
            if person is not None and pin.registration_id == person.id}
    change = _compare(current, preview) if preview is not None else None
    return render_template(
        "seating/move.html", gathering=gathering, person=person, people=people,
        person_choices=people_choices(people), rounds=rounds, tables=tables, seats=seats,
        forms=forms, plan=current, pins=pins, preview=preview, change=change,
        moving=form if preview is not None else None, orphan_errors=orphan_errors,
        **page_labels(gathering, rounds)), status


def _compare(before, after) -> dict:
    """What a move changes: the problems it adds, those it mends, and the repeated pairs."""
    now = {p.key for p in after.problems}
    old = before.problems if before is not None else []
    metrics_before = before.metrics if before is not None else {}
    return {"added": after.new_problems,
            "solved": [p for p in old if p.key not in now],
            "repeats": (metrics_before.get("repeat_pairs"), after.metrics.get("repeat_pairs"))}


@bp.get("/gatherings/<int:gathering_id>/seating/move")
@policy.requires("seating.view")
def move(gathering_id: int):
    gathering = load_gathering(gathering_id)
    return _move_page(gathering, parse_int(request.args.get("person")))


@bp.post("/gatherings/<int:gathering_id>/seating/move")
@policy.requires("seating.manage")
def move_person(gathering_id: int):
    """«Show what breaks» renders the plan with the move and saves nothing; «Move» saves it and
    says what it broke."""
    gathering = load_gathering(gathering_id, "seating.manage")
    form = MoveForm()
    fill_choices(gathering, forms=(form,))
    person_id = form.registration_id.data
    if not form.validate_on_submit():
        return _move_page(gathering, person_id, form=form, status=422)
    kwargs = {"registration_id": form.registration_id.data, "round_id": form.round_id.data,
              "table_id": form.table_id.data}
    if not form.move.data:
        try:
            preview = services.preview_move(gathering, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _move_page(gathering, person_id, form=form, status=422)
        db.session.rollback()  # a preview never saves anything
        return _move_page(gathering, person_id, form=form, preview=preview)
    try:
        after = services.move(gathering, current_user, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        errors_to_form(form, exc)
        return _move_page(gathering, person_id, form=form,
                          status=exc.status if exc.status in (403, 404, 409) else 422)
    db.session.commit()
    labels = round_labels(services.rounds(gathering))
    person = next(p for p in services.people(gathering) if p.id == person_id)
    table = dict(form.table_id.choices)[form.table_id.data]
    flash(_("%(person)s now sits at %(table)s in %(round)s.", person=person.name, table=table,
            round=labels.get(form.round_id.data, "")), "success")
    if after.new_problems:
        for problem in after.new_problems:
            flash(_("This breaks a rule: %(problem)s", problem=problem.text), "error")
    else:
        flash(_("The move breaks no rule that held before."), "info")
    return redirect(url_for("seating.move", gathering_id=gathering.id, person=person_id)
                    + f"#round-{form.round_id.data}")
