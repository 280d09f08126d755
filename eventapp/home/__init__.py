"""The start page: what waits for the signed-in user across every feature, so it sits above them."""

from flask import Blueprint

bp = Blueprint("home", __name__)
