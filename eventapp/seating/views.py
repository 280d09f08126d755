"""Seating pages. The blueprint lives here, not in ``__init__``, so the solver package imports
nothing of Flask (see ``eventapp/seating/__init__.py``)."""

from flask import Blueprint

from eventapp.seating import models  # noqa: F401

bp = Blueprint("seating", __name__, url_prefix="/gatherings")
