"""Forms for the grant: application, decision, budget lines, travel support, the final report,
its review, and the directorate's rules. Ranges and cross-field rules live in the services, which
name the field they refuse, so the message lands beside it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.core.forms import WholeNumberField
from eventapp.grants.models import ATTENDANCE_RULES, CATEGORIES, DIGITAL_RULES


def category_label(category: str) -> str:
    from flask_babel import gettext as _

    return {
        "venue": _("Venue and rooms"),
        "meals": _("Meals"),
        "social_dinner": _("Social dinner and cultural element"),
        "accommodation": _("Accommodation"),
        "speakers": _("Speakers' fees and travel"),
        "travel_support": _("Travel support for municipalities"),
        "materials": _("Materials"),
        "other": _("Other"),
    }.get(category, category)


def attendance_label(attendance: str) -> str:
    from flask_babel import gettext as _

    return {
        "any_day": _("Checked in on at least one day"),
        "all_days": _("Checked in on every day of the gathering"),
    }.get(attendance, attendance)


def digital_label(rule: str) -> str:
    from flask_babel import gettext as _

    return {
        "full": _("Count like everyone else (checked in by the same attendance rule)"),
        "not_counted": _("Do not count"),
    }.get(rule, rule)


def _amount(label, description=None):
    return WholeNumberField(label, validators=[InputRequired(_l("Give an amount in kroner."))],
                            message=_l("Give the amount as a whole number of kroner, for example "
                                       "250 000."), description=description)


class ApplicationForm(FlaskForm):
    planned_participants = WholeNumberField(
        _l("Planned participants"),
        validators=[InputRequired(_l("Give the number of participants you plan for."))],
        message=_l("Give the number of participants as a whole number."))
    applied_nok = _amount(_l("Amount applied for (NOK)"))
    note = TextAreaField(_l("Note to the directorate"), validators=[Optional(), Length(max=2000)],
                         description=_l("Optional: what the money is for, anything special."))


class DecisionForm(FlaskForm):
    granted_nok = _amount(_l("Amount granted (NOK)"),
                          description=_l("At most the amount applied for."))
    comment = TextAreaField(_l("Comment to the county"), validators=[Optional(), Length(max=2000)],
                            description=_l("Required when you grant less than applied for."))


class BudgetLineForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[(c, c) for c in CATEGORIES])
    description = StringField(_l("Description"),
                              validators=[DataRequired(_l("Describe the line.")),
                                          Length(max=200, message=_l("Keep it to 200 characters."))])
    planned_nok = _amount(_l("Planned (NOK)"))
    actual_nok = WholeNumberField(
        _l("Actual (NOK)"), validators=[Optional()],
        message=_l("Give the amount as a whole number of kroner, for example 250 000."),
        description=_l("What was spent; leave empty until you know."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        from flask_babel import gettext as _

        super().__init__(*args, **kwargs)
        self.category.choices = [("", _("Choose"))] + [(c, category_label(c)) for c in CATEGORIES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TravelForm(FlaskForm):
    registrations = MultiCheckboxField(_l("This line pays travel support for"), coerce=int,
                                       validate_choice=False)


class ReportForm(FlaskForm):
    follow_up_actions = TextAreaField(
        _l("Follow-up actions"), validators=[Optional(), Length(max=10_000)],
        description=_l("What the county and the municipalities do next: new cooperation routines, "
                       "answers to open questions, further meetings …"))
    remarks = TextAreaField(_l("Other remarks"), validators=[Optional(), Length(max=10_000)])
    save = SubmitField(_l("Save draft"))
    submit_report = SubmitField(_l("Save and go on to submit"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment to the county"), validators=[Optional(), Length(max=4000)],
                            description=_l("Required when you send the report back."))
    approve = SubmitField(_l("Approve the report"))
    send_back = SubmitField(_l("Send back to the county"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=2000)],
        description=_l("Why the decision is reopened. The county's hosts are mailed it, and it "
                       "stays in the history."))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token: submitting, deleting, purging."""


class RulesForm(FlaskForm):
    rate_nok = WholeNumberField(
        _l("Rate per participant (NOK)"), validators=[InputRequired(_l("Give the rate."))],
        message=_l("Give the rate as a whole number of kroner."))
    attendance = RadioField(_l("Who counts as having attended"),
                            choices=[(a, a) for a in ATTENDANCE_RULES],
                            validators=[InputRequired(_l("Choose how attendance counts."))])
    include_speakers = BooleanField(_l("Count speakers as participants"))
    digital_counts = RadioField(
        _l("Participants who took part digitally"),
        choices=[(d, d) for d in DIGITAL_RULES],
        # DataRequired, not InputRequired: a form sent without it keeps the year's setting.
        validators=[DataRequired(_l("Choose whether digital participants count."))])
    purge_after_months = WholeNumberField(
        _l("Remind the county to delete personal data after (months)"),
        validators=[InputRequired(_l("Give a number of months."))],
        message=_l("Give a whole number of months."),
        description=_l("Counted from the day the directorate approves the final report."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendance.choices = [(a, attendance_label(a)) for a in ATTENDANCE_RULES]
        self.digital_counts.choices = [(d, digital_label(d)) for d in DIGITAL_RULES]
