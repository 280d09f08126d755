"""Retries that are safe: the Idempotency-Key header on every API write (issue 15, item 3)."""

import hashlib
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.api.models import IdempotencyKey
from eventapp.api.services import create_token
from eventapp.core.time import utcnow
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, register

BODY = {"name": "Kari Nordmann", "email": "kari@example.no",
        "organisation": {"kind": "municipality", "number": "4601"}, "role": "leader"}


@pytest.fixture
def world(db, make_user, make_gathering):
    gathering = make_gathering(county="46", start=date.today() + timedelta(days=60),
                               end=date.today() + timedelta(days=61), municipal_cap=2)
    gathering.status = "open"
    hosts = [make_user("county_host", county="46", email=f"vert{n}@vestland.example")
             for n in (1, 2)]
    raws = [create_token(host, "t")[1] for host in hosts]
    db.session.commit()
    return {"gathering": gathering, "url": f"/api/v1/gatherings/{gathering.id}/registrations",
            "hosts": hosts, "headers": [{"Authorization": f"Bearer {raw}"} for raw in raws]}


def keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


def registrations(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_the_same_request_again_gets_the_first_answer_and_creates_nothing(client, db, world):
    headers = keyed(world["headers"][0], "9b7c2f4e-retry-1")
    first = client.post(world["url"], json=BODY, headers=headers)
    assert first.status_code == 201
    # The same JSON with its keys in another order is the same request.
    again = client.post(world["url"], json=dict(reversed(list(BODY.items()))), headers=headers)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert registrations(db) == 1
    # Without the key, the same body is a new request (refused: the e-mail is registered).
    assert client.post(world["url"], json=BODY, headers=world["headers"][0]).status_code == 422


def test_a_lost_reply_to_a_cancellation_is_answered_again(client, db, world):
    registration = register(world["gathering"], RegistrationData(
        name="Ola", email="ola@kommune.example", organisation_kind="municipality",
        municipality_number="4601", role="leader"), channel="public_link")
    db.session.commit()
    url = f"/api/v1/registrations/{registration.id}/cancel"
    headers = keyed(world["headers"][0], "cancel-ola")
    first = client.post(url, headers=headers)
    assert first.status_code == 200 and first.get_json()["status"] == "cancelled"
    again = client.post(url, headers=headers)
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    # A new key runs the operation, which refuses: it is cancelled already.
    assert client.post(url, headers=keyed(world["headers"][0], "cancel-ola-2")).status_code == 409


def test_the_same_key_with_another_body_or_path_is_refused(client, db, world):
    headers = keyed(world["headers"][0], "k1")
    assert client.post(world["url"], json=BODY, headers=headers).status_code == 201
    other = client.post(world["url"], json={**BODY, "email": "per@example.no"}, headers=headers)
    assert other.status_code == 422
    error = other.get_json()["error"]
    assert error["code"] == "validation_failed" and "Idempotency-Key" in error["fields"]
    elsewhere = client.post("/api/v1/registrations/1/cancel", headers=headers)
    assert elsewhere.status_code == 422
    assert registrations(db) == 1


def test_a_key_still_running_answers_409(client, db, world):
    # The row a first request leaves while its operation runs: the request, no answer yet.
    canonical = json.dumps(BODY, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    db.session.add(IdempotencyKey(user_id=world["hosts"][0].id, key="running",
                                  request=f"POST {world['url']}",
                                  body_hash=hashlib.sha256(canonical.encode()).hexdigest()))
    db.session.commit()
    response = client.post(world["url"], json=BODY, headers=keyed(world["headers"][0], "running"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert registrations(db) == 0


def test_a_key_older_than_24_hours_is_free_again(client, db, world):
    headers = keyed(world["headers"][0], "old")
    assert client.post(world["url"], json=BODY, headers=headers).status_code == 201
    row = db.session.scalars(select(IdempotencyKey)).one()
    row.created_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.commit()
    fresh = client.post(world["url"], json={**BODY, "email": "per@example.no"}, headers=headers)
    assert fresh.status_code == 201
    assert registrations(db) == 2
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_different_users_use_the_same_key_independently(client, db, world):
    first = client.post(world["url"], json=BODY, headers=keyed(world["headers"][0], "shared"))
    second = client.post(world["url"], json={**BODY, "email": "per@example.no"},
                         headers=keyed(world["headers"][1], "shared"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] != second.get_json()["id"]
    assert registrations(db) == 2


def test_a_refusal_is_kept_and_a_bad_key_is_refused(client, db, world):
    refused = client.post(world["url"], json={**BODY, "role": "nobody"},
                          headers=keyed(world["headers"][0], "bad-role"))
    assert refused.status_code == 422
    again = client.post(world["url"], json={**BODY, "role": "nobody"},
                        headers=keyed(world["headers"][0], "bad-role"))
    assert (again.status_code, again.get_json()) == (422, refused.get_json())
    for key in ("", "x" * 201, "has space", "ø"):
        response = client.post(world["url"], json=BODY, headers=keyed(world["headers"][0], key))
        assert response.status_code == 422, key
        assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert registrations(db) == 0


def test_a_server_error_frees_the_key(client, db, world, app, monkeypatch):
    from eventapp.registration import services

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "register", broken)
    headers = keyed(world["headers"][0], "flaky")
    assert client.post(world["url"], json=BODY, headers=headers).status_code == 500
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    monkeypatch.undo()
    assert client.post(world["url"], json=BODY, headers=headers).status_code == 201


def test_the_document_lists_the_header_on_every_write_and_only_there(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    seen = 0
    for item in paths.values():
        for method, entry in item.items():
            names = [p["name"] for p in entry["parameters"] if p["in"] == "header"]
            takes = method in ("post", "put", "patch", "delete") and entry.get("security") != []
            assert names == (["Idempotency-Key"] if takes else []), entry["operationId"]
            if takes:
                seen += 1
                header = entry["parameters"][-1]
                assert header["required"] is False and header["description"]
                assert {"409", "422"} <= set(entry["responses"])
    assert seen >= 8
    # The public survey answer (a participant's token, no user) takes no key.
    assert not [p for p in paths["/surveys/{token}/responses"]["post"]["parameters"]
                if p["in"] == "header"]


def test_two_requests_with_one_key_at_once_register_once(app, db, world, is_postgres,
                                                         run_in_thread):
    """Two copies of a request race (a client retrying before the first answer): one runs, the
    other waits for the key's row and then replays its answer or says it is still running;
    one registration either way."""
    if not is_postgres:
        pytest.skip("SQLite serialises the two requests: they never overlap")
    answers = []
    barrier = threading.Barrier(2)

    def send():
        client = app.test_client()
        barrier.wait(10)
        answers.append(client.post(world["url"], json=BODY,
                                   headers=keyed(world["headers"][0], "both-at-once")))

    run_in_thread(send, send)
    codes = sorted(r.status_code for r in answers)
    assert codes in ([201, 201], [201, 409]), codes
    ids = {r.get_json()["id"] for r in answers if r.status_code == 201}
    assert len(ids) == 1
    assert registrations(db) == 1
