"""Seating workflows: tables, rounds, pins and keep-apart pairs per gathering, and the plan.

The solver (``seating/solver``) works on plain data with string ids; ``instance`` maps rows to
it and back. A person is ``r<registration id>``, a table ``t<table id>``, a round its index in
position order. Everything the solver says in English with ids is put into words, translated,
with names (``words``: ``describe`` and ``describe_infeasible``).

The stored plan is one ``Seat`` per person and round plus the solver's report (metrics, broken
rules, rules that cannot be met) in ``SeatingSettings.plan_report``. The report carries a
fingerprint of the instance it was computed for: when tables, rounds, rules or people have
changed since, ``current_plan`` (``plan_view``) scores the stored seats again against what holds
now and says who is no longer or not yet seated, so the page can offer to re-plan.

The modules: ``setup`` (the rules, tables and rounds), ``rules`` (marked neighbours, regions
kept apart, the spreads), ``days`` (which rounds each person attends), ``constraints`` (who is
seated, pins, pairs kept apart), ``instance`` (the solver's instance), ``words``, ``plan_view``
(the stored plan read and scored), ``planning`` (solve and store), ``jobs`` (a plan made in the
background by the job queue, its progress and stop), ``moves`` (one person moved by hand) and
``seats`` (a person's own seats). Mutating services ask the policy for ``seating.manage`` and
flush, never commit.
"""

from eventapp.seating import solver
from eventapp.seating.services.constraints import (
    add_apart,
    add_pin,
    aparts,
    get_apart,
    get_pin,
    people,
    pins,
    remove_apart,
    remove_pin,
)
from eventapp.seating.services.days import (
    checkin_started,
    days_present,
    missed_day,
    present_rounds,
    round_day,
)
from eventapp.seating.services.instance import (
    SOLVER_ROLES,
    _ident,
    _seats,
    build_instance,
    fingerprint,
    organisation_key,
    partner_kind,
    person_id,
    regions,
    table_id,
)
from eventapp.seating.services.moves import move, preview_move
from eventapp.seating.services.plan_view import (
    Move,
    PlanView,
    Problem,
    RoundView,
    Stale,
    TableView,
    current_plan,
    names_for,
)
from eventapp.seating.services.planning import plan
from eventapp.seating.services.rules import (
    add_neighbour,
    apart_regions,
    get_neighbour,
    neighbour_choices,
    neighbours,
    region_counsellors,
    remove_neighbour,
    set_apart_regions,
)
from eventapp.seating.services.seats import person_summary, round_numbers, seats_for
from eventapp.seating.services.setup import (
    MAX_ROUNDS,
    MAX_SEATS,
    MAX_SEED,
    MAX_TABLES,
    NAME_MAX,
    SWITCHES,
    default_table_name,
    get_table,
    group_work_items,
    mode_label,
    remove_round,
    rounds,
    rounds_from_programme,
    set_rounds,
    set_tables,
    settings_for,
    tables,
    update_more_rules,
    update_settings,
    update_table,
)
from eventapp.seating.services.words import (
    SOFT_RULES,
    describe,
    describe_infeasible,
    describe_reason,
    rule_label,
)

__all__ = [
    "MAX_ROUNDS",
    "MAX_SEATS",
    "MAX_SEED",
    "MAX_TABLES",
    "Move",
    "NAME_MAX",
    "PlanView",
    "Problem",
    "RoundView",
    "SOFT_RULES",
    "SOLVER_ROLES",
    "SWITCHES",
    "Stale",
    "TableView",
    "_ident",
    "_seats",
    "add_apart",
    "add_neighbour",
    "add_pin",
    "apart_regions",
    "aparts",
    "build_instance",
    "checkin_started",
    "current_plan",
    "days_present",
    "default_table_name",
    "describe",
    "describe_infeasible",
    "describe_reason",
    "fingerprint",
    "get_apart",
    "get_neighbour",
    "get_pin",
    "get_table",
    "group_work_items",
    "missed_day",
    "mode_label",
    "move",
    "names_for",
    "neighbour_choices",
    "neighbours",
    "organisation_key",
    "partner_kind",
    "people",
    "person_id",
    "person_summary",
    "pins",
    "plan",
    "present_rounds",
    "preview_move",
    "region_counsellors",
    "regions",
    "remove_apart",
    "remove_neighbour",
    "remove_pin",
    "remove_round",
    "round_day",
    "round_numbers",
    "rounds",
    "rounds_from_programme",
    "rule_label",
    "seats_for",
    "set_apart_regions",
    "set_rounds",
    "set_tables",
    "settings_for",
    "solver",
    "table_id",
    "tables",
    "update_more_rules",
    "update_settings",
    "update_table",
]
