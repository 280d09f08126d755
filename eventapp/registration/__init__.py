from flask import Blueprint

bp = Blueprint("registration", __name__)

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.registration import overview as _overview  # noqa: E402,F401
