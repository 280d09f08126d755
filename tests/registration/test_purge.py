"""Purging a gathering's personal data keeps every count and leaves no personal field."""

from datetime import date, timedelta

from sqlalchemy import func, select

from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, purge_personal_data, register


def test_purge_removes_personal_fields_and_keeps_counts(db, make_gathering, places):
    gathering = make_gathering(county="46", start=date.today() + timedelta(days=20),
                               end=date.today() + timedelta(days=21))
    gathering.status = "open"
    db.session.commit()
    people = [RegistrationData(name=f"Kari Nordmann {i}", email=f"kari{i}@bergen.example",
                               organisation_kind="municipality", municipality_number="4601",
                               role="leader", phone="+47 400 00 00{i}",
                               dietary_needs="Nøtteallergi", dietary_consent=True,
                               accessibility_needs="Rullestol") for i in range(3)]
    registrations = [register(gathering, p, channel="public_link") for p in people]
    registrations[0].attended = True
    db.session.commit()

    def counts():
        return sorted(tuple(map(str, row)) for row in db.session.execute(
            select(Registration.status, Registration.attended, Registration.role,
                   Registration.municipality_id, func.count())
            .group_by(Registration.status, Registration.attended, Registration.role,
                      Registration.municipality_id)).all())

    before = counts()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    purge_personal_data(gathering)
    db.session.commit()
    db.session.expire_all()
    assert counts() == before
    for r in db.session.scalars(select(Registration)):
        assert "Kari" not in r.name and "bergen.example" not in r.email
        assert r.phone is None and r.dietary_needs is None and r.accessibility_needs is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_purge_takes_mail_to_swapped_away_people_but_not_other_gatherings(
        db, make_gathering, make_user, places):
    from eventapp.registration.services import PersonData, swap

    host = make_user("county_host", county="46")
    soon = date.today() + timedelta(days=20)
    gathering = make_gathering(county="46", start=soon, end=soon + timedelta(days=1))
    later = make_gathering(county="46", title="Neste samling", start=soon + timedelta(days=60),
                           end=soon + timedelta(days=61))
    gathering.status = later.status = "open"
    db.session.commit()

    def person(email, name):
        return RegistrationData(name=name, email=email, organisation_kind="municipality",
                                municipality_number="4601", role="leader")

    first = register(gathering, person("ola@bergen.example", "Ola Swappesen"),
                     channel="public_link")
    register(later, person("ola@bergen.example", "Ola Swappesen"), channel="public_link")
    db.session.commit()
    swap(first, host, PersonData(name="Siri Etterfølger", email="siri@bergen.example",
                                 role="leader"))
    db.session.commit()
    # Ola's confirmation and swap notice, Siri's confirmation; Ola's mail about the next one.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4

    purge_personal_data(gathering)
    db.session.commit()
    db.session.expire_all()
    left = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.to_address, m.gathering_id) for m in left] == [("ola@bergen.example", later.id)]
    for m in left:
        assert "Siri" not in m.body_text


def test_nothing_about_registrations_changes_once_the_report_is_approved(
        db, make_gathering, make_user, places):
    import pytest

    from eventapp.core.errors import Conflict
    from eventapp.registration.services import (
        PersonData,
        cancel,
        record_attendance,
        swap,
    )

    host = make_user("county_host", county="46")
    soon = date.today() + timedelta(days=20)
    gathering = make_gathering(county="46", start=soon, end=soon + timedelta(days=1))
    gathering.status = "open"
    db.session.commit()
    person = RegistrationData(name="Kari Nordmann", email="kari@bergen.example",
                              organisation_kind="municipality", municipality_number="4601",
                              role="leader")
    kept = register(gathering, person, channel="public_link")
    gathering.status = "reported"
    db.session.commit()
    late = RegistrationData(name="Etter Rapporten", email="etter@bergen.example",
                            organisation_kind="municipality", municipality_number="4601",
                            role="leader")
    for attempt in (lambda: register(gathering, late, channel="host", actor=host),
                    lambda: cancel(kept, host),
                    lambda: record_attendance(kept, True, host),
                    lambda: swap(kept, host, PersonData(name="Ny", email="ny@bergen.example",
                                                        role="leader"))):
        with pytest.raises(Conflict):
            attempt()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    db.session.refresh(kept)
    assert kept.status == "confirmed" and kept.name == "Kari Nordmann" and kept.attended is None
