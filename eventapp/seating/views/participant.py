"""The participant's own tables: their calendar file, through their private link, and the
lines on their own page."""

from flask import Response, abort

from eventapp.core import policy
from eventapp.seating import calendar
from eventapp.seating.views import bp


@bp.get("/registrations/<token>/calendar.ics")
@policy.public
def participant_calendar(token: str):
    """The gathering's programme with this participant's tables, through their private link."""
    from eventapp.registration.services import registration_by_token

    registration = registration_by_token(token)
    if registration is None:
        abort(404)
    response = Response(calendar.participant_ics(registration),
                        content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="gathering.ics"'
    return response  # not stored anywhere: a link page (see security_headers)


@bp.app_template_global("seating_summary")
def seating_summary(registration) -> list[str]:
    """«Round 1: Table 4» … for the participant's own page; empty without a plan."""
    if registration is None or registration.status != "confirmed":
        return []
    return calendar.person_summary(registration)
