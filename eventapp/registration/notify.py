"""Telling the registered what the gatherings feature changed: it cannot import registration,
so it sends ``gatherings.signals.gathering_moved`` and this module, connected when the app
starts (``subscribe``), mails everyone registered, inside the transaction of the change."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.signals import Moved, gathering_moved
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import LIVE, manage_link


def subscribe() -> None:
    """Connect the receivers (the same function twice is connected once)."""
    gathering_moved.connect(mail_moved)


def mail_moved(gathering, moved: Moved, **_ignored) -> int:
    """Mail everyone registered (with a place or waiting; never the cancelled) what changed.
    Those with a place get the updated calendar file: the same UID as the one they imported,
    its SEQUENCE raised, so their calendar replaces the event. Returns how many were mailed."""
    from eventapp.gatherings.services import gathering_ics
    from eventapp.mail.services import queue_template
    from eventapp.registration.services.waitlist import waitlist_positions

    people = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status.in_(LIVE))
        .order_by(Registration.id)).all()
    if not people:
        return 0
    # Attached only for those with a place, so it may carry the meeting link.
    calendar = gathering_ics(gathering, links=True)
    positions = waitlist_positions(people)
    for person in people:
        has_place = person.status == "confirmed"
        queue_template(
            "gathering.moved", "mail/gathering_moved", to=person.email, to_name=person.name,
            created_by=moved.actor, county_id=gathering.county_id, gathering_id=gathering.id,
            attachments=(("samling.ics", "text/calendar", calendar),) if has_place else (),
            registration=person, gathering=gathering, moved=moved, has_place=has_place,
            position=positions.get(person.id),
            manage_link=manage_link(person))
    return len(people)
