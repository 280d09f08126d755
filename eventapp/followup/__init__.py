"""The follow-up log: questions and inputs raised at a gathering, each with an answer or an
action, an owner and a status; answers mailed to all participants, actions into the final
report."""

from flask import Blueprint

bp = Blueprint("followup", __name__)

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.followup import overview as _overview  # noqa: E402,F401
