"""The app as a whole: configuration, schema, demo, errors and the rules every page follows."""

import io

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.accounts.models import User
from eventapp.config import Config, database_url
from eventapp.gatherings.models import Gathering
from tests.conftest import get_csrf, login


def test_models_match_the_migrations(app, db):
    """`flask db upgrade` built this schema; autogenerate must find nothing to add."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")

    class Local(Config):
        pass

    first = create_app(Local)
    monkeypatch.setattr(first, "instance_path", str(tmp_path))
    from eventapp.config import secret_key

    key = secret_key(tmp_path)
    assert len(key) > 40
    assert secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"


def test_database_url_forms(tmp_path):
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'eventapp.sqlite'}"
    assert database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"


def test_demo_setup_is_safe_to_run_twice(app, db):
    from eventapp.demo import DEMO_USERS, demo_setup
    from eventapp.demo.grants import previous_year_hosts

    first = demo_setup()
    second = demo_setup()
    assert first == second
    assert {role for role, _email, _pw in first} == {
        "directorate", "county_host", "counsellor", "municipal_contact"}
    # The previous year's gatherings were run by their counties' hosts.
    assert db.session.scalar(select(func.count()).select_from(User)) == \
        len(DEMO_USERS) + len(previous_year_hosts())
    gatherings = db.session.scalars(select(Gathering).where(Gathering.status == "open")).all()
    assert len(gatherings) == 1 and gatherings[0].start_date.year == 2027
    assert gatherings[0].county.number == "46" and gatherings[0].days == 2
    # Its digital follow-up: a one-day webinar with a meeting link and no venue, still a draft.
    webinar = db.session.scalars(select(Gathering).where(Gathering.mode == "digital")).one()
    assert webinar.venue is None and webinar.meeting_url.startswith("https://")
    assert webinar.days == 1 and webinar.status == "draft"


def test_demo_command_prints_logins(app):
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "vert@demo.eventapp.no" in result.output
    assert "Samling-demo-2026!" in result.output


def test_users_create_and_tokens_create_commands(app, places):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "ops@hkdir.no", "--password",
                                 "Korrekt-Hest-Batteri-Stift", "--role", "directorate"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "--email", "vert@agder.no", "--password",
                                 "Korrekt-Hest-Batteri-Stift", "--role", "county_host",
                                 "--county", "42"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tokens", "create", "--email", "vert@agder.no"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["county_number"] == "42"


def test_users_create_refuses_bad_input(app, places):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "--email", "a@b.no", "--password", "kort",
                               "--role", "directorate"])
    assert weak.exit_code != 0 and "12" in weak.output
    no_county = runner.invoke(args=["users", "create", "--email", "a@b.no", "--password",
                                    "Korrekt-Hest-Batteri-Stift", "--role", "county_host"])
    assert no_county.exit_code != 0
    wrong = runner.invoke(args=["users", "create", "--email", "a@b.no", "--password",
                                "Korrekt-Hest-Batteri-Stift", "--role", "municipal_contact",
                                "--county", "11", "--municipality", "4601"])
    assert wrong.exit_code != 0
    unknown = runner.invoke(args=["tokens", "create", "--email", "nobody@b.no"])
    assert unknown.exit_code != 0
    assert app.extensions["sqlalchemy"].session.scalar(select(func.count()).select_from(User)) == 0


def test_post_without_csrf_token_is_refused(client, make_user):
    host = make_user("county_host")
    login(client, host.email)
    response = client.post("/account/users/new", data={"name": "X", "email": "x@y.no",
                                                       "role": "counsellor"})
    assert response.status_code == 400
    assert "skjemaet" in response.get_data(as_text=True).lower()


def test_oversized_upload_is_refused_with_a_page(client, make_user):
    user = make_user("directorate", county=None)
    login(client, user.email)
    token = get_csrf(client, "/places/import")
    big = io.BytesIO(b"x" * (6 * 1024 * 1024))
    response = client.post("/places/import", data={"file": (big, "big.csv"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)


def test_error_pages_are_friendly(app, places, database_url, tmp_path):
    # An app of its own: the suite shares one, and this test adds a route to it.
    from eventapp import create_app
    from tests.conftest import IsolatedClient, _config

    own = create_app(_config(database_url, tmp_path))
    own.test_client_class = IsolatedClient

    @own.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    own.config["PROPAGATE_EXCEPTIONS"] = False
    client = own.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "kaboom" not in page and "<h1>" in page
    missing = client.get("/finnes-ikke")
    assert missing.status_code == 404 and "<h1>" in missing.get_data(as_text=True)


def test_security_headers(client, places):
    response = client.get("/account/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_fetch_nothing_from_other_sites(client, make_user):
    host = make_user("county_host")
    login(client, host.email)
    for url in ("/", "/account/users", "/account/tokens/", "/mail/", "/places/"):
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page.replace("http://localhost", "") and "https://" not in page, url
