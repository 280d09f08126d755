"""Forms for the conversation, the copy of an item and the evaluation meeting. Lengths and
choices are checked in the services, which name the field, so every caller gets the same
message."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional

from eventapp.dialogue.models import TOPICS


def topic_label(topic: str) -> str:
    from flask_babel import gettext as _

    return {"programme": _("The programme"), "application": _("The grant application"),
            "report": _("The final report")}.get(topic, topic)


def side_label(side: str) -> str:
    from flask_babel import gettext as _

    return {"county": _("The county"), "directorate": _("The directorate")}.get(side, side)


class CommentForm(FlaskForm):
    topic = SelectField(_l("About"), choices=[(t, t) for t in TOPICS], validate_choice=False,
                        default="programme")
    body = TextAreaField(_l("Comment"), description=_l(
        "The other side gets it by mail. Only the county's hosts and the directorate read the "
        "conversation."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [(t, topic_label(t)) for t in TOPICS]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CopyForm(FlaskForm):
    """One item of another county's programme into one of the host's own gatherings."""

    target = SelectField(_l("Into"), choices=[], coerce=_int_or_none, validate_choice=False)
    day = SelectField(_l("Day"), choices=[], coerce=_int_or_none, validate_choice=False)
    start = TimeField(_l("Starts"), validators=[Optional()])
    room = StringField(_l("Room (optional)"), validators=[Optional()],
                       description=_l("Empty for the main room."))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import format_date
        from flask_babel import gettext as _

        self.target.choices = [("", _("Choose a gathering"))] + [
            (g.id, f"{g.title} ({format_date(g.start_date, 'medium')})") for g in targets]
        days = max((g.days for g in targets), default=1)
        self.day.choices = [(n, _("Day %(n)d", n=n)) for n in range(1, days + 1)]


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Day of the meeting"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), description=_l(
        "What was said about the gathering: what worked, what to change."))
    agreed_actions = TextAreaField(_l("Agreed actions (optional)"), description=_l(
        "One action a line."))
