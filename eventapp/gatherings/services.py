"""Gathering workflows."""

from datetime import date

from flask_babel import gettext as _

from eventapp.core.access import may_manage_county
from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import County


def create_gathering(*, county: County, title: str, start_date: date, end_date: date, venue: str,
                     actor=None, **fields) -> Gathering:
    """A draft gathering for ``county``; a county host creates one only for their own county."""
    if actor is not None and not may_manage_county(actor, county.id):
        raise Forbidden(_("You may only create gatherings for your own county."))
    problems = {}
    if not (title or "").strip():
        problems["title"] = _("Enter a title.")
    if not (venue or "").strip():
        problems["venue"] = _("Enter the venue.")
    if end_date < start_date:
        problems["end_date"] = _("The gathering cannot end before it starts.")
    elif (end_date - start_date).days > 1:
        problems["end_date"] = _("A gathering lasts one or two days.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    gathering = Gathering(county=county, title=title.strip(), start_date=start_date,
                          end_date=end_date, venue=venue.strip(),
                          created_by_id=getattr(actor, "id", None), **fields)
    db.session.add(gathering)
    db.session.flush()
    return gathering
