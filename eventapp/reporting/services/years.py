"""Which year a report shows: the year asked for, the years with gatherings, and the default."""

from datetime import datetime

from sqlalchemy import extract, select

from eventapp.core.access import scope
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering

# What counts as a year is the survey's rule too (its national template is per year): kept
# there, below reporting, so both read the one rule.
from eventapp.surveys.services import FIRST_YEAR, LAST_YEAR, parse_year

__all__ = ["FIRST_YEAR", "LAST_YEAR", "default_year", "parse_year", "reported", "this_year",
           "years_with_data"]


def this_year() -> int:
    """This year in Oslo: every module of the package reads it here (and the tests set it)."""
    return datetime.now(OSLO).year


def reported(stmt, user):
    """Gatherings that count in a report: not drafts, and within the user's scope."""
    return scope(stmt.where(Gathering.status != "draft"), Gathering, user)


def years_with_data(user) -> list[int]:
    year = extract("year", Gathering.start_date)
    found = db.session.scalars(reported(select(year).distinct(), user))
    return sorted({int(y) for y in found if y is not None})


def default_year(user) -> int:
    """The latest year up to this one with gatherings; else the first planned one; else now."""
    now = this_year()
    years = years_with_data(user)
    past = [y for y in years if y <= now]
    if past:
        return past[-1]
    return years[0] if years else now
