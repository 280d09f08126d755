"""Deleting a gathering's personal data once its report is approved: every figure on the report
page and in the API reads the same afterwards, and no table anywhere holds a personal string."""

from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import LargeBinary, String, Text, inspect, select, text

from eventapp.core.time import utcnow
from eventapp.gatherings.models import MunicipalInput
from eventapp.grants import services
from eventapp.grants.models import FinalReport
from eventapp.invitations.models import Campaign, Invitation
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_mail
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, record_attendance, register
from tests.conftest import get_csrf
from tests.grants.conftest import page_figures, vestland_units

# Each person's every personal value is distinctive, so finding any fragment anywhere in the
# database after the purge means it was left behind.
PEOPLE = [
    # name, email, phone, dietary, accessibility, travel support, days checked in
    ("Torbjørg Kvamsdal-Ueland", "torbjorg.kvamsdal@kvam.example", "+47 912 34 567",
     "Sesamallergi-QX17", "", True, (1, 2)),
    ("Halvard Øyrehagen", "halvard.oyrehagen@stryn.example", "+47 934 11 002", "",
     "Teleslynge-ZK42", True, (1,)),
    ("Marit Bergslien-Nes", "marit.bergslien@luster.example", "+47 478 90 123",
     "Glutenfri-PW88", "Rullestol-RV09", False, (2,)),
    ("Sigvart Dalsbotten", "sigvart.dalsbotten@voss.example", "+47 401 55 667", "", "", True,
     ()),
]
INVITEES = [("Gunnvor Hestnesøy", "gunnvor.hestnesoy@selje.example"),
            ("Åsmund Kleppevik", "asmund.kleppevik@fjaler.example")]
INPUT_GIVER = ("Ragnfrid Solbakk", "ragnfrid.solbakk@aurland.example")


def personal_strings() -> list[str]:
    values = []
    for name, email, phone, dietary, accessibility, _travel, _days in PEOPLE:
        values += [name, email, phone, dietary, accessibility]
    for name, email in [*INVITEES, INPUT_GIVER]:
        values += [name, email]
    # Fragments too: a surname, the part of an address before the @.
    values += [v.split()[-1] for v in values if " " in v and "@" not in v and "+" not in v]
    values += [v.split("@")[0] for v in values if "@" in v]
    return [v for v in values if v]


def leftovers(db, needles: list[str]) -> list[str]:
    """Every text (and binary) value in every table of the database that holds a needle."""
    found = []
    inspector = inspect(db.engine)
    lowered = [n.casefold() for n in needles]
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if not isinstance(column["type"], String | Text | LargeBinary):
                continue
            name = column["name"]
            rows = db.session.execute(text(f'SELECT "{name}" FROM "{table}"')).scalars()
            for value in rows:
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "ignore")
                folded = str(value).casefold()
                found += [f"{table}.{name}: {needle}" for needle in lowered if needle in folded]
    return found


@pytest.fixture
def reported(db, world, app):
    """A gathering with registrations, invitations, municipal input, travel support and
    check-ins, reported and approved."""
    g, host, directorate = world["gathering"], world["host"], world["directorate"]
    g.status = "open"
    g.start_date, g.end_date = date.today() + timedelta(days=30), date.today() + timedelta(days=31)
    db.session.commit()
    units = vestland_units(db)
    people = []
    for i, (name, email, phone, dietary, accessibility, travel, _days) in enumerate(PEOPLE):
        people.append(register(g, RegistrationData(
            name=name, email=email, phone=phone, organisation_kind="municipality",
            municipality_number=units[i].number, role="programme_adviser",
            dietary_needs=dietary, dietary_consent=bool(dietary),
            accessibility_needs=accessibility, travel_support_requested=travel,
            list_consent=True), channel="host", actor=host))
    register(g, RegistrationData(name="Fylkesleder Testesen", email="leder@vlfk.example",
                                 organisation_kind="county", county_number="46", role="leader"),
             channel="host", actor=host)
    campaign = Campaign(gathering_id=g.id, kind="invitation", sender_kind="career_centre",
                        sender_name="Karriere Vestland", subject="Invitasjon", body="Velkommen",
                        status="sent")
    db.session.add(campaign)
    db.session.flush()
    for i, (name, email) in enumerate(INVITEES):
        message = queue_mail(kind="campaign_invitation", to=email, to_name=name,
                             subject="Invitasjon til samling", body_text=f"Hei {name}!\n",
                             county_id=g.county_id)
        db.session.add(Invitation(gathering_id=g.id, campaign_id=campaign.id,
                                  municipality_id=units[10 + i].id, name=name, email=email,
                                  outbox_message_id=message.id))
    db.session.add(MunicipalInput(gathering_id=g.id, municipality_id=units[0].id,
                                  name=INPUT_GIVER[0], email=INPUT_GIVER[1],
                                  topics="Kompetansekartlegging"))
    g.status = "held"
    for registration, (*_rest, days) in zip(people, PEOPLE, strict=True):
        for day in days:
            record_attendance(registration, True, host, day=day,
                              on=g.date_of_day(day))
    db.session.commit()

    application = services.apply(g, host, planned_participants=40, applied_nok=160_000)
    services.decide(application, directorate, granted_nok=150_000, comment="Litt mindre.")
    services.add_line(g, host, services.LineData("venue", "Hotell og saler", 60_000, 58_500))
    travel = services.add_line(g, host, services.LineData(
        "travel_support", "Reisestøtte indre Sogn", 9_000, 7_800, "Etter regning"))
    services.link_travel(travel, host, [people[0].id, people[1].id])
    services.save_report(g, host, follow_up_actions="Digitale møter hver måned.",
                         remarks="God stemning.")
    report = services.submit_report(g, host)
    services.approve_report(report, directorate)
    db.session.commit()
    return world


def test_purge_keeps_every_figure_and_leaves_no_personal_string(db, as_user, api_headers,
                                                                reported):
    g = reported["gathering"]
    needles = personal_strings()
    assert len(leftovers(db, needles)) > 20  # the scan finds them while they are there

    host = as_user(reported["host"])
    urls = [f"/gatherings/{g.id}/{page}" for page in ("report", "grant", "budget")]
    api_url = f"/api/v1/gatherings/{g.id}/grant"
    headers = api_headers(reported["directorate"])

    def snapshot():
        pages = {url: page_figures(unescape(host.get(url).get_data(as_text=True)))
                 for url in urls}
        return pages, client_json()

    def client_json():
        return host.get(api_url, headers=headers).get_json()

    before_pages, before_api = snapshot()
    report_figures = before_pages[urls[0]]
    assert report_figures["participants"] == "3"  # Sigvart never came
    assert report_figures["ceiling"] == "12 000" and report_figures["granted"] == "150 000"
    assert report_figures["spent"] == "66 300" and report_figures["repay"] == "138 000"
    assert report_figures["coverage"].startswith("3 of the county's")
    assert before_api["participants_attended"] == 3 and before_api["frozen"] is True

    confirm = unescape(host.get(f"/gatherings/{g.id}/report/purge").get_data(as_text=True))
    assert "What is deleted" in confirm and "What stays" in confirm
    assert "Names and email addresses in 5 registrations" in confirm
    assert "Dietary needs and allergies of 2 people" in confirm
    response = host.post(f"/gatherings/{g.id}/report/purge", data={
        "csrf_token": get_csrf(host, f"/gatherings/{g.id}/report/purge")})
    assert response.status_code == 302

    after_pages, after_api = snapshot()
    assert after_pages == before_pages
    assert after_api == before_api
    report_page = unescape(host.get(urls[0]).get_data(as_text=True))
    assert "The personal data of this gathering was deleted on" in report_page
    assert "Delete personal data" not in report_page.split("</nav>", 2)[-1]
    assert leftovers(db, needles) == []
    # The registrations stay as anonymous rows, counted as before.
    rows = db.session.scalars(select(Registration).where(Registration.gathering_id == g.id)).all()
    assert len(rows) == 5 and all(r.name.startswith("Slettet deltaker") for r in rows)
    assert db.session.scalars(select(FinalReport)).one().purged_at is not None
    # The list shows the anonymous rows without their placeholder addresses.
    listing = host.get(f"/gatherings/{g.id}/registrations").get_data(as_text=True)
    assert "Slettet deltaker" in listing and "purged.invalid" not in listing


def test_purge_page_refuses_before_approval_and_after_the_purge(db, as_user, world, reported):
    g = reported["gathering"]
    host = as_user(reported["host"])
    url = f"/gatherings/{g.id}/report/purge"
    assert post_purge(host, url).status_code == 302
    again = host.get(url, follow_redirects=True)
    assert "Personal data can be deleted once the directorate has approved" in \
        unescape(again.get_data(as_text=True))
    refused = host.post(url, data={"csrf_token": get_csrf(host, f"/gatherings/{g.id}/report")})
    assert refused.status_code == 409
    assert "The personal data was already deleted." in unescape(refused.get_data(as_text=True))


def post_purge(client, url):
    return client.post(url, data={"csrf_token": get_csrf(client, url)})


def test_purge_is_refused_for_a_report_not_yet_approved(db, as_user, example):
    g = example["gathering"]
    host = as_user(example["host"])
    url = f"/gatherings/{g.id}/report/purge"
    page = host.get(url, follow_redirects=True)
    assert "once the directorate has approved" in unescape(page.get_data(as_text=True))
    refused = host.post(url, data={"csrf_token": get_csrf(host, f"/gatherings/{g.id}/report")})
    assert refused.status_code == 409
    assert db.session.scalar(select(Registration.name).limit(1)).startswith("Deltaker")


def test_only_the_host_purges(db, as_user, reported):
    g = reported["gathering"]
    url = f"/gatherings/{g.id}/report/purge"
    for who in ("directorate", "counsellor"):
        client = as_user(reported[who])
        assert client.get(url).status_code == 403
        token = get_csrf(client, f"/gatherings/{g.id}/report")
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert as_user(reported["outsider"]).get(url).status_code == 404
    assert db.session.scalars(select(FinalReport)).one().purged_at is None
    # Without the token nothing happens either.
    assert as_user(reported["host"]).post(url).status_code == 400
    assert db.session.scalars(select(FinalReport)).one().purged_at is None


def test_report_page_banner_when_the_purge_is_due(db, as_user, reported):
    g = reported["gathering"]
    report = db.session.scalars(select(FinalReport)).one()
    host = as_user(reported["host"])
    page = unescape(host.get(f"/gatherings/{g.id}/report").get_data(as_text=True))
    assert "Delete the personal data by" in page and "is due for deletion" not in page
    report.decided_at = utcnow() - timedelta(days=30 * 6 + 1)
    db.session.commit()
    page = unescape(host.get(f"/gatherings/{g.id}/report").get_data(as_text=True))
    assert "The personal data is due for deletion since" in page
    assert f'href="/gatherings/{g.id}/report/purge"' in page
    hk = unescape(as_user(reported["directorate"]).get(f"/gatherings/{g.id}/report")
                  .get_data(as_text=True))
    assert "is due for deletion" in hk and "/report/purge" not in hk


def test_remind_purge_command(app, db, reported, make_user):
    make_user("counsellor", county="46", email="ikke-vert@vestland.example")
    make_user("county_host", county="11", email="annen-vert@rogaland.example")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grants", "remind-purge"])
    assert result.exit_code == 0 and "purge reminders queued: 0" in result.output
    report = db.session.scalars(select(FinalReport)).one()
    report.decided_at = utcnow() - timedelta(days=30 * 6 + 1)
    db.session.commit()
    result = runner.invoke(args=["grants", "remind-purge"])
    assert result.exit_code == 0 and "purge reminders queued: 1" in result.output
    db.session.expire_all()
    sent = db.session.scalars(select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "grants.purge_reminder")).all()
    assert sent == ["vert@vestland.example"]
    result = runner.invoke(args=["grants", "remind-purge"])
    assert "purge reminders queued: 0" in result.output
