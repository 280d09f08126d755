"""What the gatherings feature tells the features above it, which it may not import.

``gathering_moved`` goes out when a gathering's venue (or address), its dates or its
programme's times have changed: the registration feature subscribes at app start and mails
everyone registered. A service calls ``note_move(gathering, actor)`` *before* it changes any of
these; what they were is kept with the session, and once, when the transaction commits, what
has really changed since (a whole day of items moved in one save is one change, and a value
changed and changed back is none) is sent as one ``Moved`` per gathering. Receivers run inside
that commit, before the data is written, so whatever they add (outbox rows) is committed with
the change, and a rolled-back change sends nothing.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from blinker import Namespace
from sqlalchemy import event

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering

signals = Namespace()
# Sent with the gathering as sender and ``moved=Moved(...)``.
gathering_moved = signals.signal("gathering-moved")

_PENDING = "gatherings.moved"


@dataclass
class ItemMove:
    title: str
    old_start: datetime
    old_end: datetime
    new_start: datetime
    new_end: datetime


@dataclass
class Moved:
    """What changed, before and after. ``venue``: (old, new) "venue, address" text, or None;
    ``dates``: ((old start, old end), (new start, new end)), or None; ``items``: the items whose
    times changed (removed and new items are not "moved")."""

    gathering: Gathering
    actor: object = None
    venue: tuple[str, str] | None = None
    dates: tuple[tuple[date, date], tuple[date, date]] | None = None
    items: list[ItemMove] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.venue or self.dates or self.items)


@dataclass
class _Before:
    actor_id: int | None
    venue: str
    dates: tuple[date, date]
    items: dict[int, tuple[datetime, datetime]]


def _place(gathering: Gathering) -> str:
    # A gathering that became digital "moves" to its link (told as "Digital", never the link).
    return ", ".join(p.strip() for p in (gathering.venue, gathering.address) if p and p.strip()) \
        or gathering.place


def note_move(gathering: Gathering, actor=None) -> None:
    """Remember the gathering's venue, dates and item times as they are now, unless already
    remembered in this transaction (the first state is what people were told)."""
    pending = db.session.info.setdefault(_PENDING, {})
    if gathering.id in pending:
        return
    pending[gathering.id] = _Before(
        actor_id=getattr(actor, "id", None), venue=_place(gathering),
        dates=(gathering.start_date, gathering.end_date),
        items={i.id: (i.starts_at, i.ends_at) for i in gathering.active_items if i.id})


def _moved(gathering: Gathering, before: _Before) -> Moved:
    from eventapp.accounts.models import User

    moved = Moved(gathering, db.session.get(User, before.actor_id) if before.actor_id else None)
    if _place(gathering) != before.venue:
        moved.venue = (before.venue, _place(gathering))
    if (gathering.start_date, gathering.end_date) != before.dates:
        moved.dates = (before.dates, (gathering.start_date, gathering.end_date))
    for item in sorted(gathering.active_items, key=lambda i: i.starts_at):
        old = before.items.get(item.id)
        if old is not None and old != (item.starts_at, item.ends_at):
            moved.items.append(ItemMove(item.title, old[0], old[1], item.starts_at, item.ends_at))
    return moved


@event.listens_for(db.session, "before_commit")
def _send_pending(session) -> None:
    # A savepoint's release is not the commit: wait for the transaction's own.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    for gathering_id, before in (pending or {}).items():
        gathering = session.get(Gathering, gathering_id)
        if gathering is None:
            continue
        moved = _moved(gathering, before)
        if moved:
            gathering_moved.send(gathering, moved=moved)


@event.listens_for(db.session, "after_soft_rollback")
def _forget_pending(session, previous_transaction) -> None:
    # The changes are gone with the transaction (a savepoint's rollback keeps the outer one's:
    # what really changed is compared at commit).
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


__all__ = ["ItemMove", "Moved", "gathering_moved", "note_move"]
