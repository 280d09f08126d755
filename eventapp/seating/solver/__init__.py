"""Table allocation for group-work rounds: plain data in, plain data out.

An instance (the format of docs/api.md, "The seating solver on its own") lists people (with the
rounds each is there), tables, rounds and rules. ``solve`` first checks whether the hard rules
can be met at all and names each that cannot; then it searches for the plan that, in this
order, breaks the fewest hard rules, moves the fewest people from an earlier plan, repeats the
fewest table-mates and leaves the fewest wishes unmet, spreads partner kinds and size classes,
spreads roles evenly and, in regional rounds, keeps each region at one table. Every broken rule
and unmet wish comes with a reason: too few people for it, or the weightier things that each
mending move would make worse.

The search is anytime: it improves until the time limit or the best possible plan, reports
progress and can be stopped; with ``iterations`` in the instance it is bounded by steps and one
seed always gives the same plan. ``evaluate`` scores any plan (a hand-made move, a saved plan)
with the same rules.

The modules, in the order a solve goes through them: ``instance`` (the JSON read and checked),
``bounds`` (rules no plan can meet, the fewest repeats possible), ``state`` (the plan and its
counts, the moves, the weights), ``construct`` (the start), ``search`` (the annealing and
``solve``), ``tabu`` (the social golfers' kind of instance) and ``scoring`` (the full score
from scratch, the broken rules with their reasons, the metrics). Pure: no Flask, no database.
"""

from eventapp.seating.solver.bounds import balanced_sizes, check_feasibility, repeat_lower_bound
from eventapp.seating.solver.instance import (
    COUNTY_ROLES,
    MODES,
    PARTNER_KINDS,
    RULES,
    SIZE_CLASSES,
    SOFT_RULES,
    WISHES,
    Instance,
    InstanceError,
    parse,
)
from eventapp.seating.solver.scoring import evaluate, evaluate_state
from eventapp.seating.solver.search import default_iterations, solve
from eventapp.seating.solver.state import State

__all__ = [
    "COUNTY_ROLES",
    "MODES",
    "PARTNER_KINDS",
    "RULES",
    "SIZE_CLASSES",
    "SOFT_RULES",
    "WISHES",
    "Instance",
    "InstanceError",
    "State",
    "balanced_sizes",
    "check_feasibility",
    "default_iterations",
    "evaluate",
    "evaluate_state",
    "parse",
    "repeat_lower_bound",
    "solve",
]
