"""Changing a registration: a municipal contact (or the host) gives a place to a colleague,
and a registrant changes their own details by their private link."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import MANAGE_LINK, ROLES, Registration
from eventapp.registration.services.hosting import own_unit
from eventapp.registration.services.registering import (
    LIVE,
    ensure_unreported,
    hold_places,
    queue_confirmation,
    seating_wish,
)


@dataclass
class PersonData:
    """The new person in a swap."""

    name: str
    email: str
    role: str
    phone: str = ""


def swap(registration: Registration, actor, new: PersonData) -> Registration:
    """Give a registered person's place (or waitlist position) to a colleague.

    The registration keeps its id, status, municipality and position; the person changes and a
    new private link is made. Their own needs (dietary, accessibility, list consent) belonged to
    the old person and are cleared; the new person adds theirs by their own link. The new
    person gets the confirmation with the calendar file, the old one a short notice.
    """
    from email_validator import EmailNotValidError, validate_email

    gathering = db.session.get(Gathering, registration.gathering_id)
    unit = registration.municipality
    host = policy.can(actor, "registration.manage", gathering)
    if unit is None or not (host or own_unit(gathering, actor) == unit):
        raise NotFound(_("No such registration."))
    ensure_unreported(gathering)
    # The same locks as registering and cancelling (no head count: no count changes), so the
    # place stays put while it changes hands.
    hold_places(gathering, unit, head_count=False)
    ensure_unreported(gathering)
    db.session.refresh(registration)
    problems = {}
    if registration.status not in LIVE:
        raise ValidationFailed(_("A cancelled registration cannot be swapped."))
    if registration.attended:
        raise ValidationFailed(_("This person has already checked in."))
    if not (new.name or "").strip():
        problems["name"] = _("Enter the name of the colleague.")
    elif len(new.name.strip()) > 200:
        problems["name"] = _("The name can be at most 200 characters.")
    email = None
    try:
        email = validate_email((new.email or "").strip(),
                               check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems["email"] = _("Enter a valid work email address.")
    if new.role not in ROLES:
        problems["role"] = _("Choose the role.")
    if len((new.phone or "").strip()) > 40:
        problems["phone"] = _("The phone number can be at most 40 characters.")
    if email is not None and db.session.scalars(
        select(Registration.id).where(Registration.gathering_id == gathering.id,
                                      Registration.email == email,
                                      Registration.status.in_(LIVE))
    ).first():
        problems["email"] = _("This email address is already registered for the gathering.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)

    old_name, old_email = registration.name, registration.email
    registration.name = new.name.strip()
    registration.email = email
    registration.phone = (new.phone or "").strip() or None
    registration.role = new.role
    registration.dietary_needs = None
    registration.dietary_consent = False
    registration.accessibility_needs = None
    registration.list_consent = False
    MANAGE_LINK.renew(registration)
    db.session.flush()
    queue_confirmation(gathering, registration, actor)
    _queue_swap_notice(gathering, registration, actor, old_name, old_email)
    return registration


def _queue_swap_notice(gathering: Gathering, registration: Registration, actor, old_name: str,
                       old_email: str) -> None:
    from flask import current_app
    from flask_babel import force_locale

    from eventapp.mail.services import queue_mail

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Your place has gone to a colleague: %(title)s", title=gathering.title)
        body = "\n\n".join([
            _("Hello %(name)s,", name=old_name),
            _("%(organisation)s has given your place at %(title)s to %(new)s. You no longer have "
              "a registration, and your private link no longer works.",
              organisation=registration.organisation_name, title=gathering.title,
              new=registration.name),
            _("If this is a mistake, contact the person in your municipality who registers "
              "for the gathering."),
        ]) + "\n"
    queue_mail(kind="registration.swapped", to=old_email, to_name=old_name, subject=subject,
               body_text=body, created_by=actor, county_id=gathering.county_id,
               gathering_id=gathering.id)


@dataclass
class OwnChanges:
    """What a registrant may change themselves (not name, email or organisation: a swap)."""

    phone: str = ""
    day1: bool = True
    day2: bool = True
    attends_dinner: bool = False
    dietary_needs: str = ""
    dietary_consent: bool = False
    accessibility_needs: str = ""
    accommodation: bool = False
    travel_support_requested: bool = False
    list_consent: bool = False
    seating_wish: str | None = None


def editable(registration: Registration) -> bool:
    """Whether the registrant can still change it: it is live and the gathering has not been
    held yet (a state check, not a permission: the private link is the permission)."""
    gathering = registration.gathering
    return registration.status in LIVE and gathering.status in ("open", "closed")


def update_own(registration: Registration, changes: OwnChanges) -> Registration:
    gathering = registration.gathering
    ensure_unreported(gathering)
    if not editable(registration):
        raise ValidationFailed(_("This registration can no longer be changed."))
    problems = {}
    day2 = bool(changes.day2) and gathering.days > 1
    if not (changes.day1 or day2):
        problems["day1"] = _("Choose at least one of the days.")
    dietary = (changes.dietary_needs or "").strip()
    if dietary and not changes.dietary_consent:
        problems["dietary_consent"] = _(
            "Tick the box to let the host keep your dietary needs, or leave them out.")
    if len(dietary) > 500:
        problems["dietary_needs"] = _("Keep it within 500 characters.")
    if len((changes.accessibility_needs or "").strip()) > 500:
        problems["accessibility_needs"] = _("Keep it within 500 characters.")
    if len((changes.phone or "").strip()) > 40:
        problems["phone"] = _("The phone number can be at most 40 characters.")
    try:
        wish = seating_wish(changes.seating_wish)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    registration.phone = (changes.phone or "").strip() or None
    registration.day1 = bool(changes.day1)
    registration.day2 = day2
    registration.attends_dinner = bool(changes.attends_dinner)
    registration.dietary_needs = dietary or None
    registration.dietary_consent = bool(dietary and changes.dietary_consent)
    registration.accessibility_needs = (changes.accessibility_needs or "").strip() or None
    registration.accommodation = bool(changes.accommodation)
    registration.travel_support_requested = bool(changes.travel_support_requested)
    registration.list_consent = bool(changes.list_consent)
    registration.seating_wish = wish
    db.session.flush()
    return registration
