"""The national list of programme topics, kept by the directorate: add, rename, move up or
down, deactivate and activate again. Programme editors pick an item's topics from it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import policy
from eventapp.core.web import act, attempt
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.forms import RenameTopicForm, TopicForm
from eventapp.gatherings.models import ProgrammeTopic
from eventapp.gatherings.services.topics import SEED


def _expired() -> str:
    return _("Nothing was changed: the form had expired. Please try again.")


def _page(form: TopicForm | None = None, rename: dict | None = None, status: int = 200):
    topics = services.all_topics()
    rename = rename or {}
    for topic in topics:
        rename.setdefault(topic.id, RenameTopicForm(
            formdata=None, prefix=f"topic-{topic.id}", name=topic.name, name_en=topic.name_en))
    return render_template(
        "gatherings/topics.html", topics=topics, form=form or TopicForm(formdata=None),
        rename=rename, usage=services.topic_usage(), action=FlaskForm(),
        missing_seed=[code for code, _n, _e in SEED if code not in {t.code for t in topics}]), status


def _topic(topic_id: int) -> ProgrammeTopic:
    topic = db.session.get(ProgrammeTopic, topic_id)
    if topic is None:
        abort(404)
    return topic


def _back(topic: ProgrammeTopic | None = None):
    return redirect(url_for("gatherings.topics") + (f"#topic-{topic.id}" if topic else ""))


@bp.get("/topics")
@policy.requires("topics.manage")
def topics():
    return _page()


@bp.post("/topics")
@policy.requires("topics.manage")
def add_topic():
    form = TopicForm()
    topic, status = attempt(form, lambda: services.add_topic(
        current_user, form.code.data, form.name.data, form.name_en.data))
    if topic is None:
        return _page(form=form, status=status)
    flash(_("The topic “%(name)s” is added.", name=topic.name), "success")
    return _back(topic)


@bp.post("/topics/seed")
@policy.requires("topics.manage")
def seed_topics():
    act(services.seed_topics,
        lambda n: _("Added %(n)d topics from the suggested list.", n=n),
        _expired())
    return _back()


@bp.post("/topics/<int:topic_id>")
@policy.requires("topics.manage")
def rename_topic(topic_id: int):
    topic = _topic(topic_id)
    form = RenameTopicForm(prefix=f"topic-{topic.id}")
    renamed, status = attempt(form, lambda: services.rename_topic(
        current_user, topic, form.name.data, form.name_en.data))
    if renamed is None:
        return _page(rename={topic.id: form}, status=status)
    flash(_("The topic is renamed “%(name)s”.", name=renamed.name), "success")
    return _back(topic)


@bp.post("/topics/<int:topic_id>/move")
@policy.requires("topics.manage")
def move_topic(topic_id: int):
    topic = _topic(topic_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    act(lambda: services.move_topic(current_user, topic, step),
        lambda t: _("“%(name)s” is moved.", name=t.name), _expired())
    return _back(topic)


@bp.post("/topics/<int:topic_id>/active")
@policy.requires("topics.manage")
def set_topic_active(topic_id: int):
    topic = _topic(topic_id)
    active = request.form.get("active") == "1"
    act(lambda: services.set_topic_active(current_user, topic, active),
        lambda t: (_("“%(name)s” is offered for programme items again.", name=t.name)
                   if t.active else
                   _("“%(name)s” is deactivated: no longer offered, but kept on the items and in "
                     "the reports.", name=t.name)),
        _expired())
    return _back(topic)
