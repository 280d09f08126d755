"""The 429 page tells the truth about how long to wait, from the limiter's reset time, and
sends Retry-After (issue 16, guard rails); the login page keeps its own message."""

import re
from html import unescape

from tests.conftest import get_csrf


def test_a_broken_limit_says_how_long_to_wait_and_sends_retry_after(client, open_gathering):
    url = f"/gatherings/{open_gathering.id}/register"
    token = get_csrf(client, url)
    # Thirty a minute: each refused (nothing filled in) and nothing saved; the 31st is limited.
    statuses = [client.post(url, data={"csrf_token": token}).status_code for _ in range(30)]
    assert 429 not in statuses
    limited = client.post(url, data={"csrf_token": token})
    assert limited.status_code == 429
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 60
    shown = " ".join(unescape(limited.get_data(as_text=True)).split())
    assert "For mange forespørsler på kort tid." in shown
    said = re.search(r"Prøv igjen om (\d+) sekund", shown)
    assert said, shown
    assert abs(int(said.group(1)) - wait) <= 1
    assert "Vent et minutt" not in shown

