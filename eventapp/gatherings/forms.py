from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventapp.accounts.forms import MultiCheckboxField
from eventapp.gatherings.models import ITEM_KINDS, MODES, ORGANISATION_KINDS


def mode_label(mode: str) -> str:
    from flask_babel import gettext as _

    return {
        "in_person": _("In person"),
        "digital": _("Digital"),
        "hybrid": _("Hybrid (in person and digital)"),
    }.get(mode, mode)


def item_kind_label(kind: str) -> str:
    from flask_babel import gettext as _

    return {
        "talk": _("Talk"),
        "plenary_discussion": _("Plenary discussion"),
        "group_work": _("Group work at tables"),
        "panel": _("Panel"),
        "experience_sharing": _("Experience sharing"),
        "icebreaker": _("Icebreaker or role play"),
        "break": _("Break"),
        "meal": _("Meal"),
        "social_dinner": _("Social dinner with cultural element"),
        "other": _("Other"),
    }.get(kind, kind)


def organisation_kind_label(kind: str) -> str:
    from flask_babel import gettext as _

    return {
        "directorate": _("The directorate (HK-dir)"),
        "county": _("County"),
        "career_centre": _("Career centre"),
        "municipality": _("Municipality"),
        "imdi": _("IMDi"),
        "nav": _("NAV"),
        "adult_education": _("Adult education"),
        "research": _("Research"),
        "refugee_background": _("Person with refugee background"),
        "statsforvalteren": _("County Governor (Statsforvalteren)"),
        "other": _("Other"),
    }.get(kind, kind)


class GatheringForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    start_date = DateField(_l("First day"), validators=[InputRequired(_l("Enter the first day."))])
    end_date = DateField(
        _l("Last day"), validators=[InputRequired(_l("Enter the last day."))],
        description=_l("Two days is the norm; one day is allowed."),
    )
    mode = RadioField(
        _l("How people take part"), default="in_person",
        choices=[(m, m) for m in MODES],
        # DataRequired, not InputRequired: a form sent without it keeps the default (or, when
        # editing, the gathering's mode).
        validators=[DataRequired(_l("Choose in person, digital or hybrid."))],
        description=_l("A digital gathering (a follow-up webinar, say) has a meeting link instead "
                       "of a venue."))
    # Required or not by the mode: the service says which, beside the field.
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)],
                        description=_l("Not needed for a digital gathering."))
    meeting_url = URLField(
        _l("Meeting link"), validators=[Optional()],
        description=_l("For digital and hybrid gatherings: the whole https:// link to Teams, "
                       "Zoom or the like. Only registered participants see it."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("About the gathering"), validators=[Optional(), Length(max=5000)],
                                description=_l("Shown on the public page."))
    registration_opens = DateField(_l("Registration opens"), validators=[Optional()])
    registration_closes = DateField(_l("Registration closes"), validators=[Optional()])
    capacity = IntegerField(_l("Venue capacity"), validators=[Optional(), NumberRange(min=1)],
                            description=_l("Leave empty if the venue sets no limit."))
    municipal_cap = IntegerField(
        _l("Places per municipality"), default=2,
        validators=[InputRequired(_l("Enter the number of places.")), NumberRange(min=0, max=20)],
        description=_l("Up to two by default; raise it for single municipalities later."),
    )
    pool_cap = IntegerField(
        _l("Places for county staff and partners"), default=20,
        validators=[InputRequired(_l("Enter the number of places.")), NumberRange(min=0, max=20)],
        description=_l("NAV, adult education, IMDi, the County Governor and others: at most 20."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [(m, mode_label(m)) for m in MODES]


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[])


class SpeakerForm(PlainForm):
    name = StringField(_l("Speaker's name"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    organisation_kind = SelectField(
        _l("Kind of organisation"),
        choices=[(k, k) for k in ORGANISATION_KINDS], default="other",
    )


class ItemForm(FlaskForm):
    day = SelectField(_l("Day"), coerce=int, choices=[])
    start = TimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    end = TimeField(_l("Ends"), validators=[InputRequired(_l("Enter when it ends."))])
    kind = SelectField(_l("Kind"), choices=[(k, k) for k in ITEM_KINDS])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)],
                       description=_l("Leave empty for the main room."))
    meeting_url = URLField(
        _l("Meeting link for this item"), validators=[Optional()],
        description=_l("Only for an item held online on its own link (https://…). Items of a "
                       "digital or hybrid gathering use the gathering's link without one."))
    question_minutes = IntegerField(
        _l("Minutes for questions"), default=0,
        validators=[InputRequired(_l("Enter 0 if there is no time for questions.")),
                    NumberRange(min=0, max=600)],
        description=_l("Time for questions or discussion within the item."),
    )
    speakers = FieldList(FormField(SpeakerForm), min_entries=3, max_entries=8)
    # The service checks the codes (an unknown one gets a message naming it, not WTForms'
    # "not a valid choice"); the choices are the directorate's active topics.
    topics = MultiCheckboxField(
        _l("Topics"), choices=[], validate_choice=False,
        description=_l("From the directorate's list: the survey's “most useful items” are read "
                       "by topic across the gatherings."))


# --- committee and municipal input ---------------------------------------------------------

from wtforms import EmailField, RadioField, ValidationError  # noqa: E402
from wtforms.validators import Email  # noqa: E402

from eventapp.gatherings.models import INPUT_STATUSES  # noqa: E402

INPUT_TEXT_MAX = 2000


class CommitteeMemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)],
                       description=_l("Needed for people who do not have an account yet."))
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter an email address.")),
                    Email(_l("Enter a valid email address.")), Length(max=254)],
    )
    municipality = SelectField(
        _l("Municipality or city district"), choices=[],
        description=_l("Leave empty for county staff."),
    )


def input_text(label, description, optional=True):
    return TextAreaField(label, description=description, validators=[
        *([Optional()] if optional else []),
        Length(max=INPUT_TEXT_MAX, message=_l("Keep it to at most %(max)d characters.")),
    ])


class MunicipalInputForm(FlaskForm):
    municipality = SelectField(_l("Municipality or city district"), choices=[],
                               validators=[DataRequired(_l("Choose your municipality or city "
                                                           "district."))])
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("Your email"),
        validators=[Optional(), Email(_l("Enter a valid email address, or leave it empty.")),
                    Length(max=254)],
        description=_l("Optional: so the committee can ask you more or invite you to speak."),
    )
    topics = input_text(_l("Topics you want covered"),
                        _l("For example: competence mapping, the counsellor's note, recognition of "
                           "prior learning."), optional=False)
    questions = input_text(_l("Questions you want answered"),
                           _l("Questions for the county, the career centre, HK-dir, NAV or others."))
    experience = input_text(_l("Experience you could share as a speaker"),
                            _l("Something that works in your municipality that others could learn "
                               "from."))
    small = RadioField(
        _l("Are you a small municipality?"), default="unknown",
        choices=[("yes", _l("Yes")), ("no", _l("No")), ("unknown", _l("Don't know"))],
    )

    # Not Optional(): an empty "topics" must still reach this check.
    def validate_topics(self, field):
        if not any((f.data or "").strip() for f in (self.topics, self.questions, self.experience)):
            raise ValidationError(_l("Write at least one topic, question or experience you could "
                                     "share."))

    @property
    def small_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.small.data)


class InputReviewForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, s) for s in INPUT_STATUSES])
    note = TextAreaField(
        _l("Committee note"),
        validators=[Optional(), Length(max=2000, message=_l("Keep it to at most %(max)d characters."))],
        description=_l("What the committee did with it; the municipality can read this."),
    )
    items = MultiCheckboxField(_l("Programme items that take it up"), coerce=int, choices=[])


def input_status_label(status: str) -> str:
    from flask_babel import gettext as _

    return {"new": _("New"), "adopted": _("Adopted"), "declined": _("Declined")}.get(status, status)


# --- calendars and other events ---------------------------------------------------------------
# (imported here, not at the top, to keep this section separate from the rest of the file)
from flask_wtf.file import FileAllowed, FileField, FileRequired  # noqa: E402


class OtherEventForm(FlaskForm):
    """Another event for the same audience, typed in."""

    title = StringField(_l("Name of the event"),
                        validators=[DataRequired(_l("Enter the event's name.")), Length(max=200)])
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)],
                            description=_l("For example IMDi, NAV or another county."))
    location = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    start_date = DateField(_l("First day"),
                           validators=[InputRequired(_l("Enter the first day of the event."))])
    end_date = DateField(
        _l("Last day"),
        validators=[InputRequired(_l("Enter the last day of the event (the first day again if "
                                     "it lasts one day)."))],
    )


class ImportEventsForm(FlaskForm):
    """Other events from a calendar file."""

    file = FileField(
        _l("Calendar file (.ics)"),
        validators=[FileRequired(_l("Choose a calendar file.")),
                    FileAllowed(["ics", "ical", "ifb", "icalendar"],
                                _l("Choose a calendar file ending in .ics."))],
        description=_l("Export it from Outlook, Google Calendar or the event's web page. Events "
                       "imported before are updated, not added twice."),
    )


# --- the national list of programme topics ----------------------------------------------------
# The rules (code format, unique names, lengths) live in services.topics, which names the field.

class TopicForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("Small letters, digits, “_” or “-”, at most 40; "
                                                  "used by the API and the exports, and never "
                                                  "changed."))
    name = StringField(_l("Name (Norwegian)"))
    name_en = StringField(_l("Name (English)"), description=_l("Optional."))


class RenameTopicForm(FlaskForm):
    name = StringField(_l("Name (Norwegian)"))
    name_en = StringField(_l("Name (English)"))
