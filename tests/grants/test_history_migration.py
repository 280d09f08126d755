"""Migration 0013 on a database with a decided grant and an approved report: the history is
filled from them, the programme log accepts 'restored'; downgrade drops the history and turns
'restored' lines into 'updated' ones; upgrading again works. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, insert, inspect, select, text

from eventapp import create_app
from eventapp.extensions import db
from tests.conftest import _config
from tests.core.test_link_migration import scratch_url  # noqa: F401

BEFORE = "0012_idempotency_keys"
AFTER = "0013_grant_history_restore"


def _old_rows(conn) -> None:
    tables = MetaData()
    tables.reflect(conn)
    t = tables.tables
    now = datetime.now(UTC).replace(tzinfo=None)
    county = conn.execute(select(t["counties"].c.id).where(t["counties"].c.number == "46")).scalar()
    hk = conn.execute(insert(t["users"]).values(
        email="hk@example.no", name="Dina Direktorat", role="directorate", active=True,
        language="nb", created_at=now, password_hash="x").returning(t["users"].c.id)).scalar()
    gathering = conn.execute(insert(t["gatherings"]).values(
        county_id=county, title="Gammel samling", start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 11), venue="Rådhuset", status="reported", municipal_cap=2,
        pool_cap=20, report_locked=True, input_salt="a" * 32, calendar_salt="b" * 32,
        created_at=now).returning(t["gatherings"].c.id)).scalar()
    conn.execute(insert(t["grant_applications"]).values(
        gathering_id=gathering, planned_participants=50, rate_nok=4000, applied_nok=200_000,
        status="decided", submitted_at=now, granted_nok=150_000, decision_comment="Lavere",
        decided_at=now, decided_by_id=hk))
    conn.execute(insert(t["final_reports"]).values(
        gathering_id=gathering, status="approved", decided_at=now, decided_by_id=hk,
        review_comment="Fint", participants=40, spent_nok=100_000, granted_nok=150_000))
    item = conn.execute(insert(t["programme_items"]).values(
        gathering_id=gathering, starts_at=now, ends_at=now + timedelta(hours=1), kind="talk", title="Panel",
        question_minutes=0, sequence=0, uid="x@y", created_at=now, updated_at=now)
        .returning(t["programme_items"].c.id)).scalar()
    conn.execute(insert(t["programme_changes"]).values(
        gathering_id=gathering, item_id=item, at=now, action="cancelled", summary="Panel"))


def test_history_is_filled_and_restored_is_allowed_and_downgrade_undoes_it(scratch_url,  # noqa: F811
                                                                           tmp_path):
    from eventapp.places.services import load_shipped

    app = create_app(_config(scratch_url, tmp_path))
    directory = app.extensions["migrate"].directory
    with app.app_context():
        try:
            upgrade(directory=directory, revision=BEFORE)
            load_shipped()
            db.session.commit()
            try:
                with db.engine.begin() as conn:
                    _old_rows(conn)
            except Exception as exc:  # noqa: BLE001 - columns named differently: say which
                pytest.fail(f"could not build the old rows: {exc}")
            upgrade(directory=directory, revision=AFTER)
            rows = db.session.execute(text(
                "SELECT subject, action, amount_nok, reason, actor_name FROM grant_history "
                "ORDER BY subject")).all()
            assert [tuple(r) for r in rows] == [
                ("application", "decided", 150_000, "Lavere", "Dina Direktorat"),
                ("report", "approved", None, "Fint", "Dina Direktorat")]
            db.session.execute(text("UPDATE programme_changes SET action = 'restored'"))
            db.session.commit()
            # A reopening without a reason is refused by the database too.
            with pytest.raises(Exception):  # noqa: B017 - IntegrityError on either database
                db.session.execute(text(
                    "INSERT INTO grant_history (gathering_id, subject, action, actor_name, at) "
                    "SELECT id, 'report', 'reopened', 'x', created_at FROM gatherings"))
            db.session.rollback()
            db.session.remove()

            downgrade(directory=directory, revision=BEFORE)
            assert "grant_history" not in inspect(db.engine).get_table_names()
            assert db.session.execute(text("SELECT action FROM programme_changes")).scalar() \
                == "updated"
            with pytest.raises(Exception):  # noqa: B017 - the old constraint is back
                db.session.execute(text("UPDATE programme_changes SET action = 'restored'"))
                db.session.commit()
            db.session.rollback()
            db.session.remove()
            upgrade(directory=directory, revision=AFTER)
            assert db.session.execute(text("SELECT COUNT(*) FROM grant_history")).scalar() == 2
        finally:
            db.session.remove()
            db.engine.dispose()
