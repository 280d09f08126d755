from flask import Blueprint

bp = Blueprint("invitations", __name__, url_prefix="/gatherings")
