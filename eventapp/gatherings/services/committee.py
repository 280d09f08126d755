"""The gathering's programme committee: the county's host adds and removes its members."""


from flask_babel import gettext as _

from eventapp.accounts.models import User
from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import CommitteeMember, Gathering
from eventapp.places.models import Municipality


def is_committee_member(user, gathering: Gathering) -> bool:
    return any(m.user_id == user.id for m in gathering.committee)


def add_committee_member(gathering: Gathering, actor, *, email: str, name: str = "",
                         municipality: Municipality | None = None) -> CommitteeMember:
    """Add someone to the committee. A person without an account gets one and an emailed link
    to activate it: county staff as career counsellors, municipal staff as municipal contacts."""
    from eventapp.accounts.services import create_user, find_user_by_email

    policy.authorize(actor, "gathering.manage", gathering)
    user = find_user_by_email(email)
    if user is None:
        if municipality is not None and municipality.county_id != gathering.county_id:
            raise ValidationFailed(_("Choose a municipality in your own county."),
                                   field="municipality")
        user = create_user(
            email=email, name=name,
            role=Role.MUNICIPAL_CONTACT if municipality is not None else Role.COUNSELLOR,
            county=gathering.county, municipality=municipality, actor=actor,
        )
    elif user.role == Role.DIRECTORATE or user.county_id != gathering.county_id:
        raise ValidationFailed(
            _("%(email)s belongs to another county; committee members come from this county.",
              email=user.email), field="email")
    if is_committee_member(user, gathering):
        raise ValidationFailed(_("%(name)s is already on the committee.", name=user.name),
                               field="email")
    member = CommitteeMember(gathering=gathering, user=user, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    return member


def remove_committee_member(gathering: Gathering, actor, member_id: int) -> None:
    policy.authorize(actor, "gathering.manage", gathering)
    member = next((m for m in gathering.committee if m.id == member_id), None)
    if member is None:
        raise ValidationFailed(_("No such committee member."))
    gathering.committee.remove(member)
    db.session.flush()


def committee_users(gathering: Gathering) -> list[User]:
    return [m.user for m in gathering.committee]
