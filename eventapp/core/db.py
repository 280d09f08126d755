"""Database helpers shared by the features, and the one lock order.

The lock order
--------------

Every path that reads or changes a limit (a municipality's places, the pool, the venue's
capacity, whether registration is open) takes its locks in this order, never the other way, and
reads what it checks again once it holds them:

1. The gathering's row (``lock_row(Gathering, id, shared=...)``).
   *Shared* (FOR SHARE) by whoever takes, frees or hands on a place: registration, cancellation
   with promotion, swaps. Many at once, one per municipality.
   *Exclusive* (FOR NO KEY UPDATE) by whoever changes the gathering: its limits and status
   (``updateGathering``, a municipality's cap), and the programme, budget, report and seating,
   which need it to themselves. An exclusive lock waits for every place being taken to finish,
   and the places taken after it meet the new limits.
   Never FOR UPDATE: inserting a row that refers to the gathering (a registration, a mail)
   takes KEY SHARE on it through the foreign key, which FOR UPDATE blocks and FOR NO KEY
   UPDATE does not; so a change that holds the gathering never deadlocks with a registration
   that holds its municipality's row and inserts.
2. The municipality's cap row (GatheringMunicipality), exclusive: the places of one
   municipality are taken one at a time.
3. The gathering's head count (``lock_key(HEAD_COUNT, id)``), exclusive, by a place taken or
   freed that counts across the gathering: the pool's, or any place once a venue capacity is
   set. It serialises only those, and comes last so it is held for the shortest time (a
   registration whose municipality is full never takes it).
4. The registration's own row (its status changes last).

A wait for any lock is bounded by LOCK_TIMEOUT_SECONDS; past it ``Busy`` is raised (409 with
Retry-After, "many are registering right now") and the caller's transaction is rolled back.
SQLite has no row locks: every writer takes the database's one write lock, so the order holds
trivially there.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from eventapp.core.errors import Conflict
from eventapp.extensions import db

# Namespaces of ``lock_key``: the first half of PostgreSQL's two-part advisory lock key.
HEAD_COUNT = 1
# psycopg's LockNotAvailable: lock_timeout ran out.
LOCK_NOT_AVAILABLE = "55P03"


class Busy(Conflict):
    """A lock was not free within LOCK_TIMEOUT_SECONDS: many are doing the same right now.
    Nothing was saved; trying again in a moment will do."""

    code = "busy"
    retry_after = 2

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Many are registering right now. Nothing was saved: "
                                      "try again in a moment."))


def lock_timed_out(exc: BaseException) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == LOCK_NOT_AVAILABLE


def _bounded(statement):
    """Run ``statement`` with every lock wait of the transaction bounded; Busy past it."""
    session = db.session()
    session.connection()  # begin, so that the transaction below is this one
    transaction = session.get_transaction()
    if session.info.get("bounded") is not transaction:  # once per transaction
        seconds = current_app.config.get("LOCK_TIMEOUT_SECONDS", 3)
        session.execute(select(func.set_config("lock_timeout", f"{int(seconds * 1000)}ms", True)))
        session.info["bounded"] = transaction
    try:
        return db.session.execute(statement)
    except OperationalError as exc:
        if lock_timed_out(exc):
            raise Busy() from exc
        raise


def lock_row(model, ident=None, *, shared: bool = False, where=()):
    """Hold ``model``'s row ``ident`` (or the one row ``where`` finds) until the transaction
    ends (see the lock order above), and return it read again: what was loaded before the wait
    may have changed meanwhile. None if there is no such row.

    PostgreSQL: SELECT ... FOR NO KEY UPDATE, or FOR SHARE when ``shared``. SQLite has no row
    locks, and a plain SELECT does not even begin a transaction there, so write the row to
    itself: that takes SQLite's write lock, which serialises every writer until commit.
    """
    where = (model.id == ident,) if ident is not None else tuple(where)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(model).where(*where).values(id=model.id)
            .execution_options(synchronize_session=False)
        )
        return db.session.scalars(
            select(model).where(*where).execution_options(populate_existing=True)).one_or_none()
    statement = select(model).where(*where).execution_options(populate_existing=True)
    statement = statement.with_for_update(read=True) if shared \
        else statement.with_for_update(key_share=True)
    return _bounded(statement).scalars().one_or_none()


def lock_key(namespace: int, ident: int) -> None:
    """Hold an advisory lock on (``namespace``, ``ident``) until the transaction ends: for what
    has no row of its own, such as a gathering's head count. Nothing to do on SQLite."""
    if db.session.get_bind().dialect.name != "sqlite":
        _bounded(select(func.pg_advisory_xact_lock(namespace, ident)))


def sql_in(values) -> str:
    """The SQL list for a CHECK constraint that keeps a column to known values."""
    return ", ".join(f"'{value}'" for value in values)
