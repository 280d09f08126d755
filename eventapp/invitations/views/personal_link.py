"""The page a personal invitation link opens: registration with the municipality (or the
partner organisation) filled in.

It belongs to the invitations, which know the link, but keeps its address and endpoint on
registration's blueprint (``/r/<token>``, ``registration.personal``), where every invitation
already sent points; the place itself is taken by registration's services."""

from flask import abort
from flask_wtf import FlaskForm

from eventapp.core import policy
from eventapp.core.time import utcnow
from eventapp.extensions import db, limiter
from eventapp.gatherings.models import Gathering
from eventapp.invitations import services
from eventapp.registration import bp as registration_bp
from eventapp.registration.views import REGISTER_LIMIT, register_page


@registration_bp.route("/r/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def personal(token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None:
        abort(404)
    gathering = db.session.get(Gathering, invitation.gathering_id)
    if not FlaskForm().is_submitted():
        invitation.mark_opened(utcnow())
        db.session.commit()
    # A partner contact's invitation names no municipality: the form starts at its partner.
    return register_page(gathering, channel="personal_link", unit=invitation.municipality,
                         person=(invitation.name, invitation.email), invitation_id=invitation.id,
                         partner=invitation.partner)
