"""The directorate in planning: the conversation, the quality-assured mark, copying items from
other counties' programmes, and the evaluation meeting. Functions flush, never commit.

Who reads the conversation: the county's hosts and the directorate, nobody else (not the
county's counsellors, its municipal contacts or the programme committee); each comment is mailed
to the other side, once each, in the same transaction as the comment (the outbox sends it after
commit, or never if the comment is rolled back).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.access import Role
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.core.time import OSLO, utcnow
from eventapp.dialogue.models import SIDES, TOPICS, DialogueComment, EvaluationMeeting
from eventapp.extensions import db
from eventapp.gatherings.checks import QualityMark
from eventapp.gatherings.models import Gathering, ProgrammeChange, ProgrammeItem

MAX_COMMENT = 4000
MAX_NOTES = 8000
MAX_ACTIONS = 30
MAX_ACTION = 500
MAIL_KIND = "dialogue.comment"
MAIL_TEMPLATE = "dialogue/mail_comment"
# A copied item's target may still change its programme; a held one is as it was.
COPY_TARGET_STATUSES = ("draft", "open", "closed")


def today() -> date:
    return datetime.now(OSLO).date()


def _lock(gathering: Gathering) -> None:
    lock_row(Gathering, gathering.id)
    db.session.refresh(gathering)


# --- the conversation -------------------------------------------------------------------------

def side_of(user) -> str:
    return "directorate" if user.role == Role.DIRECTORATE else "county"


def comments(gathering: Gathering, topic: str | None = None) -> list[DialogueComment]:
    stmt = select(DialogueComment).where(DialogueComment.gathering_id == gathering.id)
    if topic in TOPICS:
        stmt = stmt.where(DialogueComment.topic == topic)
    return list(db.session.scalars(stmt.order_by(DialogueComment.created_at,
                                                 DialogueComment.id)))


def counts(gathering: Gathering) -> dict[str, int]:
    rows = db.session.execute(
        select(DialogueComment.topic, func.count(DialogueComment.id))
        .where(DialogueComment.gathering_id == gathering.id)
        .group_by(DialogueComment.topic)).all()
    out = {topic: 0 for topic in TOPICS}
    out.update({topic: int(n) for topic, n in rows})
    out["total"] = sum(out[t] for t in TOPICS)
    return out


def recipients(gathering: Gathering, side: str) -> list:
    """Who hears of a comment written by ``side``: the directorate's active users for the
    county's comment, the county's active hosts for the directorate's."""
    from eventapp.accounts.models import User

    stmt = select(User).where(User.active.is_(True))
    if side == "county":
        stmt = stmt.where(User.role == Role.DIRECTORATE)
    else:
        stmt = stmt.where(User.role == Role.COUNTY_HOST, User.county_id == gathering.county_id)
    return list(db.session.scalars(stmt.order_by(User.id)))


def add_comment(gathering: Gathering, actor, topic: str, body: str) -> DialogueComment:
    policy.authorize(actor, "dialogue.comment", gathering)
    body = (body or "").strip()
    fields = {}
    if topic not in TOPICS:
        fields["topic"] = _("Choose what the comment is about.")
    if not body:
        fields["body"] = _("Write the comment.")
    elif len(body) > MAX_COMMENT:
        fields["body"] = _("Keep it to %(num)d characters.", num=MAX_COMMENT)
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    side = side_of(actor)
    assert side in SIDES
    comment = DialogueComment(gathering_id=gathering.id, topic=topic, body=body, side=side,
                              author_id=actor.id)
    db.session.add(comment)
    db.session.flush()
    _mail_other_side(gathering, comment, actor)
    return comment


def _mail_other_side(gathering: Gathering, comment: DialogueComment, actor) -> int:
    from eventapp.core.web import external_url
    from eventapp.mail.services import queue_template

    link = external_url("dialogue.conversation", gathering_id=gathering.id) \
        + f"#comment-{comment.id}"
    people = [p for p in recipients(gathering, comment.side) if p.id != actor.id]
    for person in people:
        queue_template(MAIL_KIND, MAIL_TEMPLATE, to=person.email, to_name=person.name,
                       locale=person.language, created_by=actor,
                       county_id=gathering.county_id, gathering_id=gathering.id,
                       gathering=gathering, comment=comment, author=actor, link=link)
    return len(people)


# --- the quality-assured mark -----------------------------------------------------------------

def quality_mark(gathering: Gathering) -> QualityMark | None:
    """The mark as the checklist shows it, or None: when, by whom, and whether the programme
    has changed since (a change logged after the mark)."""
    if gathering.quality_assured_at is None:
        return None
    changed = db.session.scalar(
        select(func.count(ProgrammeChange.id)).where(
            ProgrammeChange.gathering_id == gathering.id,
            ProgrammeChange.at > gathering.quality_assured_at)) or 0
    by = gathering.quality_assured_by
    return QualityMark(on=gathering.quality_assured_at.astimezone(OSLO).date(),
                       by=by.name if by is not None else "", changed_since=changed > 0)


def mark_quality_assured(gathering: Gathering, actor) -> Gathering:
    policy.authorize(actor, "programme.quality_assure", gathering)
    _lock(gathering)
    if gathering.quality_assured_at is not None:
        raise Conflict(_("The programme is already marked quality assured."))
    if not gathering.active_items:
        raise Conflict(_("The programme has no items yet: there is nothing to quality assure."))
    gathering.quality_assured_at = utcnow()
    gathering.quality_assured_by_id = actor.id
    db.session.flush()
    return gathering


def unmark_quality_assured(gathering: Gathering, actor) -> Gathering:
    policy.authorize(actor, "programme.quality_assure", gathering)
    _lock(gathering)
    if gathering.quality_assured_at is None:
        raise Conflict(_("The programme is not marked quality assured."))
    gathering.quality_assured_at = None
    gathering.quality_assured_by_id = None
    db.session.flush()
    return gathering


# --- other counties' programmes ---------------------------------------------------------------

def other_programmes(actor) -> list[Gathering]:
    """Other counties' published gatherings (past draft), newest first."""
    return list(db.session.scalars(
        select(Gathering).where(Gathering.status != "draft",
                                Gathering.county_id != actor.county_id)
        .order_by(Gathering.start_date.desc(), Gathering.id.desc())))


def load_other(actor, source_id: int) -> Gathering:
    """Another county's published gathering, else NotFound (a draft is its county's own)."""
    source = db.session.get(Gathering, source_id)
    if source is None or source.status == "draft" or source.county_id == actor.county_id:
        raise NotFound(_("No such programme among the other counties' published ones."))
    return source


def copy_targets(actor) -> list[Gathering]:
    """The host's own county's gatherings whose programme still changes (not held)."""
    return list(db.session.scalars(
        select(Gathering).where(Gathering.county_id == actor.county_id,
                                Gathering.status.in_(COPY_TARGET_STATUSES))
        .order_by(Gathering.start_date, Gathering.id)))


def _item_of(source: Gathering, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.gathering_id != source.id or item.cancelled_at is not None:
        raise NotFound(_("No such item on that programme."))
    return item


@dataclass
class CopyData:
    target_id: int | None
    day: int | None
    start: time | None
    room: str = ""


def copy_item(source: Gathering, item_id: int, actor, data: CopyData) -> ProgrammeItem:
    """Copy one item of another county's published programme into one of the host's own
    gatherings on the day and at the start time chosen, lasting as long as it did, through the
    programme's own service (its rules: the gathering's days, no clash in a room, the change
    log). Speakers and active topics come along, as when a whole gathering is copied
    (``home.copying``); the room is the one chosen here (the other county's rooms are not the
    host's). Refusals name the field; nothing is saved unless all of it is."""
    from eventapp.gatherings.services import ItemData, SpeakerData, add_item

    source = load_other(actor, source.id)
    old = _item_of(source, item_id)
    target = db.session.get(Gathering, data.target_id) if isinstance(data.target_id, int) \
        else None
    if target is None or target.county_id != actor.county_id:
        raise ValidationFailed(_("Choose one of your county's gatherings."), field="target")
    policy.authorize(actor, "programmes.copy_item", target)
    _lock(target)
    if target.status not in COPY_TARGET_STATUSES:
        raise ValidationFailed(_("«%(title)s» has been held: its programme is as it was. "
                                 "Choose a gathering still to come.", title=target.title),
                               field="target")
    fields = {}
    if data.day is None or data.day not in range(1, target.days + 1):
        fields["day"] = _("Choose one of the days of «%(title)s» (day 1 to %(last)d).",
                          title=target.title, last=target.days)
    end = None
    if data.start is None:
        fields["start"] = _("Enter when it starts.")
    else:
        minutes = old.minutes
        end_moment = datetime.combine(date(2000, 1, 1), data.start) + timedelta(minutes=minutes)
        if end_moment.date() != date(2000, 1, 1) or end_moment.time() == time(0, 0):
            fields["start"] = _("The item lasts %(num)d minutes: starting at %(start)s it would "
                                "end after midnight. Choose an earlier start.", num=minutes,
                                start=data.start.strftime("%H:%M"))
        else:
            end = end_moment.time()
    room = (data.room or "").strip()
    if len(room) > 100:
        fields["room"] = _("The room name can be at most 100 characters.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    item_data = ItemData(
        day=data.day, start=data.start, end=end, kind=old.kind, title=old.title,
        description=old.description or "", room=room, question_minutes=old.question_minutes,
        speakers=[SpeakerData(s.name, s.organisation or "", s.organisation_kind)
                  for s in old.speakers],
        # Deactivated topics are no longer offered, so a programme does not take them anew.
        topics=[t.code for t in old.topics if t.active])
    return add_item(target, actor, item_data)


# --- the evaluation meeting -------------------------------------------------------------------

def meeting_for(gathering: Gathering) -> EvaluationMeeting | None:
    return db.session.scalars(select(EvaluationMeeting).where(
        EvaluationMeeting.gathering_id == gathering.id)).first()


def _action_lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def record_meeting(gathering: Gathering, actor, *, held_on: date | None, notes: str | None,
                   agreed_actions: str | None) -> EvaluationMeeting:
    """Record (or correct) the evaluation meeting: on or after the gathering's last day and not
    in the future, with notes and the agreed actions, one a line."""
    policy.authorize(actor, "evaluation.record", gathering)
    _lock(gathering)
    fields = {}
    notes = (notes or "").strip()
    actions = _action_lines(agreed_actions)
    if held_on is None or not isinstance(held_on, date) or isinstance(held_on, datetime):
        fields["held_on"] = _("Enter the day of the evaluation meeting.")
    elif held_on < gathering.end_date:
        fields["held_on"] = _("The evaluation meeting is after the gathering: the day cannot be "
                              "before its last day (%(day)s).",
                              day=format_date(gathering.end_date, "long"))
    elif held_on > today():
        fields["held_on"] = _("Record the meeting once it has been held: the day cannot be in "
                              "the future.")
    if not notes:
        fields["notes"] = _("Write what the meeting found.")
    elif len(notes) > MAX_NOTES:
        fields["notes"] = _("Keep it to %(num)d characters.", num=MAX_NOTES)
    if len(actions) > MAX_ACTIONS:
        fields["agreed_actions"] = _("At most %(num)d agreed actions.", num=MAX_ACTIONS)
    elif any(len(line) > MAX_ACTION for line in actions):
        fields["agreed_actions"] = _("Keep each action to %(num)d characters.", num=MAX_ACTION)
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    meeting = meeting_for(gathering)
    if meeting is None:
        meeting = EvaluationMeeting(gathering_id=gathering.id)
        db.session.add(meeting)
    meeting.held_on, meeting.notes = held_on, notes
    meeting.agreed_actions = "\n".join(actions)
    meeting.recorded_by_id = actor.id
    meeting.updated_at = utcnow()
    db.session.flush()
    return meeting


@dataclass(frozen=True)
class FollowUpStatus:
    """The follow-up log's actions and how many have a status from the meeting."""

    actions: int
    evaluated: int


def followup_status(gathering: Gathering) -> FollowUpStatus:
    from eventapp.followup.models import FollowUpItem

    total, evaluated = db.session.execute(
        select(func.count(FollowUpItem.id), func.count(FollowUpItem.evaluation_status))
        .where(FollowUpItem.gathering_id == gathering.id,
               FollowUpItem.action.is_not(None))).one()
    return FollowUpStatus(int(total), int(evaluated))
