"""The demo's partner organisations: each played county's list (``grants.PARTNERS``) kept as
the county's partners with their kind, a contact each for Vestland's (the current gathering's
county, whose campaigns can invite them), and the partners' registrations picking them.

Two of every three partner registrations pick their organisation from the list; the third
writes the name as free text, as people still may. A county whose partners exist is left as it
is, so running the demo again changes nothing.
"""

from sqlalchemy import select

from eventapp.demo.places import county as county_by_number
from eventapp.extensions import db

# The kind of each organisation, by how its name begins or what it holds.
KIND_BY_NAME = (
    ("NAV", "nav"), ("IMDi", "imdi"), ("Statsforvalteren", "statsforvalteren"),
    ("Tolketjenesten", "interpreter_service"), ("Frivilligsentralen", "voluntary"),
    ("Røde Kors", "voluntary"), ("voksenopplæring", "adult_education"),
    ("læringssenter", "adult_education"),
)


def kind_of(name: str) -> str:
    for word, kind in KIND_BY_NAME:
        if name.startswith(word) or word in name:
            return kind
    return "other"


def county_partners(number: str, names: tuple, host) -> dict[str, int]:
    """The county's partners by name (ids), made from ``names`` once by the county's host."""
    from eventapp.partners.models import Partner
    from eventapp.partners.services import add_contact, create_partner

    county = county_by_number(number)
    have = {p.name: p for p in db.session.scalars(
        select(Partner).where(Partner.county_id == county.id))}
    for name in names:
        if name not in have:
            have[name] = create_partner(host, county.id, name=name, kind=kind_of(name))
            if number == "46":
                add_contact(host, have[name], name=f"Kontaktperson {name}",
                            email=f"post@{_domain(name)}.example")
    return {name: partner.id for name, partner in have.items()}


def picks(i: int) -> bool:
    """Whether the ``i``-th partner registration of a gathering picks from the list."""
    return i % 3 != 2


def _domain(name: str) -> str:
    from eventapp.demo.grants import _slug

    return _slug(name)
