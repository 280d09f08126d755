"""The people to invite in each municipality (and Oslo district). They belong to the county, not
to one gathering, so they carry over to next year. The county's host adds and changes them (by
hand here, or by a file in ``contact_import``); the county's counsellors read them."""

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.core import policy
from eventapp.core.access import Role, scope
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.invitations.models import CONTACT_ROLES, Contact
from eventapp.places.models import Municipality

NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 254, 40


def normalise_contact_email(raw) -> tuple[str | None, str | None]:
    """(the address lower-cased, None) or (None, why it is refused)."""
    from email_validator import EmailNotValidError, validate_email

    text = str(raw or "").strip()
    if not text:
        return None, _("The email address is missing.")
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None, _("“%(email)s” is not a valid email address.", email=text)
    email = found.normalized.lower()
    if len(email) > EMAIL_MAX:
        return None, _("The email address is too long.")
    return email, None


def contact_role_label(role: str) -> str:
    return {"leader": _("Leader of the refugee service"), "programme_adviser": _("Programme adviser"),
            "other": _("Other")}.get(role, role)


def list_contacts(actor, *, municipality_id: int | None = None, active: bool | None = None):
    """The contacts ``actor`` may see, by municipality number then name."""
    from eventapp.invitations.models import Contact

    stmt = (select(Contact).join(Contact.municipality)
            .order_by(Municipality.number, Contact.name, Contact.email))
    if municipality_id is not None:
        stmt = stmt.where(Contact.municipality_id == municipality_id)
    if active is not None:
        stmt = stmt.where(Contact.active.is_(active))
    return list(db.session.scalars(scope(stmt, Contact, actor)))


def contact_places(county_id: int) -> list[Municipality]:
    """The county's municipalities and Oslo districts that contacts can belong to."""
    return list(db.session.scalars(
        select(Municipality)
        .where(Municipality.county_id == county_id, Municipality.active.is_(True))
        .order_by(Municipality.number)
    ))


def contact_counsellors(county_id: int) -> dict[int, list]:
    """Municipality id → the career counsellors of the county who have it as theirs."""
    counsellors = db.session.scalars(
        select(User).where(User.county_id == county_id, User.role == Role.COUNSELLOR,
                           User.active.is_(True)).order_by(User.name)
    )
    found: dict[int, list] = {}
    for user in counsellors:
        for municipality in user.assigned_municipalities:
            found.setdefault(municipality.id, []).append(user)
    return found


def _find_contact(municipality_id: int, email: str):
    return db.session.scalars(
        select(Contact).where(Contact.municipality_id == municipality_id, Contact.email == email)
    ).first()


def _contact_values(actor, municipality, name, email, role, phone, contact=None) -> dict:
    """Checked and cleaned values for a contact, or ValidationFailed naming each bad field."""
    problems: dict[str, str] = {}
    if municipality is None:
        problems["municipality"] = _("Choose the municipality.")
    elif municipality.county_id != actor.county_id or not municipality.active:
        problems["municipality"] = _("Choose a municipality in your county.")
    name = " ".join((name or "").split())
    if not name:
        problems["name"] = _("Enter the name.")
    elif len(name) > NAME_MAX:
        problems["name"] = _("The name is too long: at most %(n)d characters.", n=NAME_MAX)
    clean_email, problem = normalise_contact_email(email)
    if problem:
        problems["email"] = problem
    role = role or "other"
    if role not in CONTACT_ROLES:
        problems["role"] = _("Choose a role.")
    phone = " ".join((phone or "").split()) or None
    if phone and len(phone) > PHONE_MAX:
        problems["phone"] = _("The phone number is too long: at most %(n)d characters.", n=PHONE_MAX)
    if "municipality" not in problems and clean_email:
        twin = _find_contact(municipality.id, clean_email)
        if twin is not None and (contact is None or twin.id != contact.id):
            problems["email"] = _("%(name)s already has a contact with this email address.",
                                  name=municipality.name)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {"municipality_id": municipality.id, "county_id": municipality.county_id, "name": name,
            "email": clean_email, "role": role, "phone": phone}


def add_contact(actor, *, municipality, name, email, role="other", phone=None):
    """A contact by hand. Only the county's host, in their own county."""
    policy.authorize(actor, "contacts.manage", getattr(actor, "county_id", None))
    contact = Contact(**_contact_values(actor, municipality, name, email, role, phone))
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(actor, contact, *, municipality, name, email, role="other", phone=None):
    policy.authorize(actor, "contacts.manage", contact)
    for key, value in _contact_values(actor, municipality, name, email, role, phone,
                                      contact=contact).items():
        setattr(contact, key, value)
    db.session.flush()
    return contact


def set_contact_active(actor, contact, active: bool):
    """Deactivate (no more invitations) or reactivate a contact; nothing is deleted, so past
    invitations keep their recipient."""
    policy.authorize(actor, "contacts.manage", contact)
    contact.active = bool(active)
    db.session.flush()
    return contact
