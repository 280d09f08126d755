"""The municipality board: one row per municipality (Oslo: per city district) with everything
done to bring it to the gathering, built from a fixed number of queries however many
municipalities the county has. The state of each comes from ``states``."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from eventapp.accounts.models import User, counsellor_municipalities
from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.listing import Sort, matches
from eventapp.core.time import to_oslo
from eventapp.extensions import db
from eventapp.gatherings.services import MAX_MUNICIPAL_CAP, answering_units
from eventapp.invitations.models import Campaign, Contact, Invitation, Outreach
from eventapp.invitations.services.states import MUNICIPALITY_STATES, municipality_states
from eventapp.mail.models import OutboxMessage
from eventapp.places.services import facts
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services import set_municipality_cap

BOARD_STATES = MUNICIPALITY_STATES
BOARD_OFFERS = ("travel_support", "digital")


# The labels are lazy, so a call translates the one label asked for, not every label of its
# kind: the board calls them once or more per row.
OUTREACH_CHANNEL_LABELS = {
    "visit": _l("Visit"),
    "phone": _l("Phone call"),
    "video": _l("Video meeting"),
    "own_mail": _l("Mail from own mailbox"),
    "other": _l("Other contact"),
}
SENDER_LABELS = {
    "career_centre": _l("Mail from the career centre"),
    "integration_adviser": _l("Mail from the integration adviser"),
    "counsellor": _l("Mail from a counsellor"),
}
BARRIER_LABELS = {
    "travel_cost": _l("Travel cost"),
    "finances": _l("Finances"),
    "staffing": _l("Staffing"),
    "timing": _l("Timing"),
    "other": _l("Other"),
}
OFFER_LABELS = {"travel_support": _l("Travel support"), "digital": _l("Digital option")}
REGISTRATION_CHANNEL_LABELS = {
    "personal_link": _l("Personal link"),
    "public_link": _l("Public link"),
    "host": _l("Entered by the host"),
    "municipal_contact": _l("Municipal contact"),
    "api": _l("API"),
}
ROLE_LABELS = {
    "leader": _l("Leader of the refugee service"),
    "programme_adviser": _l("Programme adviser"),
    "career_counsellor": _l("Career counsellor"),
    "county_staff": _l("County staff"),
    "partner": _l("Partner"),
    "speaker": _l("Speaker"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waitlisted"),
    "cancelled": _l("Cancelled"),
    "pending": _l("Waiting to be sent"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
SHORT_CHANNEL_LABELS = {
    "mail_career_centre": _l("Mail: career centre"),
    "mail_integration_adviser": _l("Mail: integration adviser"),
    "mail_counsellor": _l("Mail: counsellor"),
    "own_mail": _l("Own mail"),
}


def _label(labels: dict, code):
    """The label of ``code`` in the user's language; the code itself when it has none."""
    label = labels.get(code)
    return code if label is None else str(label)


def outreach_channel_label(channel: str) -> str:
    return _label(OUTREACH_CHANNEL_LABELS, channel)


def board_sender_label(sender_kind: str) -> str:
    return _label(SENDER_LABELS, sender_kind)


def barrier_label(barrier: str) -> str:
    return _label(BARRIER_LABELS, barrier)


def offer_label(offer: str) -> str:
    return _label(OFFER_LABELS, offer)


def registration_channel_label(channel: str) -> str:
    return _label(REGISTRATION_CHANNEL_LABELS, channel)


def board_role_label(role: str) -> str:
    """A contact's or registrant's role."""
    return _label(ROLE_LABELS, role)


def board_status_label(status: str) -> str:
    """A registration's or an outbox mail's status."""
    return _label(STATUS_LABELS, status)


def board_channel_label(name: str) -> str:
    """A channel as the board and the API name it: ``mail_<sender kind>`` or an outreach
    channel."""
    if name.startswith("mail_"):
        return board_sender_label(name[5:])
    return outreach_channel_label(name)


@dataclass
class ChannelUse:
    """One channel used towards one municipality: how often, first and last time."""

    name: str
    count: int
    first: object  # date
    last: object  # date
    failed: int = 0

    @property
    def label(self) -> str:
        return board_channel_label(self.name)

    @property
    def short_label(self) -> str:
        """For the board's narrow column."""
        return _label(SHORT_CHANNEL_LABELS, self.name) if self.name in SHORT_CHANNEL_LABELS \
            else board_channel_label(self.name)


@dataclass
class BoardRow:
    municipality: object
    state: str
    cap: int
    cap_overridden: bool = False
    contacts: list = field(default_factory=list)  # [(name, role)]
    counsellors: list = field(default_factory=list)  # [name]
    channels: list = field(default_factory=list)  # [ChannelUse]
    opened: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    barriers: list = field(default_factory=list)
    barrier_other: str | None = None
    offers: list = field(default_factory=list)
    next_step: str | None = None
    # From the municipality facts of the gathering's year (None: the year has no figures).
    settles: bool | None = None
    size_class: str | None = None

    @property
    def channel_names(self) -> list[str]:
        return [c.name for c in self.channels if c.count > c.failed]


def board_units(gathering) -> list:
    """The municipalities of the board: the county's active ones, Oslo's districts instead of
    Oslo."""
    return answering_units(gathering)


def _board_day(moment):
    return to_oslo(moment).date() if moment is not None else None


def board_offers(row) -> list[str]:
    return [name for name in BOARD_OFFERS if getattr(row, f"offered_{name}")]


def board_rows(gathering, state: str | None = None) -> list[BoardRow]:
    """The board, sorted by state then name; ``state`` keeps only that state's rows.

    Twelve queries at most whatever the number of municipalities: the units, the states
    (three), one aggregate each for contacts, counsellors, campaign mails, outreach,
    registrations and follow-up rows, and the year's municipality facts (two)."""
    units = board_units(gathering)
    states = municipality_states(gathering, units)
    rows: dict[int, BoardRow] = {
        u.id: BoardRow(municipality=u, state=states.get(u.id, "not_reached"),
                       cap=gathering.municipal_cap)
        for u in units
    }

    for municipality_id, name, role in db.session.execute(
        select(Contact.municipality_id, Contact.name, Contact.role)
        .where(Contact.county_id == gathering.county_id, Contact.active.is_(True))
        .order_by(Contact.name)
    ):
        if municipality_id in rows:
            rows[municipality_id].contacts.append((name, role))

    for municipality_id, name in db.session.execute(
        select(counsellor_municipalities.c.municipality_id, User.name)
        .join(User, User.id == counsellor_municipalities.c.user_id)
        .where(User.county_id == gathering.county_id, User.role == Role.COUNSELLOR,
               User.active.is_(True))
        .order_by(User.name)
    ):
        if municipality_id in rows:
            rows[municipality_id].counsellors.append(name)

    failed = case((OutboxMessage.status == "failed", 1), else_=0)
    mail_rows = db.session.execute(
        select(Invitation.municipality_id, Campaign.sender_kind, func.count(Invitation.id),
               func.sum(failed), func.min(Invitation.created_at), func.max(Invitation.created_at),
               func.count(Invitation.opened_at))
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.gathering_id == gathering.id)
        .group_by(Invitation.municipality_id, Campaign.sender_kind)
        .order_by(Invitation.municipality_id, Campaign.sender_kind)
    ).all()
    for municipality_id, sender_kind, count, n_failed, first, last, opened in mail_rows:
        row = rows.get(municipality_id)
        if row is None:
            continue
        row.channels.append(ChannelUse(f"mail_{sender_kind}", count, _board_day(first),
                                       _board_day(last), int(n_failed or 0)))
        row.opened += opened

    for municipality_id, channel, count, first, last in db.session.execute(
        select(Outreach.municipality_id, Outreach.channel, func.count(Outreach.id),
               func.min(Outreach.happened_on), func.max(Outreach.happened_on))
        .where(Outreach.gathering_id == gathering.id, Outreach.current())
        .group_by(Outreach.municipality_id, Outreach.channel)
        .order_by(Outreach.municipality_id, Outreach.channel)
    ):
        if municipality_id in rows:
            rows[municipality_id].channels.append(ChannelUse(channel, count, first, last))

    for municipality_id, status, count in db.session.execute(
        select(Registration.municipality_id, Registration.status, func.count(Registration.id))
        .where(Registration.gathering_id == gathering.id,
               Registration.municipality_id.is_not(None),
               Registration.status.in_(("confirmed", "waitlisted")))
        .group_by(Registration.municipality_id, Registration.status)
    ):
        row = rows.get(municipality_id)
        if row is not None:
            setattr(row, status, count)

    for follow_up in db.session.scalars(
        select(GatheringMunicipality).where(GatheringMunicipality.gathering_id == gathering.id)
    ):
        row = rows.get(follow_up.municipality_id)
        if row is None:
            continue
        row.cap = follow_up.effective_cap(gathering.municipal_cap)
        row.cap_overridden = follow_up.cap is not None
        row.barriers = follow_up.barriers
        row.barrier_other = follow_up.barrier_other
        row.offers = board_offers(follow_up)
        row.next_step = follow_up.next_step

    for municipality_id, (settles, size_class) in facts.unit_facts(gathering_year(gathering)).items():
        row = rows.get(municipality_id)
        if row is not None:
            row.settles, row.size_class = settles, size_class

    order = {s: i for i, s in enumerate(BOARD_STATES)}
    result = sorted(rows.values(), key=lambda r: (order.get(r.state, len(order)),
                                                  r.municipality.name.casefold(),
                                                  r.municipality.number))
    if state:
        result = [r for r in result if r.state == state]
    return result


# The board's sortable columns; "state" is the board's own order (state, then name).
BOARD_SORTS = {
    "state": None,
    "municipality": lambda r: (r.municipality.name.casefold(), r.municipality.number),
    "opened": lambda r: r.opened,
    "registered": lambda r: (r.confirmed, r.waitlisted),
}


def search_board(rows: list[BoardRow], q: str = "", sort: Sort | None = None) -> list[BoardRow]:
    """The board's rows matching ``q`` (municipality name or number, contacts, counsellors,
    next step), in ``sort``'s order; no statement of its own."""
    if q:
        rows = [r for r in rows if matches(q, r.municipality.name, r.municipality.number,
                                           *(name for name, _role in r.contacts),
                                           *r.counsellors, r.next_step)]
    if sort is not None and BOARD_SORTS.get(sort.key) is not None:
        rows = sorted(rows, key=BOARD_SORTS[sort.key], reverse=sort.desc)
    elif sort is not None and sort.desc:
        rows = list(reversed(rows))
    return rows


def board_state_counts(rows: list[BoardRow]) -> dict[str, int]:
    counts = dict.fromkeys(BOARD_STATES, 0)
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def board_unit(gathering, municipality_id: int):
    """A municipality of the board, or None when it is not one of this gathering's."""
    return next((u for u in board_units(gathering) if u.id == municipality_id), None)


# --- coverage over the settling municipalities, and caps for the large settlers --------------

# A large settler is suggested this many times the gathering's places per municipality: more
# staff work with refugees there (leaders, programme advisers, counsellors at NAV and adult
# education), and the directorate's evaluation found them under-represented at a flat cap.
LARGE_CAP_FACTOR = 2


def gathering_year(gathering) -> int:
    """The year whose municipality facts a gathering reads: the year it starts."""
    return gathering.start_date.year


@dataclass
class Coverage:
    """How many of the board's municipalities have registered, counted over the settling
    ones when the gathering's year has municipality facts for the county, else over all."""

    registered: int
    total: int
    settling_only: bool
    year: int
    all_units: int = 0
    not_settling_registered: int = 0


def board_coverage(gathering, rows: list[BoardRow]) -> Coverage:
    """``rows``: the whole board (``board_rows``), not a filtered part of it."""
    year = gathering_year(gathering)
    known = [r for r in rows if r.settles is not None]
    if not known:
        return Coverage(sum(1 for r in rows if r.state == "registered"), len(rows), False, year,
                        len(rows))
    settling = [r for r in rows if r.settles]
    return Coverage(
        registered=sum(1 for r in settling if r.state == "registered"), total=len(settling),
        settling_only=True, year=year, all_units=len(rows),
        not_settling_registered=sum(1 for r in rows if not r.settles and r.state == "registered"))


@dataclass
class CapSuggestion:
    municipality: object
    size_class: str
    cap: int  # the places it has now
    suggested: int


def suggested_large_cap(gathering) -> int:
    return min(gathering.municipal_cap * LARGE_CAP_FACTOR, MAX_MUNICIPAL_CAP)


def cap_suggestions(gathering, rows: list[BoardRow] | None = None) -> list[CapSuggestion]:
    """Higher places for the large settlers of the gathering's year: each large municipality
    that still has the gathering's places (a cap the host set stays the host's) and fewer than
    ``suggested_large_cap``. By name."""
    rows = board_rows(gathering) if rows is None else rows
    suggested = suggested_large_cap(gathering)
    found = [CapSuggestion(r.municipality, r.size_class, r.cap, suggested) for r in rows
             if r.size_class == "large" and not r.cap_overridden and r.cap < suggested]
    return sorted(found, key=lambda c: (c.municipality.name.casefold(), c.municipality.number))


def apply_cap_suggestions(gathering, actor, municipality_ids) -> tuple[list, list]:
    """The host applies the suggestions shown (``municipality_ids``) in one action, each
    through ``set_municipality_cap`` (its locks, its order, its waitlist promotion). Only
    what is still suggested now is applied, at the cap suggested now. Returns the applied
    suggestions and the registrations promoted from the waitlist."""
    policy.authorize(actor, "caps.set", gathering)
    wanted = {int(i) for i in municipality_ids}
    applied, promoted = [], []
    for suggestion in cap_suggestions(gathering):
        if suggestion.municipality.id not in wanted:
            continue
        promoted += set_municipality_cap(gathering, actor, suggestion.municipality,
                                         suggestion.suggested)
        applied.append(suggestion)
    return applied, promoted


def size_class_label(size_class) -> str:
    return facts.size_class_label(size_class)
