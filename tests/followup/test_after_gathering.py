"""The answers are mailed only after the gathering (issue 16, guard rails)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.followup import services
from eventapp.mail.models import OutboxMessage
from tests.conftest import get_csrf, login
from tests.followup.conftest import add_person


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2027, 3, 11)])
def test_answers_are_not_mailed_before_the_gathering_is_over(db, world, add_item, monkeypatch,
                                                             today):
    g, host = world["gathering"], world["host"]  # 10–11 March 2027
    add_person(db, g)
    add_item(g, host, "Neste gang?", answer="I mars.")
    monkeypatch.setattr(services, "today", lambda: today)
    with pytest.raises(ValidationFailed) as refused:
        services.mail_answers(g, host)
    assert "mail" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    monkeypatch.setattr(services, "today", lambda: date(2027, 3, 12))
    # The participant and the county's municipal contact (issue 17).
    assert services.mail_answers(g, host) == 2


def test_the_mail_page_says_when_it_can_be_sent(client, db, world, add_item, monkeypatch):
    g, host = world["gathering"], world["host"]
    add_person(db, g)
    add_item(g, host, "Neste gang?", answer="I mars.")
    monkeypatch.setattr(services, "today", lambda: date(2027, 3, 11))
    login(client, host.email)
    url = f"/gatherings/{g.id}/follow-up/mail"
    page = client.get(url).get_data(as_text=True)
    assert 'data-note="not-after-gathering"' in page and "fra dagen etter siste dag" in page
    response = client.post(url, data={"csrf_token": get_csrf(client, url)})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
