"""Seating pages: the setup (tables, rounds, rules, pins, keep-apart pairs), the plan table by
table and person by person, moving one person by hand with a preview of what that breaks, the
printable table cards and per-person list, and each participant's calendar file with their
tables.

The blueprint lives here, not in ``eventapp/seating/__init__.py``, so the solver package imports
nothing of Flask (see there).

Who sees what (``seating.view`` and ``seating.manage`` in ``core.policy``): the county's host
changes everything; the county's career counsellors read the setup, the plan and the printouts
(a post from them is refused with 403); everyone else gets 404. A participant reaches only their
own calendar file, through their private link.
"""

from flask import Blueprint

bp = Blueprint("seating", __name__)

# The pages register on ``bp`` as they are imported.
from eventapp.seating.views import moving, participant, plan, printouts, setup  # noqa: E402

__all__ = ["bp", "moving", "participant", "plan", "printouts", "setup"]
