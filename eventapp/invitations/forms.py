"""Invitations: forms."""


# --- contacts ---------------------------------------------------------------------------------
from flask_babel import lazy_gettext as _l  # noqa: E402,F811
from flask_wtf import FlaskForm  # noqa: E402,F811
from flask_wtf.file import FileField, FileRequired  # noqa: E402,F811
from wtforms import HiddenField, SelectField, StringField  # noqa: E402,F811
from wtforms.validators import DataRequired, Length, Optional  # noqa: E402,F811


def contact_role_choices() -> list[tuple[str, str]]:
    from eventapp.invitations.models import CONTACT_ROLES
    from eventapp.invitations.services import contact_role_label

    return [(role, contact_role_label(role)) for role in CONTACT_ROLES]


class ContactForm(FlaskForm):
    """A contact by hand; the view fills in the municipality and role choices."""

    municipality = SelectField(_l("Municipality or district"),
                               validators=[DataRequired(_l("Choose the municipality."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(_l("Enter an email address.")),
                                                 Length(max=254)])
    role = SelectField(_l("Role"), default="leader")
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])


class ContactImportForm(FlaskForm):
    file = FileField(
        _l("File (.csv or .xlsx)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("The first row names the columns."),
    )


class ContactImportConfirmForm(FlaskForm):
    payload = HiddenField()


# --- campaigns ---
from wtforms import RadioField, SubmitField, TextAreaField  # noqa: E402,F811

from eventapp.accounts.forms import MultiCheckboxField  # noqa: E402,F811


class CampaignForm(FlaskForm):
    """The text of a campaign and who sends it. The view fills in the sender choices: the career
    centre, the integration adviser, and "counsellor-<id>" for each counsellor of the county."""

    sender_kind = SelectField(_l("From"), choices=[])
    sender_name = StringField(
        _l("Sender's name"), validators=[Optional(), Length(max=200)],
        description=_l("As recipients see it. Leave empty for the identity's usual name "
                       "(a counsellor's own name)."),
    )
    sender_email = StringField(
        _l("Replies go to"), validators=[Optional(), Length(max=254)],
        description=_l("The address that gets the replies. Leave empty for your own address "
                       "(a counsellor's own address)."),
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")),
                                                     Length(max=300)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(_l("Write the text of the mail.")), Length(max=20000)],
        description=_l("Merge fields in braces are filled in for each recipient: {navn}, "
                       "{kommune}, {lenke} (required), {samling}, {dato} and {sted}, or their "
                       "English names. The list is below the form."),
    )
    preview = SubmitField(_l("Show preview"))
    save = SubmitField(_l("Save and choose recipients"))


class ReminderForm(CampaignForm):
    """The one-click reminder: the same fields, filled in with a reminder text."""

    preview = None
    save = SubmitField(_l("Send the reminder"))


class SendCampaignForm(FlaskForm):
    recipients = RadioField(
        _l("Send to"), default="not_registered",
        choices=[("not_registered", _l("Every municipality that has not registered yet")),
                 ("chosen", _l("The municipalities I choose below"))],
    )
    municipalities = MultiCheckboxField(_l("Municipalities"), coerce=int, choices=[])
    # The county's partner organisations, invited beside (or instead of) the municipalities.
    # The service checks the choice again and says why a partner cannot be sent to.
    partners = MultiCheckboxField(_l("Partner organisations"), coerce=int, choices=[],
                                  validate_choice=False,
                                  description=_l("Their active contacts get the mail too."))


# --- board ---------------------------------------------------------------------------------
from flask_wtf import FlaskForm as _BoardFlaskForm  # noqa: E402
from wtforms import BooleanField as _BoardBooleanField  # noqa: E402
from wtforms import DateField as _BoardDateField  # noqa: E402
from wtforms import IntegerField as _BoardIntegerField  # noqa: E402
from wtforms import SelectField as _BoardSelectField  # noqa: E402
from wtforms import StringField as _BoardStringField  # noqa: E402
from wtforms import TextAreaField as _BoardTextAreaField  # noqa: E402
from wtforms import validators as _board_v  # noqa: E402


class OutreachForm(_BoardFlaskForm):
    """A counsellor's contact with a municipality. The choices are the municipalities the user
    may log for; the service checks again, so a forged choice is refused with a reason."""

    municipality = _BoardSelectField(_l("Municipality"), coerce=int, validate_choice=False,
                                     validators=[_board_v.InputRequired(_l("Choose a municipality."))])
    channel = _BoardSelectField(_l("How"), validators=[_board_v.InputRequired(_l("Choose how."))])
    happened_on = _BoardDateField(_l("Date"),
                                  validators=[_board_v.InputRequired(_l("Enter the date."))])
    note = _BoardTextAreaField(_l("Note"), validators=[_board_v.Optional(), _board_v.Length(max=2000)],
                               description=_l("Who you spoke with, what they said, what "
                                                    "stops them, what you agreed."),
                               render_kw={"rows": 4})

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from eventapp.invitations.models import OUTREACH_CHANNELS
        from eventapp.invitations.services import outreach_channel_label

        self.municipality.choices = [(u.id, u.name) for u in units]
        self.channel.choices = [(c, outreach_channel_label(c)) for c in OUTREACH_CHANNELS]


class FollowUpForm(_BoardFlaskForm):
    """What stops a municipality from coming, what was offered, and the next step."""

    barrier_travel_cost = _BoardBooleanField(_l("Travel cost"))
    barrier_finances = _BoardBooleanField(_l("Finances"))
    barrier_staffing = _BoardBooleanField(_l("Staffing"))
    barrier_timing = _BoardBooleanField(_l("Timing"))
    barrier_other_ticked = _BoardBooleanField(_l("Other"))
    barrier_other = _BoardStringField(_l("Other barrier"),
                                      validators=[_board_v.Optional(), _board_v.Length(max=300)])
    offered_travel_support = _BoardBooleanField(_l("Travel support"))
    offered_digital = _BoardBooleanField(_l("Digital option"))
    next_step = _BoardTextAreaField(_l("Next step"),
                                    validators=[_board_v.Optional(), _board_v.Length(max=2000)],
                                    description=_l("Who does what, and by when."),
                                    render_kw={"rows": 5})

    BARRIER_FIELDS = ("travel_cost", "finances", "staffing", "timing")

    def fill(self, row) -> None:
        if row is None:
            return
        for name in self.BARRIER_FIELDS:
            getattr(self, f"barrier_{name}").data = getattr(row, f"barrier_{name}")
        self.barrier_other_ticked.data = bool(row.barrier_other)
        self.barrier_other.data = row.barrier_other or ""
        self.offered_travel_support.data = row.offered_travel_support
        self.offered_digital.data = row.offered_digital
        self.next_step.data = row.next_step or ""

    def barriers(self) -> set[str]:
        chosen = {name for name in self.BARRIER_FIELDS if getattr(self, f"barrier_{name}").data}
        if self.barrier_other_ticked.data:
            chosen.add("other")
        return chosen

    def offers(self) -> set[str]:
        return {name for name in ("travel_support", "digital")
                if getattr(self, f"offered_{name}").data}


class CapForm(_BoardFlaskForm):
    cap = _BoardIntegerField(
        _l("Places for this municipality"),
        validators=[_board_v.Optional(), _board_v.NumberRange(min=0, max=20,
                                                              message=_l("Choose between 0 and 20."))],
        description=_l("Leave empty to use the gathering's places per municipality."),
    )
