"""The demo's table-plan rules: neighbour municipalities the Vestland host has marked (kept by
the county, so every Vestland gathering has them) and a few wishes given at registration. The
partners' kinds come with the partners (``partners``). Safe to run again: a pair or a wish
already there is left as it is."""

from sqlalchemy import select

from eventapp.extensions import db

# Municipality numbers of Vestland marked as neighbours.
DEMO_NEIGHBOURS = (("4601", "4627"), ("4601", "4626"), ("4626", "4627"), ("4621", "4622"))
# Registrations of the current gathering (by email) and their wish for the tables.
DEMO_WISHES = {
    "oksana.melnyk@askoy.kommune.example": "apart_from_neighbours",
    "olav.lid@voss.herad.example": "regional",
}


def demo_seating(gathering, host) -> None:
    """Mark the neighbours and give the wishes. The caller commits."""
    from eventapp.places.models import Municipality
    from eventapp.registration.models import Registration
    from eventapp.seating.models import SeatingNeighbour
    from eventapp.seating.services import add_neighbour

    units = {m.number: m for m in db.session.scalars(
        select(Municipality).where(Municipality.county_id == gathering.county_id))}
    marked = {(n.first_id, n.second_id) for n in db.session.scalars(
        select(SeatingNeighbour).where(SeatingNeighbour.county_id == gathering.county_id))}
    for first, second in DEMO_NEIGHBOURS:
        if first not in units or second not in units:
            continue
        if tuple(sorted((units[first].id, units[second].id))) not in marked:
            add_neighbour(gathering, host, municipality_id=units[first].id,
                          neighbour_id=units[second].id)
    for reg in db.session.scalars(select(Registration).where(
            Registration.gathering_id == gathering.id,
            Registration.email.in_(list(DEMO_WISHES)))):
        if reg.seating_wish is None:
            reg.seating_wish = DEMO_WISHES[reg.email]
    db.session.flush()
