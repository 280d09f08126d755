from flask import Blueprint

bp = Blueprint("invitations", __name__, url_prefix="/gatherings")

# The feature's part of the gathering's overview, registered as the app starts.
from eventapp.invitations import overview as _overview  # noqa: E402,F401
