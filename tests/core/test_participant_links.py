"""Participants' links (the registration's own page, the personal invitation, the municipal
input form, the calendar subscription) work, are shown and mailed as before, and nothing in the
database opens one: the rows keep a salt and a hash, the delivered mail loses its link. A wrong,
renewed or purged link opens nothing."""

import email
import email.policy
import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import LargeBinary, String, Text, inspect, text

from eventapp.invitations import services as invitations
from eventapp.invitations.models import Contact
from eventapp.mail.services import send_due
from eventapp.registration.services import RegistrationData, purge_personal_data, register
from tests.conftest import login

# The routes behind each link; {t} is the secret.
ROUTES = {
    "manage": ["/registration/{t}", "/registration/{t}/edit", "/registrations/{t}/calendar.ics"],
    "invitation": ["/r/{t}"],
    "input": ["/gatherings/input/{t}", "/gatherings/input/{t}/thanks"],
    "calendar": ["/gatherings/calendar/{t}.ics"],
}
SECRET = r"([A-Za-z0-9_-]{20,})"


def mail_bodies(folder: Path) -> list[str]:
    bodies = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        bodies.append(message.get_body(preferencelist=("plain",)).get_content())
    return bodies


def found_in_database(db, needles) -> list[str]:
    """Every column of every table holding one of ``needles`` somewhere in a value."""
    found = set()
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if not isinstance(column["type"], String | Text | LargeBinary):
                continue
            name = column["name"]
            for value in db.session.execute(text(f'SELECT "{name}" FROM "{table}"')).scalars():
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "ignore")
                found |= {f"{table}.{name}" for needle in needles if needle in str(value)}
    return sorted(found)


def stored_values(db) -> set[str]:
    """The long strings in the rows that carry links: salts, hashes, whatever is kept."""
    values = set()
    for table in ("registrations", "invitations", "gatherings"):
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')).mappings():
            values |= {v for v in row.values() if isinstance(v, str) and len(v) >= 16}
    return values


def status(client, kind: str, token: str) -> set[int]:
    return {client.get(route.format(t=token)).status_code for route in ROUTES[kind]}


@pytest.fixture
def links(db, app, make_user, make_gathering, places):
    """A gathering with a registration and a sent invitation, the mail delivered as files; the
    four links as the participants got them and as the host's pages show them."""
    app.config["MAIL_TRANSPORT"] = "file"
    host = make_user("county_host", county="46", email="vert@vlfk.example")
    soon = date.today() + timedelta(days=30)
    g = make_gathering(county="46", title="Vestlandssamlinga", start=soon,
                       end=soon + timedelta(days=1))
    g.status = "open"
    db.session.commit()
    registration = register(g, RegistrationData(
        name="Kari Nordmann", email="kari@bergen.example", organisation_kind="municipality",
        municipality_number="4601", role="leader"), channel="public_link")
    unit = places.unit("4602")
    db.session.add(Contact(county_id=unit.county_id, municipality_id=unit.id, name="Ola Kinn",
                           email="ola@kinn.example", role="leader"))
    subject, body = invitations.default_campaign_texts(g)
    campaign = invitations.create_campaign(g, host, sender_kind="career_centre", subject=subject,
                                           body=body)
    invitations.send_campaign(campaign, host, municipalities=[unit])
    db.session.commit()
    assert send_due().sent == 2
    bodies = "\n".join(mail_bodies(Path(app.config["MAIL_FILE_DIR"])))
    found = {"manage": re.search(r"http://localhost/registration/" + SECRET, bodies),
             "invitation": re.search(r"http://localhost/r/" + SECRET, bodies)}

    client = app.test_client()
    login(client, host.email)
    inputs = unescape(client.get(f"/gatherings/{g.id}/inputs").get_data(as_text=True))
    found["input"] = re.search(r'id="input-link">http://localhost/gatherings/input/' + SECRET,
                               inputs)
    page = unescape(client.get(f"/gatherings/{g.id}").get_data(as_text=True))
    found["calendar"] = re.search(r"http://localhost/gatherings/calendar/" + SECRET + r"\.ics",
                                  page)
    assert all(found.values()), found
    return {"gathering": g, "host": host, "host_client": client, "registration": registration,
            "tokens": {kind: match.group(1) for kind, match in found.items()}}


def test_each_link_works_and_nothing_in_the_database_opens_one(db, app, links):
    visitor = app.test_client()
    tokens = links["tokens"]
    for kind, token in tokens.items():
        assert status(visitor, kind, token) == {200}, kind

    assert found_in_database(db, tokens.values()) == []
    # Nor does anything kept in the rows work as a link: not the salts, not the hashes.
    kept = stored_values(db)
    assert len(kept) >= 8
    for value in kept:
        for kind in ROUTES:
            assert status(visitor, kind, value) == {404}, (kind, value)


def test_a_wrong_link_opens_nothing(db, app, links):
    visitor = app.test_client()
    for kind, token in links["tokens"].items():
        changed = token[:-1] + ("A" if token[-1] != "A" else "B")
        for wrong in (changed, token[:-1], token + "x", token.upper(), "x" * 400, "a.b"):
            assert status(visitor, kind, wrong) == {404}, (kind, wrong)


def test_the_purge_closes_every_link(db, app, links):
    g, visitor = links["gathering"], app.test_client()
    _count, mail_ids = invitations.purge_invitations(g)
    purge_personal_data(g, mail_ids=mail_ids)
    db.session.commit()
    for kind, token in links["tokens"].items():
        assert status(visitor, kind, token) == {404}, kind
    # The host's pages no longer show a link, and say why where one was.
    host = links["host_client"]
    page = unescape(host.get(f"/gatherings/{g.id}").get_data(as_text=True))
    assert "/gatherings/calendar/" not in page
    inputs = host.get(f"/gatherings/{g.id}/inputs")
    assert inputs.status_code == 200
    html = unescape(inputs.get_data(as_text=True))
    assert "/gatherings/input/" not in html
    assert "Lenken ble stengt da personopplysningene for samlingen ble slettet." in html
