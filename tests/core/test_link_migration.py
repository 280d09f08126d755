"""Migration 0010 on a database with links in plain text: afterwards the database holds none of
them, yet every link already mailed or subscribed to still opens its page, as do the links the
pages now show; the sent mail loses its link and the waiting mail keeps it; a downgrade leaves
working links, and upgrading again keeps them working."""

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.extensions import db
from tests.conftest import IsolatedClient, _config
from tests.core.test_participant_links import found_in_database, status

BEFORE = "0009_login_sessions"
OLD = {"manage": "M" * 32, "invitation": "I" * 32, "input": "N" * 32, "calendar": "C" * 32}


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """A database of its own (the suite's is at the newest revision)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_links_migration"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_rows(conn) -> None:
    """A gathering, a registration, an invitation and their mail as the app kept them before."""
    tables = MetaData()
    tables.reflect(conn)
    t = tables.tables
    now = datetime.now(UTC).replace(tzinfo=None)
    county = conn.execute(select(t["counties"].c.id).where(t["counties"].c.number == "46")).scalar()
    unit = conn.execute(select(t["municipalities"].c.id)
                        .where(t["municipalities"].c.number == "4601")).scalar()
    soon = date.today() + timedelta(days=30)
    gathering = conn.execute(insert(t["gatherings"]).values(
        county_id=county, title="Gammel samling", start_date=soon,
        end_date=soon + timedelta(days=1), venue="Rådhuset", status="open", municipal_cap=2,
        pool_cap=20, report_locked=False, input_token=OLD["input"],
        calendar_token=OLD["calendar"], created_at=now).returning(t["gatherings"].c.id)).scalar()
    campaign = conn.execute(insert(t["campaigns"]).values(
        gathering_id=gathering, kind="invitation", sender_kind="career_centre",
        sender_name="Karrieresenteret", subject="Invitasjon", body="{link}", status="sent",
        created_at=now).returning(t["campaigns"].c.id)).scalar()
    conn.execute(insert(t["invitations"]).values(
        gathering_id=gathering, campaign_id=campaign, municipality_id=unit, name="Ola Kinn",
        email="ola@kinn.example", token=OLD["invitation"], open_count=0, created_at=now))
    conn.execute(insert(t["registrations"]).values(
        gathering_id=gathering, organisation_kind="municipality", municipality_id=unit,
        name="Kari Nordmann", email="kari@bergen.example", role="leader", day1=True, day2=True,
        attends_dinner=False, dietary_consent=False, accommodation=False,
        travel_support_requested=False, list_consent=False, status="confirmed",
        channel="public_link", manage_token=OLD["manage"], created_at=now))
    for n, (kind, state, link) in enumerate([
            ("registration.confirmed", "sent", f"/registration/{OLD['manage']}"),
            ("campaign_invitation", "sent", f"/r/{OLD['invitation']}"),
            ("registration.confirmed", "pending", f"/registration/{OLD['manage']}")]):
        conn.execute(insert(t["outbox_messages"]).values(
            kind=kind, to_address="kari@bergen.example", subject="Påmeldt",
            body_text=f"Hei!\n\nhttp://localhost{link}\n\nHilsen\n", message_id=f"<{n}@x>",
            status=state, attempts=1, next_attempt_at=now, created_at=now,
            gathering_id=gathering))


def test_links_from_before_keep_working_and_the_database_holds_none(scratch_url, tmp_path):
    from eventapp.gatherings.models import Gathering
    from eventapp.invitations.models import Invitation
    from eventapp.places.services import load_shipped
    from eventapp.registration.models import Registration

    app = create_app(_config(scratch_url, tmp_path))
    app.test_client_class = IsolatedClient
    directory = app.extensions["migrate"].directory
    with app.app_context():
        try:
            upgrade(directory=directory, revision=BEFORE)
            load_shipped()
            db.session.commit()
            with db.engine.begin() as conn:
                _old_rows(conn)
            upgrade(directory=directory)

            client = app.test_client()
            for kind, token in OLD.items():
                assert status(client, kind, token) == {200}, kind
            shown = {"manage": db.session.scalars(select(Registration)).one().manage_token,
                     "invitation": db.session.scalars(select(Invitation)).one().token,
                     "input": db.session.scalars(select(Gathering)).one().input_token,
                     "calendar": db.session.scalars(select(Gathering)).one().calendar_token}
            for kind, token in shown.items():
                assert token not in OLD.values() and status(client, kind, token) == {200}, kind
            # What is left of the old links is their hash, for the lookup.
            legacy = db.session.execute(text("SELECT manage_legacy_hash FROM registrations"))
            assert legacy.scalar() == hashlib.sha256(OLD["manage"].encode()).hexdigest()
            # The waiting confirmation must still be delivered with its link; nothing else
            # holds one.
            assert found_in_database(db, [*OLD.values(), *shown.values()]) == [
                "outbox_messages.body_text"]
            bodies = dict(db.session.execute(text(
                "SELECT status, body_text FROM outbox_messages WHERE status = 'pending'")).all())
            assert OLD["manage"] in bodies["pending"]
            sent = db.session.execute(text(
                "SELECT body_text FROM outbox_messages WHERE status = 'sent'")).scalars().all()
            assert len(sent) == 2
            assert all("link removed from this copy" in body and "Hilsen" in body for body in sent)
            db.session.remove()

            downgrade(directory=directory, revision=BEFORE)
            plain = db.session.execute(text("SELECT manage_token FROM registrations")).scalar()
            assert plain == shown["manage"]
            db.session.remove()
            upgrade(directory=directory)
            for kind, token in shown.items():
                assert status(client, kind, token) == {200}, kind
            for kind, token in OLD.items():
                assert status(client, kind, token) == {404}, kind
        finally:
            db.session.remove()
            db.engine.dispose()

