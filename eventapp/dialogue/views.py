"""The directorate in planning: the conversation, the quality-assured mark, other counties'
programmes and copying their items, and the evaluation meeting.

The conversation and the evaluation meeting are for the county's hosts and the directorate
only: anyone else (a counsellor, a municipal contact, a committee member, another county's
host) gets 404, as if there were nothing there (``_for_both``).
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.access import get_scoped
from eventapp.core.errors import NotFound
from eventapp.core.web import act, attempt
from eventapp.dialogue import bp, services
from eventapp.dialogue.forms import (
    CommentForm,
    CopyForm,
    MeetingForm,
    side_label,
    topic_label,
)
from eventapp.dialogue.models import TOPICS
from eventapp.gatherings.checks import quality_note
from eventapp.gatherings.models import Gathering


def _for_both(gathering_id: int, action: str) -> Gathering:
    """The gathering if the user may ``action`` on it, else 404: those outside the
    conversation do not learn that there is one."""
    gathering = get_scoped(Gathering, gathering_id, policy.actor())
    if gathering is None or not policy.can(policy.actor(), action, gathering):
        raise NotFound(_("Not found."))
    return gathering


def _labels() -> dict:
    return {"topic_label": topic_label, "side_label": side_label, "topics": TOPICS}


# --- template globals: the checklist and the final report draw what this feature keeps --------

@bp.app_template_global("programme_quality")
def programme_quality(gathering: Gathering) -> dict:
    """The quality-assured mark for the checklist: its line, and whether the viewer may set or
    clear it."""
    mark = services.quality_mark(gathering)
    return {"mark": mark, "text": quality_note(
        mark, _, lambda day: format_date(day, "long")),
        "may_mark": policy.can(current_user, "programme.quality_assure", gathering,
                               record=False)}


@bp.app_template_global("evaluation_meeting")
def evaluation_meeting(gathering: Gathering):
    """The evaluation meeting for the final report's page, if the viewer may see it."""
    if not policy.can(current_user, "evaluation.view", gathering, record=False):
        return None
    return services.meeting_for(gathering)


# --- the conversation -------------------------------------------------------------------------

def _conversation_page(gathering: Gathering, form=None, status: int = 200):
    wanted = request.args.get("topic")
    wanted = wanted if wanted in TOPICS else None
    if form is None:
        form = CommentForm(formdata=None, topic=wanted or "programme")
    return render_template(
        "dialogue/conversation.html", gathering=gathering, form=form, wanted=wanted,
        comments=services.comments(gathering, wanted), counts=services.counts(gathering),
        others=len(services.recipients(gathering, services.side_of(current_user))),
        **_labels()), status


@bp.get("/gatherings/<int:gathering_id>/conversation")
@policy.requires("dialogue.view")
def conversation(gathering_id: int):
    return _conversation_page(_for_both(gathering_id, "dialogue.view"))


@bp.post("/gatherings/<int:gathering_id>/conversation")
@policy.requires("dialogue.comment")
def comment(gathering_id: int):
    gathering = _for_both(gathering_id, "dialogue.comment")
    form = CommentForm()
    saved, status = attempt(form, lambda: services.add_comment(
        gathering, current_user, form.topic.data or "", form.body.data or ""))
    if saved is None:
        return _conversation_page(gathering, form, status)
    flash(_("The comment is posted, and the other side is told by mail."), "success")
    return redirect(url_for("dialogue.conversation", gathering_id=gathering.id,
                            topic=request.args.get("topic") or None)
                    + f"#comment-{saved.id}")


# --- the quality-assured mark -----------------------------------------------------------------

@bp.post("/gatherings/<int:gathering_id>/quality-assured")
@policy.requires("programme.quality_assure")
def quality_assure(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    act(lambda: services.mark_quality_assured(gathering, current_user),
        lambda _g: _("The programme is marked quality assured."),
        _("Nothing was changed: the form had expired. Try again."))
    return redirect(url_for("gatherings.checks", gathering_id=gathering.id))


@bp.post("/gatherings/<int:gathering_id>/quality-assured/undo")
@policy.requires("programme.quality_assure")
def quality_undo(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    act(lambda: services.unmark_quality_assured(gathering, current_user),
        lambda _g: _("The quality-assured mark is removed."),
        _("Nothing was changed: the form had expired. Try again."))
    return redirect(url_for("gatherings.checks", gathering_id=gathering.id))


# --- other counties' programmes ---------------------------------------------------------------

def _preferred_target(targets) -> int | None:
    """The gathering the host came from (``?gathering_id=``), if it is a target."""
    wanted = request.args.get("gathering_id", type=int)
    return wanted if any(g.id == wanted for g in targets) else None


@bp.get("/programmes/other-counties")
@policy.requires("programmes.browse")
def other_programmes():
    return render_template("dialogue/other_programmes.html",
                           sources=services.other_programmes(current_user),
                           target_id=_preferred_target(services.copy_targets(current_user)))


def _source_page(source: Gathering, *, failed_item: int | None = None, failed_form=None,
                 status: int = 200):
    from eventapp.gatherings.forms import item_kind_label, organisation_kind_label
    from eventapp.gatherings.services import programme_by_day

    targets = services.copy_targets(current_user)
    preferred = _preferred_target(targets)
    days = programme_by_day(source)
    forms = {}
    for _day, _date, items in days:
        for item in items:
            if item.id == failed_item and failed_form is not None:
                forms[item.id] = failed_form
                continue
            local = item.starts_at.astimezone(services.OSLO)
            forms[item.id] = CopyForm(formdata=None, prefix=f"item{item.id}", targets=targets,
                                      target=preferred, day=_day, start=local.time())
    return render_template("dialogue/other_programme.html", source=source, days=days,
                           forms=forms, targets=targets, target_id=preferred,
                           failed_item=failed_item, kind_label=item_kind_label,
                           org_label=organisation_kind_label), status


@bp.get("/programmes/other-counties/<int:source_id>")
@policy.requires("programmes.browse")
def other_programme(source_id: int):
    return _source_page(services.load_other(current_user, source_id))


@bp.post("/programmes/other-counties/<int:source_id>/items/<int:item_id>/copy")
@policy.requires("programmes.copy_item")
def copy_item(source_id: int, item_id: int):
    # Only a host copies, into their own county; the service asks again of the target.
    policy.authorize(current_user, "programmes.copy_item", current_user.county_id)
    source = services.load_other(current_user, source_id)
    targets = services.copy_targets(current_user)
    form = CopyForm(prefix=f"item{item_id}", targets=targets)
    saved, status = attempt(form, lambda: services.copy_item(
        source, item_id, current_user, services.CopyData(
            target_id=form.target.data, day=form.day.data, start=form.start.data,
            room=form.room.data or "")))
    if saved is None:
        return _source_page(source, failed_item=item_id, failed_form=form, status=status)
    flash(_("«%(title)s» is copied into «%(target)s».", title=saved.title,
            target=saved.gathering.title), "success")
    return redirect(url_for("gatherings.programme", gathering_id=saved.gathering_id)
                    + f"#item-{saved.id}")


# --- the evaluation meeting -------------------------------------------------------------------

def _meeting_page(gathering: Gathering, form=None, status: int = 200):
    meeting = services.meeting_for(gathering)
    recorder = policy.can(current_user, "evaluation.record", gathering)
    if form is None and recorder:
        form = MeetingForm(formdata=None, obj=meeting)
        if meeting is not None:
            form.agreed_actions.data = meeting.agreed_actions
    over = services.today() > gathering.end_date
    return render_template("dialogue/meeting.html", gathering=gathering, meeting=meeting,
                           form=form if recorder else None, over=over,
                           followup=services.followup_status(gathering)), status


@bp.get("/gatherings/<int:gathering_id>/evaluation-meeting")
@policy.requires("evaluation.view")
def meeting(gathering_id: int):
    return _meeting_page(_for_both(gathering_id, "evaluation.view"))


@bp.post("/gatherings/<int:gathering_id>/evaluation-meeting")
@policy.requires("evaluation.record")
def record_meeting(gathering_id: int):
    gathering = _for_both(gathering_id, "evaluation.view")
    policy.authorize(current_user, "evaluation.record", gathering)
    form = MeetingForm()
    saved, status = attempt(form, lambda: services.record_meeting(
        gathering, current_user, held_on=form.held_on.data, notes=form.notes.data,
        agreed_actions=form.agreed_actions.data))
    if saved is None:
        return _meeting_page(gathering, form, status)
    flash(_("The evaluation meeting is recorded."), "success")
    return redirect(url_for("dialogue.meeting", gathering_id=gathering.id))
