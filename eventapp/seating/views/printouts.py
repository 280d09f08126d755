"""The printouts: a card per table, and a list of everyone's tables."""

from flask import render_template

from eventapp.core import policy
from eventapp.seating import services
from eventapp.seating.views import bp
from eventapp.seating.views.common import load_gathering, page_labels


@bp.get("/gatherings/<int:gathering_id>/seating/print/tables")
@policy.requires("seating.view")
def print_tables(gathering_id: int):
    gathering = load_gathering(gathering_id)
    return render_template("seating/print_tables.html", gathering=gathering,
                           plan=services.current_plan(gathering), **page_labels(gathering))


@bp.get("/gatherings/<int:gathering_id>/seating/print/people")
@policy.requires("seating.view")
def print_people(gathering_id: int):
    gathering = load_gathering(gathering_id)
    return render_template("seating/print_people.html", gathering=gathering,
                           plan=services.current_plan(gathering), **page_labels(gathering))
