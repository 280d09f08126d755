"""The channel report, and the public registration link with its QR code."""

import io

from sqlalchemy import func, select

from eventapp.core.web import external_url
from eventapp.extensions import db
from eventapp.invitations.services.board import board_units
from eventapp.registration.models import CHANNELS, Registration


def channel_report(gathering) -> dict:
    """How many live registrations (confirmed or waitlisted) each channel brought: per
    municipality, for county staff and partners together, and overall."""
    units = board_units(gathering)
    per_unit = {u.id: dict.fromkeys(CHANNELS, 0) for u in units}
    pool = dict.fromkeys(CHANNELS, 0)
    totals = dict.fromkeys(CHANNELS, 0)
    for municipality_id, channel, count in db.session.execute(
        select(Registration.municipality_id, Registration.channel, func.count(Registration.id))
        .where(Registration.gathering_id == gathering.id,
               Registration.status.in_(("confirmed", "waitlisted")))
        .group_by(Registration.municipality_id, Registration.channel)
    ):
        target = per_unit.get(municipality_id, pool)
        target[channel] = target.get(channel, 0) + count
        totals[channel] = totals.get(channel, 0) + count
    rows = [{"municipality": u, "counts": per_unit[u.id], "total": sum(per_unit[u.id].values())}
            for u in sorted(units, key=lambda u: u.name.casefold())]
    total = sum(totals.values())
    return {
        "channels": list(CHANNELS),
        "rows": rows,
        "pool": {"counts": pool, "total": sum(pool.values())},
        "totals": totals,
        "total": total,
        "shares": {c: (round(100 * n / total) if total else 0) for c, n in totals.items()},
        "municipalities_registered": sum(1 for r in rows if r["total"]),
    }


# The public registration link and its QR code.

def public_registration_url(gathering) -> str:
    return external_url("registration.public", gathering_id=gathering.id)


def public_link_qr(gathering, kind: str = "svg") -> bytes:
    """The public link as a QR code: SVG for the page and newsletters, PNG for slides."""
    import segno

    qr = segno.make(public_registration_url(gathering), error="m")
    out = io.BytesIO()
    if kind == "png":
        qr.save(out, kind="png", scale=10, border=4)
    else:
        qr.save(out, kind="svg", scale=6, border=4, xmldecl=True, svgns=True,
                title=gathering.title)
    return out.getvalue()


def public_link_svg_inline(gathering) -> str:
    """The QR code as markup for the page (presentation attributes only: no style, no script,
    so it passes the Content-Security-Policy)."""
    import segno

    url = public_registration_url(gathering)
    # No fixed size: the stylesheet sizes it. The title is what a screen reader announces.
    return segno.make(url, error="m").svg_inline(
        scale=5, border=4, svgclass="qr-code", lineclass=None, omitsize=True,
        title=f"QR: {url}")
