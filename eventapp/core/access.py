"""Roles and the scope of every query. Who may *do* what is the policy's (``core.policy``).

A model that belongs to a county says how to reach that county (``scope_county``) and, where a
municipal contact may see it, how to reach its municipality (``scope_municipality``). ``scope``
turns that into a WHERE clause for the acting user, and views and the API both go through it,
so no feature re-invents the rule.
"""

from enum import StrEnum

from sqlalchemy import Select, false, or_, select

from eventapp.extensions import db


class Role(StrEnum):
    DIRECTORATE = "directorate"
    COUNTY_HOST = "county_host"
    COUNSELLOR = "counsellor"
    MUNICIPAL_CONTACT = "municipal_contact"


# Roles that act for a whole county.
COUNTY_ROLES = frozenset({Role.COUNTY_HOST, Role.COUNSELLOR})


def scope(stmt: Select, model, user) -> Select:
    """Restrict ``stmt`` (selecting ``model``) to what ``user`` may see.

    ``model.scope_county()`` returns the column holding the owning county's id;
    ``model.scope_municipality()`` (optional) the municipality's id. A model without the latter
    is hidden from municipal contacts unless it sets ``municipal_contacts_see_county = True``.

    A model with ``scope_owner()`` (the id of the user who caused it) is private to that user,
    except that the county host sees all of their county's.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return stmt.where(false())
    if user.role == Role.DIRECTORATE:
        return stmt
    owner = getattr(model, "scope_owner", None)
    if owner is not None:
        mine = owner() == user.id
        if user.role == Role.COUNTY_HOST:
            return stmt.where(or_(mine, model.scope_county() == user.county_id))
        return stmt.where(mine)
    if user.role in COUNTY_ROLES:
        return stmt.where(model.scope_county() == user.county_id)
    if user.role == Role.MUNICIPAL_CONTACT:
        by_municipality = getattr(model, "scope_municipality", None)
        if by_municipality is not None:
            return stmt.where(by_municipality() == user.municipality_id)
        if getattr(model, "municipal_contacts_see_county", False):
            return stmt.where(model.scope_county() == user.county_id)
    return stmt.where(false())


def get_scoped(model, ident, user):
    """The object if it exists and ``user`` may see it, else None (callers answer 404)."""
    stmt = scope(select(model).where(model.id == ident), model, user)
    return db.session.scalars(stmt).first()


def role_label(role: str) -> str:
    from flask_babel import gettext as _

    return {
        Role.DIRECTORATE: _("Directorate reviewer"),
        Role.COUNTY_HOST: _("County host"),
        Role.COUNSELLOR: _("Career counsellor"),
        Role.MUNICIPAL_CONTACT: _("Municipal contact"),
    }.get(role, role)
