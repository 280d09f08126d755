"""The purge and the file transport: the .eml files of the mail the purge deletes go too (after
the commit, never for a purge that is rolled back), so no file under MAIL_FILE_DIR holds a
purged address; the mail of another gathering stays."""

import email
import email.policy
from datetime import date, timedelta
from pathlib import Path

import pytest

from eventapp.gatherings.models import Gathering
from eventapp.grants import services
from eventapp.invitations import services as invitations
from eventapp.invitations.models import Contact
from eventapp.mail.services import send_due
from eventapp.registration.services import RegistrationData, register
from tests.grants.conftest import vestland_units

PEOPLE = [(f"Deltaker Nummer{i}", f"deltaker.nummer{i}@kommune{i}.example") for i in range(6)]
INVITED = [(f"Kontakt Nummer{i}", f"kontakt.nummer{i}@kommune{i}.example") for i in range(4)]
ELSEWHERE = ("Annen Samling", "annen.samling@kommune9.example")


def addresses_in_files(folder: Path, addresses) -> set[str]:
    """The addresses found in any file under ``folder``, raw or decoded."""
    found = set()
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [raw.decode("utf-8", "ignore")]
        parts += [str(part.get_content()) for part in message.walk()
                  if part.get_content_maintype() == "text"]
        found |= {a for a in addresses if any(a in p for p in parts)}
    return found


def _person(unit, name, address) -> RegistrationData:
    return RegistrationData(name=name, email=address, organisation_kind="municipality",
                            municipality_number=unit.number, role="programme_adviser")


@pytest.fixture
def mailed(db, app, world):
    """An approved report of a gathering whose registrations and invitations were mailed
    through the file transport; and one registration at another gathering."""
    app.config["MAIL_TRANSPORT"] = "file"
    g, host, directorate = world["gathering"], world["host"], world["directorate"]
    soon = date.today() + timedelta(days=30)
    g.status, g.start_date, g.end_date = "open", soon, soon + timedelta(days=1)
    other = Gathering(county_id=g.county_id, title="Neste samling",
                      start_date=soon + timedelta(days=90), end_date=soon + timedelta(days=90),
                      venue="Bergen", status="open")
    db.session.add(other)
    db.session.commit()
    units = vestland_units(db)
    for i, (name, address) in enumerate(PEOPLE):
        register(g, _person(units[i], name, address), channel="public_link")
    register(other, _person(units[0], *ELSEWHERE), channel="public_link")
    for i, (name, address) in enumerate(INVITED):
        unit = units[10 + i]
        db.session.add(Contact(county_id=unit.county_id, municipality_id=unit.id, name=name,
                               email=address, role="leader"))
    subject, body = invitations.default_campaign_texts(g)
    campaign = invitations.create_campaign(g, host, sender_kind="career_centre", subject=subject,
                                           body=body)
    invitations.send_campaign(campaign, host, municipalities=units[10:10 + len(INVITED)])
    db.session.commit()
    assert send_due().sent == len(PEOPLE) + 1 + len(INVITED)

    g.status = "held"
    db.session.commit()
    application = services.apply(g, host, planned_participants=10, applied_nok=40_000)
    services.decide(application, directorate, granted_nok=40_000)
    services.save_report(g, host, follow_up_actions="Møter.", remarks=None)
    services.approve_report(services.submit_report(g, host), directorate)
    db.session.commit()
    return {**world, "folder": Path(app.config["MAIL_FILE_DIR"])}


def test_the_purge_deletes_the_mail_files_of_the_purged_people(db, mailed):
    folder = mailed["folder"]
    purged = [a for _n, a in PEOPLE + INVITED]
    assert addresses_in_files(folder, purged) == set(purged)

    services.purge(mailed["gathering"], mailed["host"])
    db.session.commit()

    assert addresses_in_files(folder, purged) == set()
    # The other gathering's mail, to a person not purged, is still there.
    assert addresses_in_files(folder, [ELSEWHERE[1]]) == {ELSEWHERE[1]}
    assert len(list(folder.glob("*.eml"))) == 1


def test_a_purge_rolled_back_deletes_no_file(db, mailed):
    folder = mailed["folder"]
    before = sorted(folder.iterdir())
    services.purge(mailed["gathering"], mailed["host"])
    db.session.rollback()
    assert sorted(folder.iterdir()) == before
    # Nor does the next commit, of something else, delete them.
    db.session.commit()
    assert sorted(folder.iterdir()) == before
