"""The post-event survey: the national template, each gathering's copy, anonymous collection,
results and the national comparison."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.surveys import overview as _overview  # noqa: E402,F401
