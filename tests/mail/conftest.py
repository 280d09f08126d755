"""Fixtures for the outbox tests."""

import pytest

from eventapp.extensions import db
from eventapp.mail.services import queue_mail


@pytest.fixture
def queue(app):
    """Queue a message and commit, as the request that caused it would; returns its id."""
    counter = {"n": 0}

    def add(**fields) -> int:
        counter["n"] += 1
        n = counter["n"]
        values = {
            "kind": "test",
            "to": f"mottaker{n}@example.no",
            "subject": f"Melding {n}",
            "body_text": f"Hei, dette er melding {n}.\n",
        }
        values.update(fields)
        message = queue_mail(**values)
        db.session.commit()
        return message.id

    return add
