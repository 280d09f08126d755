"""Seating pages: the setup (tables, rounds, rules, pins, keep-apart pairs), the plan table by
table and person by person, moving one person by hand with a preview of what that breaks, the
printable table cards and per-person list, and each participant's calendar file with their
tables.

The blueprint lives here, not in ``__init__``, so the solver package imports nothing of Flask
(see ``eventapp/seating/__init__.py``).

Who sees what: the county's host changes everything; the county's career counsellors read the
setup, the plan and the printouts (a post from them is refused with 403); everyone else gets 404.
A participant reaches only their own calendar file, through their private link.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from eventapp.core.errors import DomainError
from eventapp.core.time import to_oslo
from eventapp.core.web import act, attempt, errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.forms import role_label
from eventapp.seating import calendar, services
from eventapp.seating.forms import (
    AddRoundForm,
    ApartForm,
    ConfirmForm,
    MoveForm,
    PinForm,
    PlanForm,
    RoundListForm,
    RulesForm,
    TableListForm,
    TablesForm,
)
from eventapp.seating.models import MODES, SeatingApart, SeatingPin, SeatingRound

# Shown when a remove button's form has expired.
REMOVE_EXPIRED = _l("Nothing was removed: the form had expired. Try again.")

bp = Blueprint("seating", __name__)

RULES = ("capacity", "min_counsellors_per_table", "max_county_staff_per_table",
         "max_per_organisation", "apart", "pinned")
# Registration roles that count as county staff at the tables (counsellors included).
COUNTY_ROLES = ("career_counsellor", "county_staff")


# --- access ------------------------------------------------------------------------------------

def may_read(gathering: Gathering) -> bool:
    """The county's host and the county's career counsellors."""
    return services.may_see(current_user, gathering)


@bp.app_template_global("may_read_seating")
def may_read_seating_global(gathering: Gathering) -> bool:
    return may_read(gathering)


def _gathering(gathering_id: int) -> Gathering:
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not may_read(gathering):
        abort(404)
    return gathering


def _host_gathering(gathering_id: int) -> Gathering:
    gathering = _gathering(gathering_id)
    if not _is_host(gathering):
        abort(403)
    return gathering


def _is_host(gathering: Gathering) -> bool:
    return services.may_manage(current_user, gathering)


# --- labels shared by the pages -----------------------------------------------------------------

def person_label(registration) -> str:
    organisation = registration.organisation_name
    return f"{registration.name} · {organisation}" if organisation else registration.name


def _round_labels(rounds: list[SeatingRound]) -> dict[int, str]:
    return {r.id: _("Round %(number)d", number=i) for i, r in enumerate(rounds, start=1)}


def _item_label(item) -> str:
    """«Wednesday 10 March 13:00–14:00: Group work …» in the reader's language."""
    if item is None:
        return ""
    start, end = to_oslo(item.starts_at), to_oslo(item.ends_at)
    pattern = "EEEE d. MMMM" if str(get_locale()).startswith("nb") else "EEEE d MMMM"
    day = format_date(start.date(), pattern)
    return _("%(day)s %(start)s–%(end)s: %(title)s", day=day, start=start.strftime("%H:%M"),
             end=end.strftime("%H:%M"), title=item.title)


def _percent(value) -> str:
    return format_percent(value or 0, "#,##0 %") if value is not None else "–"


def _labels(gathering: Gathering, rounds=None) -> dict:
    rounds = services.rounds(gathering) if rounds is None else rounds
    return {"round_label": _round_labels(rounds), "item_label": _item_label,
            "mode_label": services.mode_label, "rule_label": services.rule_label,
            "reg_role_label": role_label, "person_label": person_label, "percent": _percent,
            "decimal": format_decimal, "county_roles": COUNTY_ROLES, "is_host": _is_host(gathering)}


# --- setup: tables, rounds, rules, pins, keep-apart pairs --------------------------------------

def _people_choices(people) -> list[tuple[int, str]]:
    return [(p.id, person_label(p)) for p in sorted(people, key=lambda p: (p.name.lower(), p.id))]


def _fill_choices(gathering: Gathering, *, people=None, rounds=None, tables=None, items=None,
                  forms=()) -> None:
    """Give every select the gathering's own rows to choose from."""
    labels = None
    for form in forms:
        if form is None:
            continue
        for field in form:
            name = field.short_name
            if name in ("registration_id", "first_id", "second_id"):
                people = services.people(gathering) if people is None else people
                field.choices = [("", _("Choose a person"))] + _people_choices(people)
            elif name == "round_id" and hasattr(field, "refusal"):
                rounds = services.rounds(gathering) if rounds is None else rounds
                labels = labels or _round_labels(rounds)
                field.choices = [("", _("Choose a round"))] + [(r.id, labels[r.id])
                                                              for r in rounds]
            elif name == "table_id" and hasattr(field, "refusal"):
                tables = services.tables(gathering) if tables is None else tables
                field.choices = [("", _("Choose a table"))] + [(t.id, t.name) for t in tables]
            elif name == "mode":
                field.choices = [(m, services.mode_label(m)) for m in MODES]
            elif name == "item":
                items = services.group_work_items(gathering) if items is None else items
                field.choices = [("", _("No programme item"))] + [(i.id, _item_label(i))
                                                                   for i in items]
            elif name == "rounds":
                for entry in field:
                    _fill_choices(gathering, items=items, forms=(entry.form,))


def _table_rows(tables) -> list[dict]:
    return [{"table_id": t.id, "table_name": t.name, "seats": t.seats} for t in tables]


def _round_rows(rounds) -> list[dict]:
    return [{"round_id": r.id, "mode": r.mode, "item": r.programme_item_id} for r in rounds]


def _setup_page(gathering: Gathering, *, status: int = 200, refusals=(), **given):
    settings = services.settings_for(gathering)
    tables = services.tables(gathering)
    rounds = services.rounds(gathering)
    items = services.group_work_items(gathering)
    people = services.people(gathering)
    host = _is_host(gathering)
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
            "action": ConfirmForm(),
        }
        forms.update({k: v for k, v in given.items() if v is not None})
        _fill_choices(gathering, people=people, rounds=rounds, tables=tables, items=items,
                      forms=forms.values())
    linked = {r.programme_item_id for r in rounds if r.programme_item_id}
    return render_template(
        "seating/setup.html", gathering=gathering, settings=settings, tables=tables,
        rounds=rounds, items=items, people=people, pins=services.pins(gathering),
        aparts=services.aparts(gathering), unlinked_items=[i for i in items if i.id not in linked],
        seats_total=sum(t.seats for t in tables), refusals=list(refusals), **forms,
        **_labels(gathering, rounds)), status


@bp.get("/gatherings/<int:gathering_id>/seating")
@login_required
def setup(gathering_id: int):
    return _setup_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/seating/tables")
@login_required
def set_tables(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = TablesForm()
    made, status = attempt(form, lambda: services.set_tables(
        gathering, current_user, count=form.count.data, seats=form.seats.data))
    if made is None:
        return _setup_page(gathering, tables_form=form, status=status)
    flash(ngettext("There is now %(num)d table.", "There are now %(num)d tables.", len(made)),
          "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#tables")


@bp.post("/gatherings/<int:gathering_id>/seating/tables/names")
@login_required
def update_tables(gathering_id: int):
    """Names and seats of every table at once; a refusal lands beside its row's field."""
    gathering = _host_gathering(gathering_id)
    form = TableListForm()
    _fill_choices(gathering, forms=(form,))
    if not form.validate_on_submit():
        return _setup_page(gathering, table_list_form=form, status=422)
    known = {t.id: t for t in services.tables(gathering)}
    seen: dict[str, int] = {}
    refused = False
    for entry in form.tables:
        row = entry.form
        table = known.get(_int(row.table_id.data))
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
                services.update_table(known[_int(row.table_id.data)], current_user, name=_name_of(row),
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


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


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
@login_required
def save_rounds(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = RoundListForm()
    _fill_choices(gathering, forms=(form,))
    rounds = services.rounds(gathering)
    if form.is_submitted() and [_int(e.form.round_id.data) for e in form.rounds] != \
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
@login_required
def add_round(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = AddRoundForm()
    _fill_choices(gathering, forms=(form,))
    existing = [(r.mode, r.programme_item_id) for r in services.rounds(gathering)]
    rows = [None] * len(existing) + [form]
    made, status = _attempt_rounds(form, rows, lambda: services.set_rounds(
        gathering, current_user, [*existing, (form.mode.data, form.item.data)]))
    if made is None:
        return _setup_page(gathering, add_round_form=form, status=status)
    flash(_("Round %(number)d is added.", number=len(made)), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rounds/<int:round_id>/delete")
@login_required
def delete_round(gathering_id: int, round_id: int):
    gathering = _host_gathering(gathering_id)
    rounds = services.rounds(gathering)
    if round_id not in {r.id for r in rounds}:
        abort(404)
    number = [r.id for r in rounds].index(round_id) + 1
    act(lambda: services.remove_round(next(r for r in rounds if r.id == round_id), current_user),
        lambda _r: _("Round %(number)d is removed.", number=number), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rounds/from-programme")
@login_required
def rounds_from_programme(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    act(lambda: services.rounds_from_programme(gathering, current_user),
        lambda made: ngettext("One round for the programme's one group-work item.",
                              "%(num)d rounds, one for each group-work item of the programme.",
                              len(made)),
        _("Nothing was changed: the form had expired. Try again."))
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#rounds")


@bp.post("/gatherings/<int:gathering_id>/seating/rules")
@login_required
def save_rules(gathering_id: int):
    gathering = _host_gathering(gathering_id)
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
@login_required
def add_pin(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = PinForm()
    _fill_choices(gathering, forms=(form,))
    pin, status = attempt(form, lambda: services.add_pin(
        gathering, current_user, registration_id=form.registration_id.data,
        round_id=form.round_id.data, table_id=form.table_id.data))
    if pin is None:
        return _setup_page(gathering, pin_form=form, status=status)
    flash(_("%(person)s is pinned to %(table)s in %(round)s.", person=pin.registration.name,
            table=pin.table.name, round=_round_labels(services.rounds(gathering))[pin.round_id]),
          "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#pins")


@bp.post("/gatherings/<int:gathering_id>/seating/pins/<int:pin_id>/delete")
@login_required
def delete_pin(gathering_id: int, pin_id: int):
    gathering = _host_gathering(gathering_id)
    pin = db.session.get(SeatingPin, pin_id)
    if pin is None or pin.round.gathering_id != gathering.id:
        abort(404)
    name = pin.registration.name
    act(lambda: services.remove_pin(pin, current_user),
        lambda _r: _("%(person)s is no longer pinned there.", person=name), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#pins")


@bp.post("/gatherings/<int:gathering_id>/seating/apart")
@login_required
def add_apart(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = ApartForm()
    _fill_choices(gathering, forms=(form,))
    pair, status = attempt(form, lambda: services.add_apart(
        gathering, current_user, first_id=form.first_id.data, second_id=form.second_id.data))
    if pair is None:
        return _setup_page(gathering, apart_form=form, status=status)
    flash(_("%(first)s and %(second)s will not share a table.", first=pair.first.name,
            second=pair.second.name), "success")
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#apart")


@bp.post("/gatherings/<int:gathering_id>/seating/apart/<int:apart_id>/delete")
@login_required
def delete_apart(gathering_id: int, apart_id: int):
    gathering = _host_gathering(gathering_id)
    pair = db.session.get(SeatingApart, apart_id)
    if pair is None or pair.gathering_id != gathering.id:
        abort(404)
    names = (pair.first.name, pair.second.name)
    act(lambda: services.remove_apart(pair, current_user),
        lambda _r: _("%(first)s and %(second)s may share a table again.", first=names[0],
                     second=names[1]), REMOVE_EXPIRED)
    return redirect(url_for("seating.setup", gathering_id=gathering.id) + "#apart")


# --- the plan -----------------------------------------------------------------------------------

def _role_counts(people) -> dict[str, int]:
    counts: dict[str, int] = {}
    for person in people:
        counts[person.role] = counts.get(person.role, 0) + 1
    return counts


def _plan_context(gathering: Gathering, plan) -> dict:
    settings = services.settings_for(gathering)
    metrics = plan.metrics if plan is not None else {}
    rules_on = {
        "capacity": True, "apart": True, "pinned": True,
        "min_counsellors_per_table": bool(settings.min_counsellors_per_table),
        "max_county_staff_per_table": bool(settings.max_county_staff_per_table),
        "max_per_organisation": bool(settings.max_per_organisation),
    }
    problems_by_rule: dict[str, list] = {}
    for problem in plan.problems if plan is not None else []:
        problems_by_rule.setdefault(problem.rule, []).append(problem)
    return {"plan": plan, "metrics": metrics, "settings": settings, "rules": RULES,
            "rules_on": rules_on, "problems_by_rule": problems_by_rule,
            "stale": _stale(plan), "role_counts": _role_counts}


def _stale(plan) -> list[str]:
    """What changed since the plan was made, in words (empty: the plan is up to date)."""
    if plan is None or not plan.stale:
        return []
    stale, reasons = plan.stale, []
    if stale.unseated:
        reasons.append(ngettext(
            "%(num)d person with a confirmed place has no seat: %(names)s.",
            "%(num)d people with a confirmed place have no seat: %(names)s.",
            len(stale.unseated), names=", ".join(r.name for r in stale.unseated)))
    if stale.dropped:
        reasons.append(ngettext(
            "%(num)d seated person no longer has a confirmed place: %(names)s.",
            "%(num)d seated people no longer have a confirmed place: %(names)s.",
            len(stale.dropped), names=", ".join(r.name for r in stale.dropped)))
    if stale.changed:
        reasons.append(_("Tables, rounds, rules, pins or pairs kept apart have changed since the "
                         "plan was made; the figures below score the seats against what holds "
                         "now."))
    return reasons


@bp.get("/gatherings/<int:gathering_id>/seating/plan")
@login_required
def plan(gathering_id: int):
    gathering = _gathering(gathering_id)
    view = request.args.get("view", "tables")
    if view not in ("tables", "people"):
        view = "tables"
    current = services.current_plan(gathering)
    return render_template(
        "seating/plan.html", gathering=gathering, view=view,
        plan_form=PlanForm() if _is_host(gathering) else None,
        tables=services.tables(gathering), people=services.people(gathering),
        **_plan_context(gathering, current), **_labels(gathering))


@bp.post("/gatherings/<int:gathering_id>/seating/plan")
@login_required
def make_plan(gathering_id: int):
    gathering = _host_gathering(gathering_id)
    form = PlanForm()
    replan = bool(form.replan.data)
    made, _status = attempt(form, lambda: services.plan(gathering, current_user, replan=replan))
    target = url_for("seating.plan", gathering_id=gathering.id)
    if made is None:
        for message in (*form.form_errors, *(form.errors.get("csrf_token") or ())):
            flash(message if message in form.form_errors
                  else _("The form had expired. Please send it again."), "error")
        return redirect(target)
    broken = made.metrics.get("hard_violations", 0)
    repeats = made.metrics.get("repeat_pairs", 0)
    if replan:
        flash(ngettext("The plan is updated; %(num)d seat changed.",
                       "The plan is updated; %(num)d seats changed.",
                       made.metrics.get("moved", 0)), "success")
    else:
        flash(_("The table plan is made."), "success")
    if broken:
        flash(ngettext("It breaks %(num)d rule; see the problems below.",
                       "It breaks rules %(num)d times; see the problems below.", broken), "error")
    elif made.infeasible:
        flash(_("Some rules cannot be met with these people and tables; see why below."),
              "error")
    else:
        flash(ngettext("It breaks no rule, and %(num)d pair sits together more than once.",
                       "It breaks no rule, and %(num)d pairs sit together more than once.",
                       repeats), "info")
    return redirect(target)


# --- moving one person by hand ------------------------------------------------------------------

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
    if person is not None and current is not None and _is_host(gathering):
        for rnd in rounds:
            if form is not None and form.round_id.data == rnd.id:
                shown = form
            else:
                seat = seats.get(rnd.id)
                shown = MoveForm(formdata=None, registration_id=person.id, round_id=rnd.id,
                                 table_id=seat.id if seat is not None else None)
            _fill_choices(gathering, people=people, rounds=rounds, tables=tables, forms=(shown,))
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
        person_choices=_people_choices(people), rounds=rounds, tables=tables, seats=seats,
        forms=forms, plan=current, pins=pins, preview=preview, change=change,
        moving=form if preview is not None else None, orphan_errors=orphan_errors,
        **_labels(gathering, rounds)), status


def _compare(before, after) -> dict:
    """What a move changes: the problems it adds, those it mends, and the repeated pairs."""
    now = {p.key for p in after.problems}
    old = before.problems if before is not None else []
    metrics_before = before.metrics if before is not None else {}
    return {"added": after.new_problems,
            "solved": [p for p in old if p.key not in now],
            "repeats": (metrics_before.get("repeat_pairs"), after.metrics.get("repeat_pairs"))}


@bp.get("/gatherings/<int:gathering_id>/seating/move")
@login_required
def move(gathering_id: int):
    gathering = _gathering(gathering_id)
    return _move_page(gathering, _int(request.args.get("person")))


@bp.post("/gatherings/<int:gathering_id>/seating/move")
@login_required
def move_person(gathering_id: int):
    """«Show what breaks» renders the plan with the move and saves nothing; «Move» saves it and
    says what it broke."""
    gathering = _host_gathering(gathering_id)
    form = MoveForm()
    _fill_choices(gathering, forms=(form,))
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
    labels = _round_labels(services.rounds(gathering))
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


# --- printouts ----------------------------------------------------------------------------------

@bp.get("/gatherings/<int:gathering_id>/seating/print/tables")
@login_required
def print_tables(gathering_id: int):
    gathering = _gathering(gathering_id)
    return render_template("seating/print_tables.html", gathering=gathering,
                           plan=services.current_plan(gathering), **_labels(gathering))


@bp.get("/gatherings/<int:gathering_id>/seating/print/people")
@login_required
def print_people(gathering_id: int):
    gathering = _gathering(gathering_id)
    return render_template("seating/print_people.html", gathering=gathering,
                           plan=services.current_plan(gathering), **_labels(gathering))


# --- the participant's own calendar file ---------------------------------------------------------

@bp.get("/registrations/<token>/calendar.ics")
def participant_calendar(token: str):
    """The gathering's programme with this participant's tables, through their private link."""
    from eventapp.registration.services import registration_by_token

    registration = registration_by_token(token) if len(token) <= 64 else None
    if registration is None:
        abort(404)
    response = Response(calendar.participant_ics(registration),
                        content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="gathering.ics"'
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.app_template_global("seating_summary")
def seating_summary(registration) -> list[str]:
    """«Round 1: Table 4» … for the participant's own page; empty without a plan."""
    if registration is None or registration.status != "confirmed":
        return []
    return calendar.person_summary(registration)
