from flask import Blueprint

bp = Blueprint("gatherings", __name__, url_prefix="/gatherings")
