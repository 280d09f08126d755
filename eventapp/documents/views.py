"""The documents' download routes, each guarded as the page it mirrors: the final report and the
decision letter as the grant's pages (``grant.view``: 404 outside the county, 403 for municipal
contacts), the programme as its printable page (anyone once published)."""

import logging

from flask import Response, abort

from eventapp.core import policy
from eventapp.documents import bp, services
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.views.gathering import printable_gathering
from eventapp.grants import services as grants

log = logging.getLogger(__name__)


def _download(document: services.Document) -> Response:
    log.info("document %s rendered in %.2f s", document.filename, document.seconds)
    response = Response(document.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    # The documents may hold names and the county's accounts: kept by no shared cache (and the
    # app's rule for signed-in users tightens this to no-store).
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/gatherings/<int:gathering_id>/report.pdf")
@policy.requires("grant.view")
def final_report(gathering_id: int):
    return _download(services.final_report(policy.load(Gathering, gathering_id)))


@bp.get("/gatherings/<int:gathering_id>/grant/decision.pdf")
@policy.requires("grant.view")
def decision_letter(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    application = grants.application_for(gathering)
    if application is None or application.status != "decided":
        abort(404)
    return _download(services.decision_letter(gathering))


@bp.get("/gatherings/<int:gathering_id>/programme.pdf")
@policy.public
def programme(gathering_id: int):
    """As the printable programme: public once published, else for those who may see it."""
    return _download(services.programme(printable_gathering(gathering_id)))
