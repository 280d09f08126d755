"""Database helpers shared by the features."""

from sqlalchemy import select, update

from eventapp.extensions import db


def lock_row(model, ident) -> None:
    """Hold ``model``'s row ``ident`` until the transaction ends, so a cap it owns can be
    checked and taken without a race.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks, and a plain SELECT does not
    even begin a transaction there, so write the row to itself: that takes SQLite's write lock,
    which serialises every writer until commit.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(model).where(model.id == ident).values(id=model.id)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(select(model.id).where(model.id == ident).with_for_update())


def sql_in(values) -> str:
    """The SQL list for a CHECK constraint that keeps a column to known values."""
    return ", ".join(f"'{value}'" for value in values)
