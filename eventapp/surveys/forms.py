"""Forms for the host's survey page and the directorate's national template. The participant
form is drawn from the survey's own questions (see views.answer), so it has no class here; its
CSRF token comes from a bare FlaskForm."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eventapp.surveys.models import KINDS


def kind_label(kind: str) -> str:
    from flask_babel import gettext as _

    return {
        "agreement": _("Agreement scale (five points and \"don't know\")"),
        "single": _("One choice"),
        "multiple": _("Several choices"),
        "programme_items": _("Programme items (tick as many as you like)"),
        "short_text": _("Short text"),
        "long_text": _("Long text"),
    }.get(kind, kind)


def option_lines(raw: str | None) -> list[str] | None:
    """The options typed one per line ("norsk | english" for an English label too); None
    when nothing was typed."""
    lines = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    return lines or None


def option_text(options: list[dict]) -> str:
    """The options as the form takes them back, an English label after a bar when it differs."""
    return "\n".join(o["label"] if o.get("label_en") in (None, "", o["label"])
                     else f"{o['label']} | {o['label_en']}" for o in options)


class OpenForm(FlaskForm):
    closes_on = DateField(_l("Closes on"), validators=[Optional()],
                          description=_l("The last day answers are taken."))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=[(k, k) for k in KINDS])
    text = TextAreaField(_l("Question (Norwegian)"),
                         validators=[DataRequired(_l("Write the question.")),
                                     Length(max=1000, message=_l("Keep it to 1000 characters."))])
    text_en = TextAreaField(_l("Question in English"),
                            validators=[Optional(), Length(max=1000, message=_l(
                                "Keep it to 1000 characters."))],
                            description=_l("Optional: shown to those who answer in English. "
                                           "Without it they see the Norwegian question."))
    options = TextAreaField(_l("Options"), validators=[Optional()],
                            description=_l("For one choice or several choices: one option per "
                                           "line, at least two, each named differently. Add the "
                                           "English label after a bar: \"Ja | Yes\"."))
    required = BooleanField(_l("Must be answered"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, kind_label(k)) for k in KINDS]


class TemplateEditForm(FlaskForm):
    text = TextAreaField(_l("Question (Norwegian)"),
                         validators=[DataRequired(_l("Write the question.")),
                                     Length(max=1000, message=_l("Keep it to 1000 characters."))])
    text_en = TextAreaField(_l("Question in English"),
                            validators=[Optional(), Length(max=1000, message=_l(
                                "Keep it to 1000 characters."))])
    options = TextAreaField(_l("Options"), validators=[Optional()],
                            description=_l("One option per line, at least two, each named "
                                           "differently. Add the English label after a bar: "
                                           "\"Ja | Yes\"."))
    required = BooleanField(_l("Must be answered"))

