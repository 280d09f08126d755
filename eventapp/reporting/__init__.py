from flask import Blueprint

# No url_prefix: the national reports live under /reports, a gathering's survey results beside
# the gathering's other pages under /gatherings/<id>.
bp = Blueprint("reporting", __name__)
