"""The host writes to the registered: everyone, one municipality's people, the waitlist, or
those coming on day 2 (always those with a place or waiting, never the cancelled). The host
sees the message as it will arrive and how many it goes to before it is sent; each person gets
it through the outbox, and the sending is recorded (who sent what to how many, when)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import Municipality
from eventapp.registration.models import AUDIENCES, HostMessage, Registration
from eventapp.registration.services.registering import LIVE, registration_units

__all__ = ["AUDIENCES", "Draft", "Preview", "audiences", "preview", "recipients", "send",
           "sent_messages"]

SUBJECT_MAX = 200
BODY_MAX = 10_000


@dataclass
class Draft:
    """What the host wrote, and to whom: ``audience`` one of ``AUDIENCES``; for
    "municipality", ``municipality`` is its number."""

    subject: str
    body: str
    audience: str = "all"
    municipality: str = ""


@dataclass
class Preview:
    """The draft checked: the group resolved, who it goes to, and the mail as the first of
    them gets it."""

    draft: Draft
    unit: Municipality | None
    people: list[Registration]
    subject: str
    body: str

    @property
    def count(self) -> int:
        return len(self.people)


def audiences(gathering: Gathering) -> tuple[str, ...]:
    """The groups this gathering offers: day 2 only when it has one."""
    return tuple(a for a in AUDIENCES if a != "day2" or gathering.days > 1)


def _unit(gathering: Gathering, draft: Draft) -> Municipality | None:
    if draft.audience != "municipality":
        return None
    return next((u for u in registration_units(gathering) if u.number == draft.municipality),
                None)


def recipients(gathering: Gathering, audience: str, unit: Municipality | None = None
               ) -> list[Registration]:
    """Those the group holds, each once, in the order they registered."""
    stmt = (select(Registration)
            .where(Registration.gathering_id == gathering.id, Registration.status.in_(LIVE))
            .order_by(Registration.created_at, Registration.id))
    if audience == "municipality":
        stmt = stmt.where(Registration.municipality_id == unit.id)
    elif audience == "waitlist":
        stmt = stmt.where(Registration.status == "waitlisted")
    elif audience == "day2":
        stmt = stmt.where(Registration.day2.is_(True))
    return list(db.session.scalars(stmt))


def preview(gathering: Gathering, actor, draft: Draft) -> Preview:
    """Check the draft and say who it goes to; raise with every problem named. Sends nothing."""
    policy.authorize(actor, "registration.message", gathering)
    problems = {}
    subject, body = (draft.subject or "").strip(), (draft.body or "").strip()
    if not subject:
        problems["subject"] = _("Enter a subject.")
    elif len(subject) > SUBJECT_MAX or "\n" in subject or "\r" in subject:
        problems["subject"] = _("The subject is one line of at most %(n)d characters.",
                                n=SUBJECT_MAX)
    if not body:
        problems["body"] = _("Write the message.")
    elif len(body) > BODY_MAX:
        problems["body"] = _("The message can be at most %(n)d characters.", n=BODY_MAX)
    unit = None
    if draft.audience not in audiences(gathering):
        problems["audience"] = _("Choose who the message goes to.")
    elif draft.audience == "municipality":
        unit = _unit(gathering, draft)
        if unit is None:
            problems["municipality"] = _("Choose a municipality in %(county)s.",
                                         county=gathering.county.name)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    people = recipients(gathering, draft.audience, unit)
    if not people:
        raise ValidationFailed(_("Nobody registered is in this group, so there is no one to "
                                 "send it to."), field="audience")
    draft = Draft(subject, body, draft.audience, unit.number if unit else "")
    # The host sees the mail as it arrives, but not the person's private link.
    mail_subject, mail_body = _render(gathering, actor, draft, people[0],
                                      link=_("[their own private link]"))
    return Preview(draft, unit, people, mail_subject, mail_body)


def _render(gathering: Gathering, actor, draft: Draft, person: Registration,
            link: str | None = None) -> tuple[str, str]:
    from eventapp.mail.services import render_mail
    from eventapp.registration.services.registering import manage_link

    return render_mail("mail/host_message", gathering=gathering, registration=person,
                       subject=draft.subject, text=draft.body, sender=actor,
                       manage_link=link or manage_link(person))


def send(gathering: Gathering, actor, draft: Draft, expected: int | None = None) -> HostMessage:
    """Queue the message to each in the group and record it. ``expected``: the count the host
    was shown; if the group has changed since, nothing is sent and the host looks again."""
    checked = preview(gathering, actor, draft)
    if expected is not None and expected != checked.count:
        raise ValidationFailed(
            _("The group has changed since the preview: it now holds %(n)d people. Check the "
              "preview again before sending.", n=checked.count), field="form")
    from eventapp.mail.services import queue_mail

    for person in checked.people:
        subject, body = _render(gathering, actor, checked.draft, person)
        queue_mail(kind="registration.message", to=person.email, to_name=person.name,
                   subject=subject, body_text=body, reply_to=getattr(actor, "email", None),
                   created_by=actor, county_id=gathering.county_id, gathering_id=gathering.id)
    message = HostMessage(
        gathering_id=gathering.id, audience=checked.draft.audience,
        municipality_id=checked.unit.id if checked.unit else None,
        subject=checked.draft.subject, body=checked.draft.body, recipients=checked.count,
        sent_by_id=getattr(actor, "id", None))
    db.session.add(message)
    db.session.flush()
    return message


def sent_messages(gathering: Gathering) -> list[HostMessage]:
    return list(db.session.scalars(
        select(HostMessage).where(HostMessage.gathering_id == gathering.id)
        .order_by(HostMessage.sent_at.desc(), HostMessage.id.desc())))
