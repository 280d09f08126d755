from flask import Blueprint

bp = Blueprint("grants", __name__)

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.grants import overview as _overview  # noqa: E402,F401
