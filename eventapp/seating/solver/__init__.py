"""Table allocation for group-work rounds: plain data in, plain data out.

An instance (the format of ../shared/API.md) lists people, tables, rounds and rules. ``solve``
first checks whether the hard rules can be met at all and names each that cannot; then it
searches (simulated annealing over moves and swaps, scored incrementally) for the plan that, in
this order, breaks the fewest hard rules, moves the fewest people from an earlier plan, repeats
the fewest table-mates across rounds, spreads roles evenly and, in regional rounds, keeps each
region at one table with its counsellor. The search is driven by an iteration budget, not by the
clock, so one seed always gives the same plan; the time limit only cuts a long search short.

``evaluate`` scores any plan (a hand-made move, a saved plan) with the same rules.

The modules, in the order a solve goes through them: ``instance`` (the JSON read and checked),
``bounds`` (rules no plan can meet, the fewest repeats possible), ``state`` (the plan and its
counts, the moves), ``construct`` (the start), ``search`` (the annealing, ``solve``) and
``scoring`` (the full score, the broken rules, the metrics). Pure: no Flask, no database.
"""

from eventapp.seating.solver.bounds import balanced_sizes, check_feasibility, repeat_lower_bound
from eventapp.seating.solver.instance import COUNTY_ROLES, MODES, RULES, Instance, InstanceError, parse
from eventapp.seating.solver.scoring import evaluate, evaluate_state
from eventapp.seating.solver.search import default_iterations, solve
from eventapp.seating.solver.state import State

__all__ = [
    "COUNTY_ROLES",
    "MODES",
    "RULES",
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
