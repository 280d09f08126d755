"""Which years a report shows: the year or period asked for, the years with gatherings, and
the default."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import extract, select

from eventapp.core.access import scope
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering

# What counts as a year is the survey's rule too (its national template is per year): kept
# there, below reporting, so both read the one rule.
from eventapp.surveys.services import FIRST_YEAR, LAST_YEAR, parse_year

__all__ = ["FIRST_YEAR", "LAST_YEAR", "Period", "default_year", "parse_period", "parse_year",
           "reported", "this_year", "years_with_data"]


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


def default_year(user, found: list[int] | None = None) -> int:
    """The latest year up to this one with gatherings; else the first planned one; else now.
    ``found``: years_with_data(user), when the caller has it."""
    now = this_year()
    years = years_with_data(user) if found is None else found
    past = [y for y in years if y <= now]
    if past:
        return past[-1]
    return years[0] if years else now


@dataclass(frozen=True)
class Period:
    """The years a report covers, both ends included: one year when ``start == end``."""

    start: int
    end: int

    @property
    def years(self) -> range:
        return range(self.start, self.end + 1)

    @property
    def single(self) -> bool:
        return self.start == self.end

    @property
    def first_day(self) -> date:
        return date(self.start, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.end, 12, 31)

    @property
    def label(self) -> str:
        """"2025" or "2024–2026", as pages, files and their names show it."""
        return str(self.start) if self.single else f"{self.start}\u2013{self.end}"

    @property
    def slug(self) -> str:
        return str(self.start) if self.single else f"{self.start}-{self.end}"

    def args(self) -> dict:
        """The query arguments that ask for this period again (``year`` for a single year, as
        older links have it)."""
        return {"year": self.start} if self.single else {"from": self.start, "to": self.end}


def _one(raw: str | None, field: str) -> int | None:
    try:
        return parse_year(raw)
    except ValidationFailed:
        raise ValidationFailed(_("Give a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR), field=field) from None


def parse_period(args, default: int) -> Period:
    """The period ``args`` (a request's query arguments) ask for: ``from`` and ``to``, either
    alone meaning that one year; ``year`` as from = to = year (older links); none of them, the
    year ``default``. A year that is not one, a period that ends before it starts, or ``year``
    beside ``from``/``to`` is refused, naming the field."""
    year = _one(args.get("year"), "year")
    start, end = _one(args.get("from"), "from"), _one(args.get("to"), "to")
    if year is not None and (start is not None or end is not None):
        raise ValidationFailed(_("Give either a year or a period (from and to), not both."),
                               field="year")
    if year is not None:
        return Period(year, year)
    if start is None and end is None:
        return Period(default, default)
    start = start if start is not None else end
    end = end if end is not None else start
    if start > end:
        raise ValidationFailed(_("The period must end in or after the year it starts "
                                 "(%(start)d).", start=start), field="to")
    return Period(start, end)
