"""The login limit: failures only, per account and per address, behind proxies, shared by
workers through Redis; and login and reset requests that do the same work for any email."""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from eventapp import create_app
from eventapp.mail.models import OutboxMessage
from tests.conftest import PASSWORD, get_csrf

WRONG = "Feil-passord-123456"
ROOT = Path(__file__).resolve().parents[2]


def _login(client, email, password=WRONG, address="192.0.2.10", forwarded=None):
    token = get_csrf(client, "/account/login")
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/account/login", data={"email": email, "password": password,
                                               "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def _logout(client):
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


def test_successful_logins_do_not_count(client, make_user):
    user = make_user("county_host")
    for _ in range(3):
        assert _login(client, user.email).status_code == 401
        assert _login(client, user.email, PASSWORD).status_code == 302
        _logout(client)
    statuses = [_login(client, user.email).status_code for _ in range(8)]
    assert statuses == [401] * 7 + [429]  # the 10th failure is the last one allowed


def test_failures_count_per_address_across_accounts(client, places):
    for n in range(10):
        assert _login(client, f"ukjent{n}@example.no").status_code == 401
    assert _login(client, "ukjent10@example.no").status_code == 429
    # Someone else, at another address, is not held up.
    assert _login(client, "ukjent11@example.no", address="198.51.100.7").status_code == 401


def test_failures_count_per_account_across_addresses(client, make_user):
    user = make_user("county_host")
    other = make_user("county_host")
    for n in range(10):
        assert _login(client, user.email, address=f"203.0.113.{n + 1}").status_code == 401
    assert _login(client, user.email.upper(), address="203.0.113.50").status_code == 429
    assert _login(client, user.email, PASSWORD, address="203.0.113.51").status_code == 429
    assert _login(client, other.email, PASSWORD, address="203.0.113.52").status_code == 302


def test_the_message_says_how_long_to_wait_with_retry_after(client, places):
    client.set_cookie("lang", "en")
    for n in range(10):
        _login(client, f"ukjent{n}@example.no")
    response = _login(client, "ukjent@example.no")
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 61
    page = response.get_data(as_text=True)
    said = int(re.search(r"Try again in (\d+) seconds", page).group(1))
    assert abs(said - wait) <= 1  # the header is whole seconds rounded down, the message up
    assert 'autocomplete="current-password"' in page  # the login form, to try again from


def test_the_message_counts_in_minutes_when_the_hourly_limit_is_reached(app, client, places):
    client.set_cookie("lang", "en")
    app.config["LOGIN_RATE_LIMIT"] = "3 per hour"
    for n in range(3):
        _login(client, f"ukjent{n}@example.no")
    response = _login(client, "ukjent@example.no")
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 3500 < wait <= 3601
    said = int(re.search(r"Try again in (\d+) minutes", response.get_data(as_text=True)).group(1))
    assert said == 60


@pytest.fixture(scope="module")
def proxied_app(_built_app):
    """The app as it runs behind one trusted proxy (TRUSTED_PROXIES=1)."""
    app, config = _built_app
    return create_app(dict(config, TRUSTED_PROXIES=1))


def test_behind_a_trusted_proxy_x_forwarded_for_decides_the_address(proxied_app, app, places):
    with proxied_app.app_context():
        client = proxied_app.test_client()
        for n in range(10):
            assert _login(client, f"u{n}@example.no", forwarded="203.0.113.1").status_code == 401
        assert _login(client, "u10@example.no", forwarded="203.0.113.1").status_code == 429
        # Another person behind the same load balancer is not locked out.
        assert _login(client, "u11@example.no", forwarded="203.0.113.2").status_code == 401


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, places):
    for n in range(10):
        assert _login(client, f"u{n}@example.no", forwarded=f"203.0.113.{n + 1}").status_code == 401
    # A client cannot dodge the limit by making up the header.
    assert _login(client, "u10@example.no", forwarded="203.0.113.99").status_code == 429


WORKER = """
import json, sys
from eventapp import create_app
from tests.conftest import _config
from pathlib import Path

url, prefix, email, tries = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
config = _config(url, Path(sys.argv[5]))
config.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
config.RATELIMIT_KEY_PREFIX = prefix
app = create_app(config)
client = app.test_client()
statuses = []
import re
for _ in range(tries):
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses.append(client.post("/account/login", data={
        "email": email, "password": "Feil-passord-123456", "csrf_token": token}).status_code)
print(json.dumps(statuses))
"""


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means: not here
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_workers_share_the_count_through_redis(make_user, database_url, tmp_path):
    """Two worker processes with their own app: together they allow ten failures, not twenty."""
    user = make_user("county_host")
    prefix = f"eventapp-test-{uuid.uuid4().hex}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def worker(tries):
        out = subprocess.run(
            [sys.executable, "-c", WORKER, database_url, prefix, user.email, str(tries),
             str(tmp_path)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert worker(6) == [401] * 6
    assert worker(6) == [401] * 4 + [429] * 2


def test_an_unknown_email_costs_one_argon2_run_like_a_known_one(client, make_user, monkeypatch):
    from argon2 import PasswordHasher

    user = make_user("county_host")
    _login(client, "varm@example.no")  # the stand-in hash is made once per process
    runs = []
    for name in ("hash", "verify"):
        real = getattr(PasswordHasher, name)
        monkeypatch.setattr(PasswordHasher, name,
                            lambda self, *a, _real=real, _name=name: runs.append(_name)
                            or _real(self, *a))
    for email in (user.email, "ukjent@example.no"):
        runs.clear()
        assert _login(client, email, address="198.51.100.1").status_code == 401
        assert runs == ["verify"], email


def test_a_reset_request_queues_a_mail_for_a_known_and_an_unknown_email(client, make_user, db):
    make_user("county_host", email="kjent@vlfk.no")
    for email in ("kjent@vlfk.no", "ukjent@vlfk.no"):
        token = get_csrf(client, "/account/reset")
        response = client.post("/account/reset", data={"email": email, "csrf_token": token})
        assert response.status_code == 302
    known, unknown = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert known.to_address == "kjent@vlfk.no" and "/account/reset/" in known.body_text
    # The owner of an address with no active account learns so, and gets no link.
    assert unknown.to_address == "ukjent@vlfk.no" and "/account/" not in unknown.body_text
    assert unknown.kind == "accounts.reset_no_account"


def test_reset_links_are_limited_per_address_asked_for(client, make_user):
    client.set_cookie("lang", "en")
    make_user("county_host", email="vert@vlfk.no")

    def ask(email, address):
        token = get_csrf(client, "/account/reset")
        return client.post("/account/reset", data={"email": email, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})

    assert [ask("vert@vlfk.no", f"203.0.113.{n}").status_code for n in range(6)] == \
        [302] * 5 + [429]
    refused = ask("VERT@vlfk.no", "203.0.113.9")
    assert refused.status_code == 429 and "Try again in" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 60
    assert ask("annen@vlfk.no", "203.0.113.9").status_code == 302
