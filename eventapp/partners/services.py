"""The county's partner organisations and their contacts: the host adds, changes and
deactivates them; registration picks one; campaigns invite their contacts; the reports count
the partners' people by kind (``partners_by_kind``)."""

from flask_babel import gettext as _
from sqlalchemy import Boolean, column, select, table
from sqlalchemy.orm import selectinload

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.partners.models import PARTNER_KINDS, Partner, PartnerContact

NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 254, 40


def _text(value) -> str:
    """One line of text, its whitespace collapsed."""
    return " ".join(str(value or "").split())


def list_partners(actor, *, county_id: int | None = None, active: bool | None = None):
    """The partners ``actor`` may see (a host: their county's), by county, kind and name."""
    stmt = (select(Partner).options(selectinload(Partner.contacts))
            .order_by(Partner.county_id, Partner.kind, Partner.name, Partner.id))
    if county_id is not None:
        stmt = stmt.where(Partner.county_id == county_id)
    if active is not None:
        stmt = stmt.where(Partner.active.is_(active))
    return list(db.session.scalars(scope(stmt, Partner, actor)))


def active_partners(county_id: int) -> list[Partner]:
    """The partners a registration of the county may pick, by name."""
    return list(db.session.scalars(
        select(Partner).where(Partner.county_id == county_id, Partner.active.is_(True))
        .order_by(Partner.name, Partner.id)))


def pickable_partner(county_id: int, partner_id) -> Partner | None:
    """The partner with ``partner_id`` if it is an active partner of the county, else None."""
    if isinstance(partner_id, bool) or not isinstance(partner_id, int):
        try:
            partner_id = int(str(partner_id).strip())
        except (TypeError, ValueError):
            return None
    partner = db.session.get(Partner, partner_id) if 0 < partner_id < 2**31 else None
    if partner is None or partner.county_id != county_id or not partner.active:
        return None
    return partner


def _partner_values(county_id: int, name, kind, partner: Partner | None = None) -> dict:
    problems: dict[str, str] = {}
    name = _text(name)
    if not name:
        problems["name"] = _("Enter the organisation's name.")
    elif len(name) > NAME_MAX:
        problems["name"] = _("The name is too long: at most %(n)d characters.", n=NAME_MAX)
    if kind not in PARTNER_KINDS:
        problems["kind"] = _("Choose the kind of organisation.")
    if "name" not in problems:
        twin = db.session.scalars(select(Partner).where(
            Partner.county_id == county_id, Partner.name == name)).first()
        if twin is not None and (partner is None or twin.id != partner.id):
            problems["name"] = _("The county already has a partner with this name.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {"name": name, "kind": kind}


def create_partner(actor, county_id: int, *, name, kind) -> Partner:
    """A partner of the host's county. Only the county's host."""
    policy.authorize(actor, "partners.manage", county_id)
    partner = Partner(county_id=county_id, active=True, **_partner_values(county_id, name, kind))
    db.session.add(partner)
    db.session.flush()
    return partner


def update_partner(actor, partner: Partner, *, name, kind) -> Partner:
    """Rename or reclassify a partner. Registrations keep the name they were made with."""
    policy.authorize(actor, "partners.manage", partner)
    for key, value in _partner_values(partner.county_id, name, kind, partner).items():
        setattr(partner, key, value)
    db.session.flush()
    return partner


def set_partner_active(actor, partner: Partner, active: bool) -> Partner:
    """Deactivate (no more picking or inviting) or reactivate; nothing is deleted, so past
    registrations and invitations keep their partner."""
    policy.authorize(actor, "partners.manage", partner)
    partner.active = bool(active)
    db.session.flush()
    return partner


def _contact_values(partner: Partner, name, email, phone,
                    contact: PartnerContact | None = None) -> dict:
    from email_validator import EmailNotValidError, validate_email

    problems: dict[str, str] = {}
    name = _text(name)
    if not name:
        problems["name"] = _("Enter the name.")
    elif len(name) > NAME_MAX:
        problems["name"] = _("The name is too long: at most %(n)d characters.", n=NAME_MAX)
    clean_email = None
    raw = str(email or "").strip()
    if not raw:
        problems["email"] = _("The email address is missing.")
    else:
        try:
            clean_email = validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems["email"] = _("“%(email)s” is not a valid email address.", email=raw)
        else:
            if len(clean_email) > EMAIL_MAX:
                problems["email"] = _("The email address is too long.")
    phone = _text(phone) or None
    if phone and len(phone) > PHONE_MAX:
        problems["phone"] = _("The phone number is too long: at most %(n)d characters.",
                              n=PHONE_MAX)
    if "email" not in problems:
        twin = db.session.scalars(select(PartnerContact).where(
            PartnerContact.partner_id == partner.id, PartnerContact.email == clean_email)).first()
        if twin is not None and (contact is None or twin.id != contact.id):
            problems["email"] = _("%(name)s already has a contact with this email address.",
                                  name=partner.name)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {"name": name, "email": clean_email, "phone": phone}


def add_contact(actor, partner: Partner, *, name, email, phone=None) -> PartnerContact:
    policy.authorize(actor, "partners.manage", partner)
    contact = PartnerContact(partner=partner, active=True,
                             **_contact_values(partner, name, email, phone))
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(actor, contact: PartnerContact, *, name, email, phone=None) -> PartnerContact:
    policy.authorize(actor, "partners.manage", contact.partner)
    for key, value in _contact_values(contact.partner, name, email, phone, contact).items():
        setattr(contact, key, value)
    db.session.flush()
    return contact


def set_contact_active(actor, contact: PartnerContact, active: bool) -> PartnerContact:
    """Deactivate (no more invitations) or reactivate a contact; past invitations keep it."""
    policy.authorize(actor, "partners.manage", contact.partner)
    contact.active = bool(active)
    db.session.flush()
    return contact


def inviteable_contacts(county_id: int, partner_ids=None) -> list[PartnerContact]:
    """The active contacts of the county's active partners (or of ``partner_ids`` among them)
    that a campaign can invite, by partner name then contact name."""
    stmt = (select(PartnerContact).join(Partner, Partner.id == PartnerContact.partner_id)
            .where(Partner.county_id == county_id, Partner.active.is_(True),
                   PartnerContact.active.is_(True))
            .options(selectinload(PartnerContact.partner))
            .order_by(Partner.name, PartnerContact.name, PartnerContact.id))
    if partner_ids is not None:
        ids = list(partner_ids)
        if not ids:
            return []
        stmt = stmt.where(Partner.id.in_(ids))
    return list(db.session.scalars(stmt))


# Registrations stand above partners (they pick one), so the count reads their table by name,
# only the columns it needs, rather than importing the feature above.
_registrations = table("registrations", column("gathering_id"), column("organisation_kind"),
                       column("partner_id"), column("status"), column("attended", Boolean))


def partners_by_kind(gathering_ids) -> dict[str, int]:
    """People from partner organisations at the gatherings, by the partner's kind: every kind
    of PARTNER_KINDS, zero included. A registration counts if confirmed and, at a gathering
    whose check-in has been run (someone is marked as having come), only if the person came. A
    partner written as free text (no partner picked) counts as "other"."""
    counts = dict.fromkeys(PARTNER_KINDS, 0)
    ids = list(gathering_ids)
    if not ids:
        return counts
    r = _registrations
    checked_in = set(db.session.scalars(
        select(r.c.gathering_id).where(r.c.gathering_id.in_(ids), r.c.attended.is_(True))
        .distinct()))
    rows = db.session.execute(
        select(r.c.gathering_id, r.c.attended, Partner.kind)
        .select_from(r).outerjoin(Partner, Partner.id == r.c.partner_id)
        .where(r.c.gathering_id.in_(ids), r.c.organisation_kind == "partner",
               r.c.status == "confirmed"))
    for gathering_id, attended, kind in rows:
        if gathering_id in checked_in and not attended:
            continue
        counts[kind or "other"] += 1
    return counts
