from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from eventapp.core.access import get_scoped_or_404, scope
from eventapp.extensions import db
from eventapp.gatherings import bp
from eventapp.gatherings.models import Gathering


@bp.get("/")
@login_required
def index():
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user).order_by(Gathering.start_date.desc())
    ).all()
    return render_template("gatherings/index.html", gatherings=gatherings)


@bp.get("/<int:gathering_id>")
@login_required
def show(gathering_id: int):
    gathering = get_scoped_or_404(Gathering, gathering_id)
    return render_template("gatherings/show.html", gathering=gathering)
