"""What the county's host and counsellors do for a municipality beyond the campaigns: the
outreach log (visits, calls, video meetings, mail from their own mailbox) and the follow-up
(barriers, offers, the next step). A counsellor acts for the municipalities assigned to them,
the host for every municipality of the county (``board.act_for``)."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.errors import Forbidden, NotFound, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.invitations.models import OUTREACH_CHANNELS, Outreach
from eventapp.invitations.services.board import BOARD_OFFERS, board_unit, board_units
from eventapp.registration.models import BARRIERS, GatheringMunicipality
from eventapp.registration.services import cap_row

OUTREACH_NOTE_MAX = 2000
NEXT_STEP_MAX = 2000
BARRIER_OTHER_MAX = 300


def outreach_units(user, gathering) -> list:
    """The municipalities ``user`` may log outreach to (and follow up) for this gathering."""
    return [u for u in board_units(gathering) if policy.can(user, "board.act_for", u)]


def _outreach_values(gathering, actor, *, municipality, channel: str, happened_on,
                     note: str, kept_municipality: int | None = None) -> str:
    """Refuse what cannot be logged; returns the note as it is stored. ``kept_municipality``:
    an edited entry's own municipality, which its author may keep after being reassigned."""
    if municipality is None or board_unit(gathering, municipality.id) is None:
        raise ValidationFailed(_("Choose a municipality in %(county)s.",
                                 county=gathering.county.name), field="municipality")
    if (municipality.id != kept_municipality
            and not policy.can(actor, "board.act_for", municipality)):
        raise Forbidden(_("You may log outreach only to the municipalities you are the contact "
                          "counsellor for."), field="municipality")
    problems = {}
    if channel not in OUTREACH_CHANNELS:
        problems["channel"] = _("Choose how you made contact.")
    today = utcnow().astimezone(OSLO).date()
    if happened_on is None:
        problems["happened_on"] = _("Enter the date of the contact.")
    elif happened_on > today:
        problems["happened_on"] = _("The date cannot be in the future. Log the contact once it "
                                    "has happened.")
    note = (note or "").strip()
    if len(note) > OUTREACH_NOTE_MAX:
        problems["note"] = _("The note can be at most %(n)d characters.", n=OUTREACH_NOTE_MAX)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return note


def log_outreach(gathering, actor, *, municipality, channel: str, happened_on, note: str = ""):
    """Record a visit, call, video meeting or mail from the counsellor's own mailbox."""
    note = _outreach_values(gathering, actor, municipality=municipality, channel=channel,
                            happened_on=happened_on, note=note)
    entry = Outreach(gathering_id=gathering.id, municipality_id=municipality.id,
                     user_id=actor.id, channel=channel, happened_on=happened_on, note=note)
    db.session.add(entry)
    db.session.flush()
    return entry


def outreach_entry(gathering, entry_id: int):
    """A current entry of the gathering's log, or None (an earlier version, a deleted entry or
    another gathering's are not there to change)."""
    return db.session.scalars(
        select(Outreach).where(Outreach.id == entry_id, Outreach.gathering_id == gathering.id,
                               Outreach.entry_id.is_(None), Outreach.current())
    ).first()


def _check_entry(entry, actor):
    if entry is None or not entry.live or entry.entry_id is not None:
        raise NotFound(_("This outreach entry has been deleted or does not exist."))
    policy.authorize(actor, "outreach.edit", entry)


def edit_outreach(entry, actor, *, municipality, channel: str, happened_on, note: str = ""):
    """Change an entry, keeping what it was as an earlier version (who changed it and when).
    The author stays the counsellor who logged it; the new values are checked as a new entry's
    are, so a counsellor cannot move an entry to a municipality that is not theirs. Returns
    True when something changed."""
    _check_entry(entry, actor)
    gathering = entry.gathering
    note = _outreach_values(gathering, actor, municipality=municipality, channel=channel,
                            happened_on=happened_on, note=note,
                            kept_municipality=entry.municipality_id)
    new = (municipality.id, channel, happened_on, note)
    if new == (entry.municipality_id, entry.channel, entry.happened_on, entry.note):
        return False
    db.session.add(Outreach(
        gathering_id=entry.gathering_id, municipality_id=entry.municipality_id,
        user_id=entry.user_id, channel=entry.channel, happened_on=entry.happened_on,
        note=entry.note, created_at=entry.created_at, entry_id=entry.id,
        ended_at=utcnow(), ended_by_id=actor.id, ended_how="edited"))
    entry.municipality_id, entry.channel, entry.happened_on, entry.note = new
    db.session.flush()
    return True


def delete_outreach(entry, actor):
    """Take an entry out of the log and the board; it stays in the history as deleted (who
    deleted it and when), with what it said."""
    _check_entry(entry, actor)
    entry.ended_at = utcnow()
    entry.ended_by_id = actor.id
    entry.ended_how = "deleted"
    db.session.flush()
    return entry


def outreach_log(gathering, municipality=None, limit: int = 500) -> list:
    """The gathering's current outreach, newest first, with who logged it and where."""
    stmt = (select(Outreach).where(Outreach.gathering_id == gathering.id, Outreach.current())
            .options(joinedload(Outreach.municipality), joinedload(Outreach.user))
            .order_by(Outreach.happened_on.desc(), Outreach.id.desc()).limit(limit))
    if municipality is not None:
        stmt = stmt.where(Outreach.municipality_id == municipality.id)
    return list(db.session.scalars(stmt))


def outreach_history(gathering) -> tuple[dict[int, list], list]:
    """The log's history: per current entry its earlier versions (newest first), and the
    deleted entries (most recently deleted first), each with who ended it and when."""
    ended = list(db.session.scalars(
        select(Outreach).where(Outreach.gathering_id == gathering.id,
                               Outreach.ended_at.is_not(None))
        .options(joinedload(Outreach.municipality), joinedload(Outreach.user),
                 joinedload(Outreach.ended_by))
        .order_by(Outreach.ended_at.desc(), Outreach.id.desc())
    ))
    versions: dict[int, list] = {}
    deleted = []
    for row in ended:
        if row.entry_id is not None:
            versions.setdefault(row.entry_id, []).append(row)
        else:
            deleted.append(row)
    return versions, deleted


# Follow-up: barriers, offers and the next step, on the row that holds the municipality's cap.

def follow_up_row(gathering, municipality):
    """The municipality's row for this gathering, or None while nothing is noted."""
    return db.session.scalars(
        select(GatheringMunicipality).where(
            GatheringMunicipality.gathering_id == gathering.id,
            GatheringMunicipality.municipality_id == municipality.id)
    ).first()


def save_follow_up(gathering, actor, municipality, *, barriers, barrier_other: str | None,
                   offers, next_step: str | None):
    """Note what stops the municipality from coming, what was offered, and the next step."""
    # Another county's municipality is refused like one the actor does not act for.
    if (municipality is None or municipality.county_id != gathering.county_id
            or not policy.can(actor, "board.act_for", municipality)):
        raise Forbidden(_("Only the county's host and the municipality's contact counsellor may "
                          "note barriers and next steps."))
    barriers = set(barriers or ())
    offers = set(offers or ())
    barrier_other = (barrier_other or "").strip()
    next_step = (next_step or "").strip()
    problems = {}
    unknown = (barriers - set(BARRIERS)) | (offers - set(BOARD_OFFERS))
    if unknown:
        problems["barriers"] = _("Unknown choice: %(names)s", names=", ".join(sorted(unknown)))
    if "other" in barriers and not barrier_other:
        problems["barrier_other"] = _("Say what the other barrier is.")
    elif len(barrier_other) > BARRIER_OTHER_MAX:
        problems["barrier_other"] = _("At most %(n)d characters.", n=BARRIER_OTHER_MAX)
    if len(next_step) > NEXT_STEP_MAX:
        problems["next_step"] = _("At most %(n)d characters.", n=NEXT_STEP_MAX)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    row = cap_row(gathering, municipality)
    for name in BARRIERS[:-1]:
        setattr(row, f"barrier_{name}", name in barriers)
    # Text without the box ticked still names a barrier: keep it rather than lose it.
    row.barrier_other = barrier_other or None
    for name in BOARD_OFFERS:
        setattr(row, f"offered_{name}", name in offers)
    row.next_step = next_step or None
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    return row
