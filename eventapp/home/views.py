"""The start page: published gatherings for visitors; one's own gatherings and what waits
(applications and reports to review, reports sent back, purges due) for the signed-in."""

from datetime import date

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.services import rules_for, worklist
from eventapp.home import bp

# When the accessibility statement was last checked against the app (axe at 1280 and 390 px,
# reflow at 320 px, keyboard): change it with the statement.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 12, 7)


@bp.get("/")
@policy.public
def index():
    # Each card names its county: loaded with the gatherings, not once per county.
    with_county = joinedload(Gathering.county)
    if not current_user.is_authenticated:
        published = db.session.scalars(
            select(Gathering).where(Gathering.status.in_(("open", "closed")))
            .options(with_county).order_by(Gathering.start_date).limit(20)
        ).all()
        return render_template("home/welcome.html", published=published)
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user).options(with_county)
        .order_by(Gathering.start_date.desc())
        .limit(10)
    ).all()
    return render_template("home/home.html", gatherings=gatherings, worklist=worklist(current_user))


# --- public pages: the accessibility statement and the privacy notice (issue 16, item 7) ---
# Public on purpose: a participant has no account, and both pages are linked from every footer
# and every form a participant fills.


def _contact_email() -> str | None:
    # One address for feedback on accessibility and questions about personal data, set per
    # installation; without it the pages point at the host of the gathering instead.
    return current_app.config.get("CONTACT_EMAIL") or None


@bp.get("/accessibility")
@policy.public
def accessibility():
    return render_template("home/accessibility.html", contact=_contact_email(),
                           statement_date=ACCESSIBILITY_STATEMENT_DATE)


@bp.get("/privacy")
@policy.public
def privacy():
    # The directorate sets the months per year; this year's rule is the one a new registration
    # will meet.
    months = rules_for(date.today().year).purge_after_months
    return render_template("home/privacy.html", contact=_contact_email(), purge_after_months=months)


# The page that starts a gathering as a copy of an earlier one.
from eventapp.home import copy_views as _copy_views  # noqa: E402, F401
