"""The survey's calendar: today in Oslo, the years a template may have, and the days a survey
may open and send its mail."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from eventapp.core.errors import ValidationFailed
from eventapp.core.time import OSLO
from eventapp.gatherings.models import Gathering
from eventapp.surveys.models import Survey

FIRST_YEAR, LAST_YEAR = 2000, 2100
# How long a survey stays open when the host does not say.
DEFAULT_OPEN_DAYS = 14


def today() -> date:
    """Today in Oslo: every module of the package reads the day here (and the tests set it)."""
    return datetime.now(OSLO).date()


def parse_year(raw: str | None) -> int | None:
    """The year asked for, or None when none was; a year that is not one is refused."""
    if raw is None or raw == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4) \
            or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValidationFailed(_("Give a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR), field="year")
    return int(text)


def opens_from(gathering: Gathering) -> date:
    """The first day the survey may open: the QR code is shown in the closing session."""
    return gathering.start_date


def invites_from(gathering: Gathering) -> date:
    """The first day invitations and reminders may go out: the mail thanks people for coming."""
    return gathering.end_date


def default_closes_on(survey: Survey, on: date | None = None) -> date:
    """The closing date ``open_survey`` picks when the host gives none."""
    day = on or today()
    return survey.closes_on or max(day, survey.gathering.end_date) + timedelta(
        days=DEFAULT_OPEN_DAYS)
