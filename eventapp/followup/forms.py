"""Forms for the follow-up log. Lengths are checked here for a quick message; the rule that a
done item needs an answer or an action lives in the service, which names the field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from eventapp.followup.models import KINDS, STATUSES
from eventapp.followup.services import MAX_NAME, MAX_TEXT


def kind_label(kind: str) -> str:
    from flask_babel import gettext as _

    return {"question": _("Question"), "input": _("Input")}.get(kind, kind)


def status_label(status: str) -> str:
    from flask_babel import gettext as _

    return {"open": _("Open"), "in_progress": _("In progress"), "done": _("Done")}.get(status,
                                                                                       status)


def _too_long(num: int):
    return Length(max=num, message=_l("Keep it to %(num)d characters.", num=num))


class ItemForm(FlaskForm):
    # Validation of kind and status happens in the service, so a wrong value gets the same
    # message there as through any other caller.
    kind = RadioField(_l("What was raised"), choices=[(k, k) for k in KINDS],
                      validate_choice=False, default="question")
    raised = TextAreaField(
        _l("Question or input"), validators=[_too_long(MAX_TEXT)],
        description=_l("As it was raised, in a sentence or two."))
    raised_by = StringField(
        _l("Raised by (optional)"), validators=[Optional(), _too_long(MAX_NAME)],
        description=_l("An organisation or a table, for example «Bodø kommune» or «bord 3»; "
                       "not a person's name."))
    answer = TextAreaField(
        _l("Answer"), validators=[Optional(), _too_long(MAX_TEXT)],
        description=_l("What all participants are told."))
    action = TextAreaField(
        _l("Action"), validators=[Optional(), _too_long(MAX_TEXT)],
        description=_l("What is done about it; actions go into the final report."))
    owner = StringField(
        _l("Responsible"), validators=[Optional(), _too_long(MAX_NAME)],
        description=_l("Who follows it up, for example «Karrieresenteret»."))
    # Optional: the service refuses a day before the gathering, beside this field.
    due_on = DateField(
        _l("Due (optional)"), validators=[Optional()],
        description=_l("When the answer or the action should be in place."))
    status = SelectField(_l("Status"), choices=[(s, s) for s in STATUSES],
                         validate_choice=False, default="open")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, kind_label(k)) for k in KINDS]
        self.status.choices = [(s, status_label(s)) for s in STATUSES]


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, s) for s in STATUSES], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s, status_label(s)) for s in STATUSES]


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token: sending, deleting."""


class EvaluationForm(FlaskForm):
    """An action's status at the directorate's evaluation meeting; the service checks it."""

    evaluation_status = SelectField(_l("Status at the evaluation meeting"), choices=[],
                                    validate_choice=False)
    evaluated_on = DateField(_l("Day of the meeting"), validators=[Optional()])
    evaluation_note = TextAreaField(
        _l("Note (internal)"), validators=[Optional(), _too_long(MAX_TEXT)],
        description=_l("For the directorate and the county; the municipalities and the "
                       "committee do not see it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import gettext as _

        self.evaluation_status.choices = [("", _("Not recorded"))] + [
            (s, status_label(s)) for s in STATUSES]
