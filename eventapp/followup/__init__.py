"""The follow-up log: questions and inputs raised at a gathering, each with an answer or an
action, an owner and a status; answers mailed to all participants, actions into the final
report."""

from flask import Blueprint

bp = Blueprint("followup", __name__)
