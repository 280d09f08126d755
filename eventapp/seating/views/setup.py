"""The setup page: tables, rounds, rules, pins and keep-apart pairs."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.web import act, attempt
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating import services
from eventapp.seating.forms import (
    AddRoundForm,
    ApartForm,
    ConfirmForm,
    MoreRulesForm,
    NeighbourForm,
    PinForm,
    RoundListForm,
    RulesForm,
    TableListForm,
    TablesForm,
)
from eventapp.seating.models import SeatingApart, SeatingPin
from eventapp.seating.views import bp
from eventapp.seating.views.common import (
    REMOVE_EXPIRED,
    fill_choices,
    load_gathering,
    page_labels,
    parse_int,
    round_labels,
)


def _table_rows(tables) -> list[dict]:
    return [{"table_id": t.id, "table_name": t.name, "seats": t.seats} for t in tables]


def _round_rows(rounds) -> list[dict]:
    return [{"round_id": r.id, "mode": r.mode, "item": r.programme_item_id} for r in rounds]


def _more_rules_form(settings, regions) -> MoreRulesForm:
    return MoreRulesForm(formdata=None, obj=settings,
                         apart_regions=[r.counsellor_id for r in regions])


def _fill_rule_choices(gathering: Gathering, *, more_rules_form=None, neighbour_form=None,
                       counsellors=None, units=None) -> None:
    """The regions (the county's counsellors who serve municipalities) and the county's
    municipalities to choose from."""
    if more_rules_form is not None:
        counsellors = services.region_counsellors(gathering) if counsellors is None \
            else counsellors
        more_rules_form.apart_regions.choices = [
            (u.id, _("%(name)s's region: %(places)s", name=u.name,
                     places=", ".join(m.name for m in sorted(u.assigned_municipalities,
                                                             key=lambda m: m.name))))
            for u in counsellors]
    if neighbour_form is not None:
        units = services.neighbour_choices(gathering) if units is None else units
        for field in (neighbour_form.municipality_id, neighbour_form.neighbour_id):
            field.choices = [("", _("Choose a municipality"))] + [(m.id, m.name) for m in units]


def _setup_page(gathering: Gathering, *, status: int = 200, refusals=(), **given):
    settings = services.settings_for(gathering)
    tables = services.tables(gathering)
    rounds = services.rounds(gathering)
    items = services.group_work_items(gathering)
    people = services.people(gathering)
    host = policy.can(current_user, "seating.manage", gathering)
    regions = services.apart_regions(gathering)
    counsellors = services.region_counsellors(gathering)
    forms = {}
    if host:
        forms = {
            "tables_form": TablesForm(formdata=None, count=len(tables) or 10,
                                      seats=tables[0].seats if tables else 8),
            "table_list_form": TableListForm(formdata=None, tables=_table_rows(tables)),
            "round_list_form": RoundListForm(formdata=None, rounds=_round_rows(rounds)),
            "add_round_form": AddRoundForm(formdata=None),
            "rules_form": RulesForm(formdata=None, obj=settings),
            "pin_form": PinForm(formdata=None),
            "apart_form": ApartForm(formdata=None),
            "more_rules_form": _more_rules_form(settings, regions),
            "neighbour_form": NeighbourForm(formdata=None),
            "action": ConfirmForm(),
        }
        forms.update({k: v for k, v in given.items() if v is not None})
        fill_choices(gathering, people=people, rounds=rounds, tables=tables, items=items,
                      forms=[f for k, f in forms.items() if k != "neighbour_form"])
        _fill_rule_choices(gathering, more_rules_form=forms["more_rules_form"],
                           neighbour_form=forms["neighbour_form"], counsellors=counsellors)
    linked = {r.programme_item_id for r in rounds if r.programme_item_id}
    return render_template(
        "seating/setup.html", gathering=gathering, settings=settings, tables=tables,
        rounds=rounds, items=items, people=people, pins=services.pins(gathering),
        aparts=services.aparts(gathering), unlinked_items=[i for i in items if i.id not in linked],
        neighbours=services.neighbours(gathering.county_id), apart_regions=regions,
        region_counsellors=counsellors, wishes=_wishes(people),
        seats_total=sum(t.seats for t in tables), refusals=list(refusals), **forms,
        **page_labels(gathering, rounds)), status


@bp.get("/gatherings/<int:gathering_id>/seating")
@policy.requires("seating.view")
def setup(gathering_id: int):
    return _setup_page(load_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/seating/tables")
@policy.requires("seating.manage")
def set_tables(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = TablesForm()
    made, status = attempt(form, lambda: services.set_tables(
        gathering, current_user, count=form.count.data, seats=form.seats.data))
    if made is None:
        return _setup_page(gathering, tables_form=form, status=status)
    flash(ngettext("There is now %(num)d table.", "There are now %(num)d tables.", len(made)),
          "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#tables")


@bp.post("/gatherings/<int:gathering_id>/seating/tables/names")
@policy.requires("seating.manage")
def update_tables(gathering_id: int):
    """Names and seats of every table at once; a refusal lands beside its row's field."""
    gathering = load_gathering(gathering_id, "seating.manage")
    form = TableListForm()
    fill_choices(gathering, forms=(form,))
    if not form.validate_on_submit():
        return _setup_page(gathering, table_list_form=form, status=422)
    known = {t.id: t for t in services.tables(gathering)}
    seen: dict[str, int] = {}
    refused = False
    for entry in form.tables:
        row = entry.form
        table = known.get(parse_int(row.table_id.data))
        name = (row.table_name.data or "").strip()
        if table is None:
            row.table_name.errors = [*row.table_name.errors,
                                     _("This table is no longer there. Reload the page.")]
            refused = True
            continue
        if name.lower() in seen:
            row.table_name.errors = [*row.table_name.errors,
                                     _("Another table is already called «%(name)s».", name=name)]
            refused = True
            continue
        seen[name.lower()] = table.id
    if not refused:
        for entry in form.tables:
            row = entry.form
            try:
                services.update_table(known[parse_int(row.table_id.data)], current_user, name=_name_of(row),
                                      seats=row.seats.data)
            except DomainError as exc:
                refused = True
                _row_errors(row, exc)
    if refused:
        db.session.rollback()
        return _setup_page(gathering, table_list_form=form, status=422)
    db.session.commit()
    flash(_("The tables are saved."), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#tables")


def _name_of(row) -> str:
    return (row.table_name.data or "").strip()


def _row_errors(row, exc: DomainError) -> None:
    """A service's refusal for one table row: «name» is this form's «table_name»."""
    placed = False
    for field, message in exc.fields.items():
        target = {"name": row.table_name, "table_name": row.table_name,
                  "seats": row.seats}.get(field)
        if target is not None:
            target.errors = [*target.errors, message]
            placed = True
    if not placed:
        row.table_name.errors = [*row.table_name.errors, exc.message]


def _attempt_rounds(form, rows: list, call) -> tuple:
    """``attempt`` for rounds: the service names a row's field as ``rounds.<i>.mode`` or
    ``rounds.<i>.programme_item_id``; the refusal goes beside that row's field (``rows[i]``,
    or on top when the row is not on this form)."""
    def place(form, exc: DomainError) -> None:
        placed = False
        for key, message in exc.fields.items():
            parts = key.split(".")
            row = rows[int(parts[1])] if len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(rows) else None
            target = None if row is None else {"mode": row.mode,
                                               "programme_item_id": row.item}.get(parts[2])
            if target is not None:
                target.errors = [*target.errors, message]
            else:
                form.form_errors.append(message)
            placed = True
        if not placed:
            form.form_errors.append(exc.message)

    return attempt(form, call, place)


@bp.post("/gatherings/<int:gathering_id>/seating/rounds")
@policy.requires("seating.manage")
def save_rounds(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = RoundListForm()
    fill_choices(gathering, forms=(form,))
    rounds = services.rounds(gathering)
    if form.is_submitted() and [parse_int(e.form.round_id.data) for e in form.rounds] != \
            [r.id for r in rounds]:
        return _setup_page(gathering, status=409, refusals=[
            _("The rounds were changed meanwhile. Here they are as they are now; make your "
              "change again.")])
    made, status = _attempt_rounds(form, [e.form for e in form.rounds], lambda: services.set_rounds(
        gathering, current_user, [(e.form.mode.data, e.form.item.data) for e in form.rounds]))
    if made is None:
        return _setup_page(gathering, round_list_form=form, status=status)
    flash(_("The rounds are saved."), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rounds/add")
@policy.requires("seating.manage")
def add_round(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = AddRoundForm()
    fill_choices(gathering, forms=(form,))
    existing = [(r.mode, r.programme_item_id) for r in services.rounds(gathering)]
    rows = [None] * len(existing) + [form]
    made, status = _attempt_rounds(form, rows, lambda: services.set_rounds(
        gathering, current_user, [*existing, (form.mode.data, form.item.data)]))
    if made is None:
        return _setup_page(gathering, add_round_form=form, status=status)
    flash(_("Round %(number)d is added.", number=len(made)), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rounds/<int:round_id>/delete")
@policy.requires("seating.manage")
def delete_round(gathering_id: int, round_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    rounds = services.rounds(gathering)
    if round_id not in {r.id for r in rounds}:
        abort(404)
    number = [r.id for r in rounds].index(round_id) + 1
    act(lambda: services.remove_round(next(r for r in rounds if r.id == round_id), current_user),
        lambda _r: _("Round %(number)d is removed.", number=number), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rounds/from-programme")
@policy.requires("seating.manage")
def rounds_from_programme(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    act(lambda: services.rounds_from_programme(gathering, current_user),
        lambda made: ngettext("One round for the programme's one group-work item.",
                              "%(num)d rounds, one for each group-work item of the programme.",
                              len(made)),
        _("Nothing was changed: the form had expired. Try again."))
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rules")
@policy.requires("seating.manage")
def save_rules(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = RulesForm()
    saved, status = attempt(form, lambda: services.update_settings(
        gathering, current_user, min_counsellors_per_table=form.min_counsellors_per_table.data,
        max_county_staff_per_table=form.max_county_staff_per_table.data,
        max_per_organisation=form.max_per_organisation.data, seed=form.seed.data,
        time_limit_s=form.time_limit_s.data))
    if saved is None:
        return _setup_page(gathering, rules_form=form, status=status)
    flash(_("The rules are saved."), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rules")


@bp.post("/gatherings/<int:gathering_id>/seating/pins")
@policy.requires("seating.manage")
def add_pin(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = PinForm()
    fill_choices(gathering, forms=(form,))
    pin, status = attempt(form, lambda: services.add_pin(
        gathering, current_user, registration_id=form.registration_id.data,
        round_id=form.round_id.data, table_id=form.table_id.data))
    if pin is None:
        return _setup_page(gathering, pin_form=form, status=status)
    flash(_("%(person)s is pinned to %(table)s in %(round)s.", person=pin.registration.name,
            table=pin.table.name, round=round_labels(services.rounds(gathering))[pin.round_id]),
          "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#pins")


@bp.post("/gatherings/<int:gathering_id>/seating/pins/<int:pin_id>/delete")
@policy.requires("seating.manage")
def delete_pin(gathering_id: int, pin_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    pin = db.session.get(SeatingPin, pin_id)
    if pin is None or pin.round.gathering_id != gathering.id:
        abort(404)
    name = pin.registration.name
    act(lambda: services.remove_pin(pin, current_user),
        lambda _r: _("%(person)s is no longer pinned there.", person=name), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#pins")


@bp.post("/gatherings/<int:gathering_id>/seating/apart")
@policy.requires("seating.manage")
def add_apart(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = ApartForm()
    fill_choices(gathering, forms=(form,))
    pair, status = attempt(form, lambda: services.add_apart(
        gathering, current_user, first_id=form.first_id.data, second_id=form.second_id.data))
    if pair is None:
        return _setup_page(gathering, apart_form=form, status=status)
    flash(_("%(first)s and %(second)s will not share a table.", first=pair.first.name,
            second=pair.second.name), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#apart")


@bp.post("/gatherings/<int:gathering_id>/seating/apart/<int:apart_id>/delete")
@policy.requires("seating.manage")
def delete_apart(gathering_id: int, apart_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    pair = db.session.get(SeatingApart, apart_id)
    if pair is None or pair.gathering_id != gathering.id:
        abort(404)
    names = (pair.first.name, pair.second.name)
    act(lambda: services.remove_apart(pair, current_user),
        lambda _r: _("%(first)s and %(second)s may share a table again.", first=names[0],
                     second=names[1]), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#apart")


def _wishes(people) -> dict[str, int]:
    """How many asked for each wish at registration."""
    counts: dict[str, int] = {}
    for person in people:
        if person.seating_wish:
            counts[person.seating_wish] = counts.get(person.seating_wish, 0) + 1
    return counts


@bp.post("/gatherings/<int:gathering_id>/seating/rules/more")
@policy.requires("seating.manage")
def save_more_rules(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = MoreRulesForm()
    _fill_rule_choices(gathering, more_rules_form=form)
    saved, status = attempt(form, lambda: services.update_more_rules(
        gathering, current_user, apart_regions=list(form.apart_regions.data or []),
        spread_partner_kinds=bool(form.spread_partner_kinds.data),
        apart_neighbours=bool(form.apart_neighbours.data),
        spread_large=bool(form.spread_large.data),
        follow_attendance=bool(form.follow_attendance.data)))
    if saved is None:
        return _setup_page(gathering, more_rules_form=form, status=status)
    flash(_("The rules are saved."), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#more-rules")


@bp.post("/gatherings/<int:gathering_id>/seating/neighbours")
@policy.requires("seating.manage")
def add_neighbour(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = NeighbourForm()
    _fill_rule_choices(gathering, neighbour_form=form)
    pair, status = attempt(form, lambda: services.add_neighbour(
        gathering, current_user, municipality_id=form.municipality_id.data,
        neighbour_id=form.neighbour_id.data))
    if pair is None:
        return _setup_page(gathering, neighbour_form=form, status=status)
    flash(_("%(first)s and %(second)s are marked as neighbours.", first=pair.first.name,
            second=pair.second.name), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#neighbours")


@bp.post("/gatherings/<int:gathering_id>/seating/neighbours/<int:pair_id>/delete")
@policy.requires("seating.manage")
def delete_neighbour(gathering_id: int, pair_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    try:
        pair = services.get_neighbour(gathering, pair_id)
    except DomainError:
        abort(404)
    names = (pair.first.name, pair.second.name)
    act(lambda: services.remove_neighbour(gathering, pair, current_user),
        lambda _r: _("%(first)s and %(second)s are no longer marked as neighbours.",
                     first=names[0], second=names[1]), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#neighbours")
