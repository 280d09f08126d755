"""The directorate in planning: the conversation per gathering between the county's hosts and
the directorate (on the programme, the grant application and the report), the directorate's
quality-assured mark on the programme, other counties' published programmes to read and copy
items from, and the directorate's evaluation meeting with the organisers after the gathering.

It stands above gatherings, grants and followup and reaches their pages only by what it
registers at app start: the gathering's overview (``overview``) and the template globals the
checklist and the final report draw (``views``)."""

from flask import Blueprint

bp = Blueprint("dialogue", __name__)

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.dialogue import overview as _overview  # noqa: E402,F401
