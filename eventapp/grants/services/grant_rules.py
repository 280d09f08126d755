"""The directorate's rules for a year: the rate per participant, how attendance counts, whether
speakers count, whether digital participants count, and how long personal data is kept after
the report is approved."""

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.grants.models import ATTENDANCE_RULES, DIGITAL_RULES, GrantRules
from eventapp.grants.services.amounts import whole_nok


def rules_for(year: int) -> GrantRules:
    """The rules for ``year``, or the defaults (not saved) when the directorate set none."""
    return db.session.get(GrantRules, year) or GrantRules.defaults(year)


def rules_for_years(years) -> dict[int, GrantRules]:
    """{year: rules_for(year)} in one query (session.get asks again for every year without
    saved rules)."""
    years = set(years)
    saved = {r.year: r for r in db.session.scalars(
        select(GrantRules).where(GrantRules.year.in_(years or [-1])))}
    return {year: saved.get(year) or GrantRules.defaults(year) for year in years}


def set_rules(year: int, actor, *, rate_nok: int, attendance: str, include_speakers: bool,
              purge_after_months: int, digital_counts: str | None = None) -> GrantRules:
    """Save the year's rules. ``digital_counts`` None keeps what the year has (or the default)."""
    policy.authorize(actor, "grant.rules")
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Give a year between 2000 and 2100."), field="year")
    whole_nok(rate_nok, "rate_nok", minimum=1, maximum=1_000_000)
    if attendance not in ATTENDANCE_RULES:
        raise ValidationFailed(_("Choose how attendance counts."), field="attendance")
    if digital_counts is not None and digital_counts not in DIGITAL_RULES:
        raise ValidationFailed(_("Choose whether digital participants count."),
                               field="digital_counts")
    if isinstance(purge_after_months, bool) or not isinstance(purge_after_months, int) \
            or not 1 <= purge_after_months <= 60:
        raise ValidationFailed(_("Give a number of months from 1 to 60."),
                               field="purge_after_months")
    rules = db.session.get(GrantRules, year)
    if rules is None:
        rules = GrantRules(year=year)
        db.session.add(rules)
    rules.rate_nok = rate_nok
    rules.attendance = attendance
    rules.include_speakers = bool(include_speakers)
    if digital_counts is not None:
        rules.digital_counts = digital_counts
    elif rules.digital_counts is None:
        rules.digital_counts = "full"
    rules.purge_after_months = purge_after_months
    rules.updated_at = utcnow()
    rules.updated_by_id = actor.id
    db.session.flush()
    return rules

