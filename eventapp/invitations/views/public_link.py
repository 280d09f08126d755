"""The public registration link with its QR code, for the host, the committee, the county's
counsellors and the directorate to hand out (``public_link.share``)."""

from flask import Response, render_template, request

from eventapp.core import policy
from eventapp.gatherings.models import Gathering
from eventapp.invitations import bp, services
from eventapp.registration.services import registration_open


@bp.get("/<int:gathering_id>/public-link")
@policy.requires("public_link.share")
def public_link(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    return render_template(
        "invitations/outreach.html", gathering=gathering, section="public_link",
        url=services.public_registration_url(gathering),
        qr_svg=services.public_link_svg_inline(gathering),
        is_open=registration_open(gathering),
    )


@bp.get("/<int:gathering_id>/public-link.<any(svg, png):kind>")
@policy.requires("public_link.share")
def public_link_qr(gathering_id: int, kind: str):
    gathering = policy.load(Gathering, gathering_id)
    data = services.public_link_qr(gathering, kind)
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    response = Response(data, mimetype=mimetype)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="registration-qr-{gathering.id}.{kind}"')
    return response
