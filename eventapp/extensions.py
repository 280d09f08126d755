"""Extensions created without an app and bound in ``create_app``."""

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Names for every constraint, so migrations are stable and identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Migrate:
    """Flask-Migrate, loaded when first used: it imports alembic, which only the ``flask db``
    commands and code that migrates (the demo, the tests) need, not a web worker's start. Until
    then ``app.extensions["migrate"]`` and the ``db`` command group are stand-ins that load it."""

    def init_app(self, app, db, **options) -> None:
        def load():
            if isinstance(app.extensions.get("migrate"), _Pending):
                from flask_migrate import Migrate as FlaskMigrate

                # Puts its own configuration and command group in place of the stand-ins.
                FlaskMigrate(db=db, **options).init_app(app)
            return app.extensions["migrate"]

        app.extensions["migrate"] = _Pending(load)
        app.cli.add_command(_MigrationCommands(load))


class _Pending:
    def __init__(self, load):
        self._load = load

    def __getattr__(self, name: str):
        return getattr(self._load(), name)


class _MigrationCommands(click.Group):
    def __init__(self, load):
        super().__init__("db", help="Perform database migrations.")
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra):
        self._load()
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
