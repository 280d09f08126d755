"""The directorate's decision and approval ask first, can be reopened with a reason (only by
the directorate), and every decision, review and reopening is kept in a visible history."""

import html as html_lib

import pytest
from sqlalchemy import select

from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.grants import services
from eventapp.grants.models import FinalReport, GrantApplication, GrantHistory
from eventapp.mail.models import OutboxMessage
from tests.conftest import get_csrf, login


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def _mails(db, kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def _approved(db, world):
    g, host, hk = world["gathering"], world["host"], world["directorate"]
    services.save_report(g, host, follow_up_actions="Faste møter")
    services.submit_report(g, host)
    report = services.approve_report(services.report_for(g), hk, "Fint")
    db.session.commit()
    return report


def test_reopening_a_decision_keeps_it_in_the_history_and_tells_the_county(db, example):
    g, hk, host = example["gathering"], example["directorate"], example["host"]
    application = services.application_for(g)
    with pytest.raises(Forbidden):
        services.reopen_decision(application, host, "Feil")
    with pytest.raises(ValidationFailed) as refused:
        services.reopen_decision(application, hk, "  ")
    assert refused.value.fields == {"reason": refused.value.message}
    db.session.rollback()

    services.reopen_decision(application, hk, "Beløpet var regnet feil.")
    db.session.commit()
    assert application.status == "submitted" and application.granted_nok is None
    assert application.decided_at is None
    lines = services.history(g, "application")
    assert [(h.action, h.amount_nok) for h in lines] == [("reopened", 250_000),
                                                        ("decided", 250_000)]
    assert lines[0].reason == "Beløpet var regnet feil." and lines[0].actor_name == hk.name
    mail = _mails(db, "grants.reopened")
    assert [m.to_address for m in mail] == [host.email]
    assert "Beløpet var regnet feil." in mail[0].body_text
    assert "gjenåpnet" in mail[0].subject

    # The county may change the application again, and the directorate decides anew.
    services.apply(g, host, planned_participants=65, applied_nok=240_000)
    services.decide(application, hk, granted_nok=240_000)
    db.session.commit()
    assert [h.action for h in services.history(g, "application")] == \
        ["decided", "reopened", "decided"]
    with pytest.raises(Conflict):
        services.decide(application, hk, granted_nok=200_000, comment="Igjen")


def test_a_decision_counted_in_a_submitted_report_is_not_reopened(db, example):
    g, host, hk = example["gathering"], example["host"], example["directorate"]
    services.save_report(g, host, follow_up_actions="Faste møter")
    services.submit_report(g, host)
    db.session.commit()
    with pytest.raises(Conflict):
        services.reopen_decision(services.application_for(g), hk, "Feil")


def test_reopening_an_approval_puts_the_report_back_as_submitted(db, example):
    g, hk, host = example["gathering"], example["directorate"], example["host"]
    report = _approved(db, example)
    assert g.status == "reported"
    with pytest.raises(Forbidden):
        services.reopen_approval(report, host, "Feil")
    db.session.rollback()
    services.reopen_approval(report, hk, "Tallene for deltakere må sjekkes.")
    db.session.commit()
    assert report.status == "submitted" and report.decided_at is None
    assert g.status == "held" and g.report_locked
    assert [h.action for h in services.history(g, "report")] == ["reopened", "approved"]
    assert "Tallene for deltakere må sjekkes." in _mails(db, "grants.reopened")[0].body_text
    # Now the directorate can send it back, so the county can act again.
    services.return_report(report, hk, "Rett opp tallene.")
    db.session.commit()
    assert report.status == "returned"
    assert [h.action for h in services.history(g, "report")] == \
        ["returned", "reopened", "approved"]


def test_an_approval_is_not_reopened_after_the_purge(db, example):
    report = _approved(db, example)
    services.purge(example["gathering"], example["host"])
    db.session.commit()
    with pytest.raises(Conflict):
        services.reopen_approval(report, example["directorate"], "For sent")


def test_the_decision_asks_first_and_the_history_shows(client, db, world):
    g, hk = world["gathering"], world["directorate"]
    services.apply(g, world["host"], planned_participants=50, applied_nok=200_000)
    db.session.commit()
    login(client, hk.email)
    url = f"/gatherings/{g.id}/grant"
    token = get_csrf(client, url)
    asked = client.post(f"{url}/decision", data={"csrf_token": token, "granted_nok": "150 000",
                                                 "comment": "Lavere ramme."})
    shown = _text(asked)
    assert asked.status_code == 200
    assert "Innvilge 150 000 kroner?" in shown
    assert "Vestland får innvilget 150 000 kroner av de 200 000 kronene" in shown
    assert "Vertskapet i fylket får vedtaket på e-post." in shown
    assert "Ja, innvilg 150 000 kroner" in shown
    assert 'name="granted_nok" value="150000"' in asked.get_data(as_text=True)
    application = db.session.scalars(select(GrantApplication)).one()
    assert application.status == "submitted"

    done = client.post(f"{url}/decision", data={"csrf_token": token, "granted_nok": "150000",
                                                "comment": "Lavere ramme.", "confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.status == "decided" and application.granted_nok == 150_000
    page = _text(client.get(url))
    assert "Historikk over vedtak" in page and "Innvilget 150 000 kroner" in page
    assert f'href="{url}/decision/reopen"' in client.get(url).get_data(as_text=True)


def test_reopen_page_needs_a_reason_and_only_the_directorate_sees_it(client, db, example):
    g, hk = example["gathering"], example["directorate"]
    url = f"/gatherings/{g.id}/grant/decision/reopen"
    login(client, example["host"].email)
    assert client.get(url).status_code == 403
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    login(client, hk.email)
    page = client.get(url)
    assert page.status_code == 200
    shown = _text(page)
    assert "Gjenåpne tilskuddsvedtaket?" in shown and "Begrunnelse" in shown
    assert "Vedtaket om å innvilge 250 000 kroner oppheves" in shown
    token = get_csrf(client, url)
    # Without the confirmation or without a reason: nothing changes.
    assert client.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 200
    empty = client.post(url, data={"csrf_token": token, "reason": "", "confirmed": "1"})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert services.application_for(g).status == "decided"
    done = client.post(url, data={"csrf_token": token, "reason": "Regnefeil", "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert services.application_for(g).status == "submitted"
    history = _text(client.get(f"/gatherings/{g.id}/grant"))
    assert "Vedtak om 250 000 kroner gjenåpnet" in history and "Regnefeil" in history


def test_approval_asks_first_then_reopens_with_a_reason(client, db, example):
    g, hk, host = example["gathering"], example["directorate"], example["host"]
    services.save_report(g, host, follow_up_actions="Faste møter")
    services.submit_report(g, host)
    db.session.commit()
    login(client, hk.email)
    url = f"/gatherings/{g.id}/report"
    token = get_csrf(client, url)
    asked = client.post(f"{url}/review", data={"csrf_token": token, "comment": "Fint",
                                               "approve": "1"})
    shown = _text(asked)
    assert asked.status_code == 200 and "Godkjenne sluttrapporten?" in shown
    assert "registrations" not in shown and "påmeldinger kan ikke lenger endres" in shown
    assert db.session.scalars(select(FinalReport)).one().status == "submitted"
    assert client.post(f"{url}/review", data={"csrf_token": token, "comment": "Fint",
                                              "approve": "1", "confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(FinalReport)).one().status == "approved"

    reopen = f"{url}/approval/reopen"
    assert "Gjenåpne godkjenningen av rapporten?" in _text(client.get(reopen))
    assert client.post(reopen, data={"csrf_token": token, "reason": "Sjekk tallene",
                                     "confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(FinalReport)).one().status == "submitted"
    page = _text(client.get(url))
    assert "Godkjenningen gjenåpnet" in page and "Sjekk tallene" in page
    assert "Rapporten godkjent" in page
    assert db.session.scalar(select(GrantHistory.id).where(
        GrantHistory.action == "reopened")) is not None
