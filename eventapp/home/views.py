"""The start page: published gatherings for visitors; one's own gatherings and what waits
(applications and reports to review, reports sent back, purges due) for the signed-in."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.services import worklist
from eventapp.home import bp


@bp.get("/")
@policy.public
def index():
    if not current_user.is_authenticated:
        published = db.session.scalars(
            select(Gathering).where(Gathering.status.in_(("open", "closed")))
            .order_by(Gathering.start_date).limit(20)
        ).all()
        return render_template("home/welcome.html", published=published)
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user)
        .order_by(Gathering.start_date.desc())
        .limit(10)
    ).all()
    return render_template("home/home.html", gatherings=gatherings, worklist=worklist(current_user))
