"""The post-event survey: the national template, each gathering's copy, anonymous collection,
results and the national comparison."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
