"""Email campaigns and reminders. A campaign is a text with placeholders (``texts``), sent in
the name of a sender identity; each recipient gets an Invitation (unique per campaign and
address, so a resend never mails anyone twice) and one outbox mail with a personal link and the
gathering's calendar file. Only the county's host writes and sends (``campaign.send``)."""

from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr

from flask import current_app
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from eventapp.accounts.models import User
from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import to_oslo, utcnow
from eventapp.core.web import external_url
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import answering_units, gathering_ics
from eventapp.invitations.models import (
    CAMPAIGN_KINDS,
    INVITATION_LINK,
    SENDER_KINDS,
    Campaign,
    Contact,
    Invitation,
)
from eventapp.invitations.services.states import (
    LIVE_REGISTRATION,
    REACHED,
    REGISTERED,
    municipality_states,
)
from eventapp.invitations.services.texts import (
    campaign_text_problem,
    campaign_values,
    default_sender_name,
    render_campaign_text,
)
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_mail
from eventapp.partners.models import Partner
from eventapp.partners.services import inviteable_contacts
from eventapp.places.models import Municipality
from eventapp.registration.models import Registration

CAMPAIGN_SUBJECT_MAX = 300
CAMPAIGN_BODY_MAX = 20_000
CAMPAIGN_SENDER_NAME_MAX = 200
CAMPAIGN_ATTACHMENT = ("samling.ics", "text/calendar")
# A second reminder this soon after one is taken for a double click and refused.
REMINDER_PAUSE = timedelta(minutes=10)


def _campaign_email(value: str | None, field_name: str, problems: dict) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    value = (value or "").strip().lower()
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        problems[field_name] = _("Enter a valid email address.")
        return None
    return value


def county_counsellors(gathering) -> list:
    """The county's career counsellors who may appear as a campaign's sender."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.COUNSELLOR, User.county_id == gathering.county_id,
                           User.active.is_(True)).order_by(User.name)
    ))


def create_campaign(gathering, actor, *, kind: str = "invitation", sender_kind: str,
                    sender_name: str | None = None, sender_email: str | None = None,
                    counsellor=None, subject: str, body: str):
    """A draft campaign in the name of the career centre, the county's integration adviser or
    one of the county's counsellors. Refuses unknown placeholders and a body without {link}."""
    policy.authorize(actor, "campaign.send", gathering)
    problems: dict[str, str] = {}
    if kind not in CAMPAIGN_KINDS:
        raise ValueError(kind)
    if sender_kind not in SENDER_KINDS:
        problems["sender_kind"] = _("Choose who the mail comes from.")
    if sender_kind == "counsellor":
        if (counsellor is None or counsellor.role != Role.COUNSELLOR
                or counsellor.county_id != gathering.county_id):
            problems["sender_kind"] = _("Choose a career counsellor of this county.")
        else:
            sender_name = (sender_name or "").strip() or counsellor.name
            sender_email = (sender_email or "").strip() or counsellor.email
    else:
        counsellor = None
        if not (sender_name or "").strip() and sender_kind in SENDER_KINDS:
            sender_name = default_sender_name(gathering, sender_kind)
    sender_name = " ".join((sender_name or "").split())
    if not sender_name:
        problems["sender_name"] = _("Enter the sender's name as recipients will see it.")
    elif len(sender_name) > CAMPAIGN_SENDER_NAME_MAX:
        problems["sender_name"] = _("Use at most %(num)d characters.", num=CAMPAIGN_SENDER_NAME_MAX)
    reply_to = _campaign_email(sender_email, "sender_email", problems) or actor.email
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not subject:
        problems["subject"] = _("Enter a subject.")
    elif len(subject) > CAMPAIGN_SUBJECT_MAX:
        problems["subject"] = _("Use at most %(num)d characters.", num=CAMPAIGN_SUBJECT_MAX)
    elif problem := campaign_text_problem(subject):
        problems["subject"] = problem
    if not body:
        problems["body"] = _("Write the text of the mail.")
    elif len(body) > CAMPAIGN_BODY_MAX:
        problems["body"] = _("Use at most %(num)d characters.", num=CAMPAIGN_BODY_MAX)
    elif problem := campaign_text_problem(body, need_link=True):
        problems["body"] = problem
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    campaign = Campaign(
        gathering_id=gathering.id, kind=kind, sender_kind=sender_kind, sender_name=sender_name,
        sender_email=reply_to, counsellor_id=counsellor.id if counsellor is not None else None,
        subject=subject, body=body + "\n", status="draft", created_by_id=actor.id,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _campaign_recipients(gathering, municipality_ids) -> list:
    if not municipality_ids:
        return []
    return list(db.session.scalars(
        select(Contact).join(Municipality, Municipality.id == Contact.municipality_id)
        .where(Contact.county_id == gathering.county_id, Contact.active.is_(True),
               Contact.municipality_id.in_(list(municipality_ids)))
        .order_by(Municipality.number, Contact.name, Contact.id)
    ))


def _campaign_units(gathering, municipalities, only_not_registered: bool,
                    partners_chosen: bool = False) -> list[int]:
    """The ids of the municipalities a send goes to, in the gathering's county. None chosen is
    refused, unless the send goes to partners (``partners_chosen``) alone."""
    states = municipality_states(gathering)
    if municipalities is None:
        chosen = list(states)
    else:
        chosen = [getattr(m, "id", m) for m in municipalities]
        if not chosen and partners_chosen:
            return []
        known = set(db.session.scalars(
            select(Municipality.id).where(Municipality.id.in_(chosen),
                                          Municipality.county_id == gathering.county_id)
        ))
        if not chosen or set(chosen) - known:
            raise ValidationFailed(_("Choose municipalities of this county."),
                                   field="municipalities")
    if only_not_registered:
        chosen = [m for m in chosen if states.get(m) != REGISTERED]
    return list(dict.fromkeys(chosen))


def _campaign_partners(gathering, partners) -> list[int]:
    """The ids of the partner organisations a send goes to: active partners of the gathering's
    county, else refused, naming the field."""
    chosen = list(dict.fromkeys(getattr(p, "id", p) for p in partners or ()))
    if not chosen:
        return []
    if any(isinstance(p, bool) or not isinstance(p, int) for p in chosen):
        raise ValidationFailed(_("Choose active partner organisations of this county."),
                               field="partners")
    known = set(db.session.scalars(
        select(Partner.id).where(Partner.id.in_(chosen), Partner.county_id == gathering.county_id,
                                 Partner.active.is_(True))))
    if set(chosen) - known:
        raise ValidationFailed(_("Choose active partner organisations of this county."),
                               field="partners")
    return chosen


def campaign_partners(gathering) -> list:
    """The county's active partners whose active contacts a campaign can invite."""
    seen: dict[int, Partner] = {}
    for contact in inviteable_contacts(gathering.county_id):
        seen.setdefault(contact.partner_id, contact.partner)
    return list(seen.values())


@dataclass
class CampaignSendCounts:
    """What one send did: mails queued now, addresses that already had this campaign, and the
    chosen municipalities that have no active contact (so nobody there was mailed)."""

    queued: int = 0
    already_sent: int = 0
    municipalities: int = 0
    without_contacts: list = field(default_factory=list)
    partners: int = 0  # partner organisations whose contacts were part of the send


@dataclass
class CampaignSendPlan:
    """What a send would do, for the confirmation page: who gets a mail now (``contacts``, new
    addresses only), in how many municipalities, who already has the campaign, and the chosen
    municipalities with no active contact. Reading it changes nothing."""

    units: list = field(default_factory=list)  # municipality ids chosen
    contacts: list = field(default_factory=list)  # Contact rows that get a mail now
    already_sent: int = 0
    without_contacts: list = field(default_factory=list)  # Municipality rows
    partner_contacts: list = field(default_factory=list)  # PartnerContact rows, mailed now

    @property
    def recipients(self) -> int:
        return len(self.contacts) + len(self.partner_contacts)

    @property
    def municipalities(self) -> int:
        return len({c.municipality_id for c in self.contacts})

    @property
    def partners(self) -> int:
        return len({c.partner_id for c in self.partner_contacts})


def campaign_send_plan(campaign, municipalities=None, only_not_registered: bool = False,
                       partners=()) -> CampaignSendPlan:
    """Who a send of ``campaign`` with these choices would mail (see ``send_campaign``)."""
    gathering = campaign.gathering
    partner_ids = _campaign_partners(gathering, partners)
    units = _campaign_units(gathering, municipalities, only_not_registered, bool(partner_ids))
    contacts = _campaign_recipients(gathering, units)
    with_contacts = {c.municipality_id for c in contacts}
    missing = [u for u in units if u not in with_contacts]
    existing = set(db.session.scalars(
        select(Invitation.email).where(Invitation.campaign_id == campaign.id)
    ))
    plan = CampaignSendPlan(units=units, without_contacts=list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_(missing)).order_by(Municipality.name)
    )) if missing else [])
    seen: set[str] = set()
    for contact in contacts:
        if contact.email in existing or contact.email in seen:
            plan.already_sent += 1
            continue
        seen.add(contact.email)
        plan.contacts.append(contact)
    for contact in inviteable_contacts(gathering.county_id, partner_ids):
        if contact.email in existing or contact.email in seen:
            plan.already_sent += 1
            continue
        seen.add(contact.email)
        plan.partner_contacts.append(contact)
    return plan


def units_without_contacts(gathering) -> list:
    """The gathering's municipalities (Oslo: districts) with no active contact: a campaign
    cannot reach them, so the host is told before sending."""
    with_contacts = set(db.session.scalars(
        select(Contact.municipality_id).where(Contact.county_id == gathering.county_id,
                                              Contact.active.is_(True)).distinct()
    ))
    return sorted((u for u in answering_units(gathering) if u.id not in with_contacts),
                  key=lambda u: u.name.casefold())


def active_contact_count(gathering) -> int:
    """How many active contacts the gathering's municipalities have: none, nothing to send."""
    ids = [u.id for u in answering_units(gathering)]
    return db.session.scalar(
        select(func.count(Contact.id)).where(Contact.county_id == gathering.county_id,
                                             Contact.active.is_(True),
                                             Contact.municipality_id.in_(ids))
    ) if ids else 0


def send_campaign(campaign, actor, municipalities=None, only_not_registered: bool = False,
                  partners=()):
    """Queue the campaign to the active contacts of ``municipalities`` (ids or objects; None:
    every municipality and Oslo district of the county), leaving out those with a live
    registration when ``only_not_registered``, and to the active contacts of ``partners``
    (ids or objects: active partners of the county; their invitations name the partner, not a
    municipality). Each address gets one Invitation and one mail per campaign, however often
    this runs; the mails leave after commit, through the outbox. Returns CampaignSendCounts."""
    gathering = campaign.gathering
    policy.authorize(actor, "campaign.send", gathering)
    # Two sends of one campaign at once (a double click) take turns on PostgreSQL; the second
    # then sees the first one's invitations and queues nothing twice.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    partner_ids = _campaign_partners(gathering, partners)
    units = _campaign_units(gathering, municipalities, only_not_registered, bool(partner_ids))
    contacts = _campaign_recipients(gathering, units)
    partner_contacts = inviteable_contacts(gathering.county_id, partner_ids)
    counts = CampaignSendCounts(municipalities=len(units),
                                partners=len({c.partner_id for c in partner_contacts}))
    with_contacts = {c.municipality_id for c in contacts}
    counts.without_contacts = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_([u for u in units if u not in with_contacts]))
        .order_by(Municipality.number)
    )) if len(with_contacts) < len(units) else []
    if not contacts and not partner_contacts:
        if partner_ids and not units:
            raise ValidationFailed(
                _("None of the chosen partners has an active contact to send to. Add contacts "
                  "first."), field="partners")
        raise ValidationFailed(
            _("None of the chosen municipalities has an active contact to send to. Add contacts "
              "first."), field="municipalities")

    campaign.status = "sending"
    db.session.flush()
    existing = set(db.session.scalars(
        select(Invitation.email).where(Invitation.campaign_id == campaign.id)
    ))
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    sender_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    from_address = str(Address(display_name=campaign.sender_name, addr_spec=sender_address))
    ics = None
    municipalities_by_id: dict[int, Municipality] = {}
    # Municipal contacts first, then the partners' (whose invitation names the partner).
    recipients = [(c, {"contact_id": c.id, "municipality_id": c.municipality_id})
                  for c in contacts]
    recipients += [(c, {"partner_contact_id": c.id, "partner_id": c.partner_id})
                   for c in partner_contacts]
    for contact, names in recipients:
        if contact.email in existing:
            counts.already_sent += 1
            continue
        existing.add(contact.email)
        # ON CONFLICT DO NOTHING: should another send have taken this address meanwhile (where
        # the lock above does not hold, as on SQLite), this one skips it instead of failing.
        invitation_id = db.session.scalar(
            insert(Invitation).values(
                gathering_id=gathering.id, campaign_id=campaign.id, **names,
                name=contact.name, email=contact.email,
                open_count=0, created_at=utcnow(), **INVITATION_LINK.new_values(),
            ).on_conflict_do_nothing(index_elements=["campaign_id", "email"])
            .returning(Invitation.id)
        )
        if invitation_id is None:
            counts.already_sent += 1
            continue
        invitation = db.session.get(Invitation, invitation_id)
        if "partner_id" in names:
            organisation = contact.partner.name
        else:
            organisation = municipalities_by_id.setdefault(
                contact.municipality_id,
                db.session.get(Municipality, contact.municipality_id)).name
        values = campaign_values(
            gathering, name=contact.name, municipality=organisation,
            link=external_url("registration.personal", token=invitation.token))
        if ics is None:
            ics = gathering_ics(gathering)
        message = queue_mail(
            kind=f"campaign_{campaign.kind}", to=contact.email, to_name=contact.name,
            subject=render_campaign_text(campaign.subject, values),
            body_text=render_campaign_text(campaign.body, values),
            from_address=from_address, reply_to=campaign.sender_email, created_by=actor,
            county_id=gathering.county_id, gathering_id=gathering.id,
            attachments=((*CAMPAIGN_ATTACHMENT, ics),),
        )
        invitation.outbox_message_id = message.id
        counts.queued += 1
    campaign.status = "sent"
    if counts.queued and campaign.sent_at is None:
        campaign.sent_at = utcnow()
    db.session.flush()
    return counts


def reminder_targets(gathering) -> tuple[list, int]:
    """The municipalities a reminder goes to (reached, not registered) and how many active
    contacts they have."""
    ids = [m for m, state in municipality_states(gathering).items() if state == REACHED]
    units = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_(ids)).order_by(Municipality.number)
    )) if ids else []
    return units, len(_campaign_recipients(gathering, ids))


def latest_reminder(gathering):
    return db.session.scalars(
        select(Campaign).where(Campaign.gathering_id == gathering.id, Campaign.kind == "reminder")
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1)
    ).first()


def send_reminder(gathering, actor, *, sender_kind: str, sender_name: str | None = None,
                  sender_email: str | None = None, counsellor=None, subject: str, body: str):
    """Remind every municipality that was reached but has not registered, in one go: a campaign
    of kind "reminder" to their active contacts. Returns (campaign, CampaignSendCounts)."""
    policy.authorize(actor, "campaign.send", gathering)
    # A double click must not remind everyone twice: reminders of one gathering take turns
    # (on PostgreSQL), and one shortly after another is refused.
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())
    last = latest_reminder(gathering)
    if last is not None and last.created_at > utcnow() - REMINDER_PAUSE:
        raise ValidationFailed(_(
            "A reminder went out at %(time)s. Wait %(minutes)d minutes before you send another, "
            "so nobody gets two by a double click.",
            time=format_time(to_oslo(last.created_at), "HH:mm"),
            minutes=int(REMINDER_PAUSE.total_seconds() // 60)))
    campaign = create_campaign(
        gathering, actor, kind="reminder", sender_kind=sender_kind, sender_name=sender_name,
        sender_email=sender_email, counsellor=counsellor, subject=subject, body=body)
    units, contacts = reminder_targets(gathering)
    if not units or not contacts:
        raise ValidationFailed(_("No municipality has been reached without registering, or none of "
                                 "them has an active contact: there is nobody to remind."))
    counts = send_campaign(campaign, actor, municipalities=[u.id for u in units])
    return campaign, counts


def campaign_progress(campaign_ids) -> dict[int, dict[str, int]]:
    """Per campaign: recipients, and how many of their mails wait, were sent or failed, and how
    many personal links were opened."""
    ids = list(campaign_ids)
    result = {ident: {"recipients": 0, "waiting": 0, "sent": 0, "failed": 0, "opened": 0}
              for ident in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(Invitation.campaign_id, OutboxMessage.status, func.count(Invitation.id),
               func.count(Invitation.opened_at))
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.campaign_id.in_(ids))
        .group_by(Invitation.campaign_id, OutboxMessage.status)
    )
    for campaign_id, status, number, opened in rows:
        counts = result[campaign_id]
        counts["recipients"] += number
        counts["opened"] += opened
        state = "waiting" if status in ("pending", "sending") else status
        if state in counts:
            counts[state] += number
    return result


def campaign_recipients(campaign) -> list:
    """The campaign's invitations with their municipality (or partner organisation), mail and
    whether a live registration came through the link, for the campaign page: the
    municipalities' first, then the partners'."""
    invitations = list(db.session.scalars(
        select(Invitation)
        .outerjoin(Municipality, Municipality.id == Invitation.municipality_id)
        .outerjoin(Partner, Partner.id == Invitation.partner_id)
        .where(Invitation.campaign_id == campaign.id)
        .options(selectinload(Invitation.municipality), selectinload(Invitation.partner),
                 selectinload(Invitation.outbox_message))
        .order_by(Invitation.partner_id.is_not(None), Municipality.name, Partner.name,
                  Invitation.email)
    ))
    registered = set(db.session.scalars(
        select(Registration.invitation_id).where(
            Registration.invitation_id.in_([i.id for i in invitations]),
            Registration.status.in_(LIVE_REGISTRATION))
    )) if invitations else set()
    return [(invitation, invitation.id in registered) for invitation in invitations]
