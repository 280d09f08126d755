"""The follow-up log's workflows: questions and inputs raised at a gathering, what the county
answers and does about them, and one mail with the answers to every participant. Functions
flush, never commit.

The log stays open after the gathering, while the county works on it. Once the directorate
approves the final report, what was raised, answered and decided is part of the record and no
longer changes; the actions' later status does: the host still sets an item's status, the
directorate or the host records its status at the evaluation meeting, and the answers can
still be mailed. The report keeps its own copy of the log, made when it was submitted
(``grants.services.follow_up_snapshot``), which none of this changes.

Who hears: the participants, the municipal contacts of the county's municipalities and the
programme committee, one mail each (``recipients``). Who reads: the same people on the log page,
without the internal fields (``INTERNAL_FIELDS``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.extensions import db
from eventapp.followup.models import KINDS, STATUSES, FollowUpItem
from eventapp.gatherings.models import Gathering

MAX_TEXT = 2000
MAX_NAME = 200
MAIL_KIND = "followup.answers"
MAIL_TEMPLATE = "mail/followup_answers"
# What the county and the directorate keep to themselves: who logged or evaluated an item, and
# the evaluation meeting's note. The municipalities and the committee read every other field.
INTERNAL_FIELDS = ("evaluation_note", "created_by_id", "evaluated_by_id")


# --- whether the log is open ----------------------------------------------------------------

def locked(gathering: Gathering) -> bool:
    """The approved report has made the log part of the record."""
    return gathering.status == "reported"


def _require_open(gathering: Gathering) -> None:
    if locked(gathering):
        raise Conflict(_("The final report is approved, so the follow-up log can no longer "
                         "change."))


def _begin(gathering: Gathering, actor, *, content: bool = True,
           action: str = "followup.edit") -> None:
    """Authorise and lock; ``content``: the change is to what was raised, answered or decided,
    which the approved report closes (a status is not)."""
    policy.authorize(actor, action, gathering)
    # Serialises changes with the report's approval, which takes the same lock.
    lock_row(Gathering, gathering.id)
    db.session.refresh(gathering)
    if content:
        _require_open(gathering)


# --- the items ----------------------------------------------------------------------------

@dataclass
class ItemData:
    kind: str
    raised: str
    raised_by: str | None = None
    answer: str | None = None
    action: str | None = None
    owner: str | None = None
    status: str = "open"
    due_on: date | None = None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _clean(gathering: Gathering, data: ItemData) -> dict:
    """The values to store, or ValidationFailed naming every field that is wrong."""
    fields = {}
    values = {name: _text(getattr(data, name))
              for name in ("raised", "raised_by", "answer", "action", "owner")}
    if data.kind not in KINDS:
        fields["kind"] = _("Choose a question or an input.")
    if data.status not in STATUSES:
        fields["status"] = _("Choose a status.")
    if not values["raised"]:
        fields["raised"] = _("Write what was raised.")
    for name in ("raised", "answer", "action"):
        if values[name] and len(values[name]) > MAX_TEXT:
            fields[name] = _("Keep it to %(num)d characters.", num=MAX_TEXT)
    for name in ("raised_by", "owner"):
        if values[name] and len(values[name]) > MAX_NAME:
            fields[name] = _("Keep it to %(num)d characters.", num=MAX_NAME)
    if data.due_on is not None:
        if not isinstance(data.due_on, date) or isinstance(data.due_on, datetime):
            fields["due_on"] = _("Enter a date.")
        elif data.due_on < gathering.start_date:
            # Nothing raised at the gathering can be due before it began: a typo in the year.
            fields["due_on"] = _("The due date cannot be before the gathering (%(day)s).",
                                 day=format_date(gathering.start_date, "long"))
    if data.status == "done" and not values["answer"] and not values["action"] \
            and "status" not in fields:
        # Beside the field the host fills in next: the answer to a question, the action on
        # an input.
        target = "action" if data.kind == "input" else "answer"
        fields[target] = _("An item marked done needs an answer or an action.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return {"kind": data.kind, "status": data.status, "due_on": data.due_on, **values}


def add_item(gathering: Gathering, actor, data: ItemData) -> FollowUpItem:
    _begin(gathering, actor)
    values = _clean(gathering, data)
    item = FollowUpItem(gathering_id=gathering.id, created_by_id=actor.id, **values)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: FollowUpItem, actor, data: ItemData) -> FollowUpItem:
    _begin(item.gathering, actor)
    values = _clean(item.gathering, data)
    for name, value in values.items():
        setattr(item, name, value)
    db.session.flush()
    return item


def set_status(item: FollowUpItem, actor, status: str) -> FollowUpItem:
    """Change only the status, with the same rule as a full edit; also after the report is
    approved, since an action goes on after it."""
    _begin(item.gathering, actor, content=False)
    values = _clean(item.gathering, ItemData(
        kind=item.kind, raised=item.raised, raised_by=item.raised_by, answer=item.answer,
        action=item.action, owner=item.owner, status=status, due_on=item.due_on))
    item.status = values["status"]
    db.session.flush()
    return item


def record_evaluation(item: FollowUpItem, actor, *, status: str | None, on: date | None,
                      note: str | None = None) -> FollowUpItem:
    """The action's status at the directorate's evaluation meeting on the day ``on``, with a
    note (internal); no status clears what was recorded. Open also after the final report."""
    gathering = item.gathering
    _begin(gathering, actor, content=False, action="followup.evaluate")
    if db.session.get(FollowUpItem, item.id) is None:
        raise NotFound(_("No such item in the follow-up log."))
    if not status:
        item.evaluation_status = item.evaluated_on = item.evaluation_note = None
        item.evaluated_by_id = None
        db.session.flush()
        return item
    fields = {}
    note = _text(note)
    if not item.action:
        fields["evaluation_status"] = _("Only an item with an action has a status at the "
                                        "evaluation meeting: give it an action first.")
    elif status not in STATUSES:
        fields["evaluation_status"] = _("Choose a status.")
    if on is None or not isinstance(on, date) or isinstance(on, datetime):
        fields["evaluated_on"] = _("Enter the day of the evaluation meeting.")
    elif on < gathering.start_date:
        fields["evaluated_on"] = _("The evaluation meeting cannot be before the gathering "
                                   "(%(day)s).", day=format_date(gathering.start_date, "long"))
    elif on > today():
        fields["evaluated_on"] = _("Record the status on the day of the meeting or after it, "
                                   "not before.")
    if note and len(note) > MAX_TEXT:
        fields["evaluation_note"] = _("Keep it to %(num)d characters.", num=MAX_TEXT)
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    item.evaluation_status, item.evaluated_on, item.evaluation_note = status, on, note
    item.evaluated_by_id = actor.id
    db.session.flush()
    return item


def delete_item(item: FollowUpItem, actor) -> None:
    _begin(item.gathering, actor)
    db.session.delete(item)
    db.session.flush()


def items_for(gathering: Gathering, *, status: str | None = None,
              kind: str | None = None) -> list[FollowUpItem]:
    stmt = select(FollowUpItem).where(FollowUpItem.gathering_id == gathering.id)
    if status in STATUSES:
        stmt = stmt.where(FollowUpItem.status == status)
    if kind in KINDS:
        stmt = stmt.where(FollowUpItem.kind == kind)
    return list(db.session.scalars(stmt.order_by(FollowUpItem.id)))


def counts(gathering: Gathering) -> dict:
    """Items per status, per kind, and in all."""
    items = items_for(gathering)
    out = {status: 0 for status in STATUSES}
    out.update({kind: 0 for kind in KINDS})
    for item in items:
        out[item.status] += 1
        out[item.kind] += 1
    out["total"] = len(items)
    return out


def today() -> date:
    return datetime.now(OSLO).date()


def is_overdue(item: FollowUpItem, on: date | None = None) -> bool:
    """Past its due date and not done."""
    return item.due_on is not None and item.status != "done" and item.due_on < (on or today())


def actions(gathering: Gathering) -> list[FollowUpItem]:
    """Items with an action: what the final report tells the directorate."""
    return [item for item in items_for(gathering) if item.action]


# --- the answers to all participants ------------------------------------------------------

def after_gathering(gathering: Gathering, on: date | None = None) -> bool:
    """Whether the gathering's last day is over: the answers to what was raised there are
    mailed only then (before it, participants would get answers to questions not yet asked)."""
    return (on or today()) > gathering.end_date


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    locale: str | None
    # "participant", "committee" or "municipal_contact": what the mail thanks them for.
    group: str


RECIPIENT_GROUPS = ("participant", "committee", "municipal_contact")


def recipients(gathering: Gathering) -> list[Recipient]:
    """Who gets the answers, once each by address: the confirmed registrations that attended
    (all confirmed when nobody was checked in: the same people the survey goes to), then the
    programme committee, then the active municipal contacts of the county's municipalities.
    Someone in two groups is counted in the first."""
    from eventapp.accounts.models import User
    from eventapp.gatherings.models import CommitteeMember
    from eventapp.surveys.services import invitees

    found: dict[str, Recipient] = {}

    def add(email, name, locale, group) -> None:
        key = (email or "").strip().casefold()
        if key and key not in found:
            found[key] = Recipient(email.strip(), name, locale, group)

    for registration in invitees(gathering):
        add(registration.email, registration.name, getattr(registration, "locale", None),
            "participant")
    for user in db.session.scalars(
            select(User).join(CommitteeMember, CommitteeMember.user_id == User.id)
            .where(CommitteeMember.gathering_id == gathering.id, User.active.is_(True))
            .order_by(CommitteeMember.id)):
        add(user.email, user.name, user.language, "committee")
    for user in db.session.scalars(
            select(User).where(User.role == "municipal_contact",
                               User.county_id == gathering.county_id, User.active.is_(True))
            .order_by(User.id)):
        add(user.email, user.name, user.language, "municipal_contact")
    return list(found.values())


def recipient_counts(people: list[Recipient]) -> dict[str, int]:
    counts = {group: 0 for group in RECIPIENT_GROUPS}
    for person in people:
        counts[person.group] += 1
    return counts


def mailable(gathering: Gathering) -> list[FollowUpItem]:
    """Questions with an answer and inputs with an action: what the mail can say."""
    return [item for item in items_for(gathering)
            if (item.answer if item.kind == "question" else item.action)]


def is_news(item: FollowUpItem) -> str | None:
    """"new" if no mail has carried the item, "changed" if it changed since, else None."""
    if item.mailed_at is None:
        return "new"
    if item.updated_at is not None and item.updated_at > item.mailed_at:
        return "changed"
    return None


def _mail_context(gathering: Gathering, items: list[FollowUpItem], sender) -> dict:
    # Signed by the host who sends it, with their address: the mail itself comes from the
    # app's no-reply sender (queue_template sets no Reply-To), so the signature says whom to ask.
    return {
        "gathering": gathering,
        "sender": sender,
        "questions": [i for i in items if i.kind == "question"],
        "inputs": [i for i in items if i.kind == "input"],
        "news": {i.id: is_news(i) for i in items},
        "sent_before": any(i.mailed_at is not None for i in items),
    }


def preview(gathering: Gathering, sender, locale: str | None = None) -> tuple[str, str] | None:
    """The subject and text of the mail as it would go now, or None with nothing to send."""
    from eventapp.mail.services import render_mail

    items = mailable(gathering)
    if not items:
        return None
    return render_mail(MAIL_TEMPLATE, locale, **_mail_context(gathering, items, sender))


def mail_answers(gathering: Gathering, actor) -> int:
    """Queue one mail to each recipient (``recipients``) with every answer and action so far,
    the new ones marked; returns how many were queued. Sent after commit, like all mail."""
    from eventapp.mail.services import queue_template

    _begin(gathering, actor, content=False)
    if not after_gathering(gathering):
        raise ValidationFailed(_("The answers can be mailed once the gathering is over, from "
                                 "the day after its last day."), field="mail")
    items = mailable(gathering)
    if not items:
        raise ValidationFailed(_("There is nothing to send yet: answer a question or give an "
                                 "input an action first."), field="mail")
    people = recipients(gathering)
    if not people:
        raise ValidationFailed(_("The gathering has no confirmed participants to send to."),
                               field="mail")
    context = _mail_context(gathering, items, actor)
    for person in people:
        # In the same transaction as mailed_at below: the outbox sends each once, or none.
        queue_template(MAIL_KIND, MAIL_TEMPLATE, to=person.email, to_name=person.name,
                       locale=person.locale, reply_to=actor.email, created_by=actor,
                       county_id=gathering.county_id, gathering_id=gathering.id,
                       took_part=person.group == "participant", **context)
    now = utcnow()
    for item in items:
        # Set together, so the item reads as unchanged since this mail.
        item.mailed_at = now
        item.updated_at = now
    db.session.flush()
    return len(people)
