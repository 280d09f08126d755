"""The registration form: only what the host needs."""

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eventapp.registration.models import ROLES

# Lazy, so a label costs one translation when shown, not one for every role (lists call
# ``role_label`` once per row).
ROLE_LABELS = {
    "leader": _l("Leader"),
    "programme_adviser": _l("Programme adviser"),
    "career_counsellor": _l("Career counsellor"),
    "county_staff": _l("County staff"),
    "partner": _l("Partner organisation"),
    "speaker": _l("Speaker"),
    "other": _l("Other"),
}
WISH_LABELS = {"regional": _l("A regional table"),
               "apart_from_neighbours": _l("Not with the neighbour municipality")}


def role_label(role: str) -> str:
    label = ROLE_LABELS.get(role)
    return role if label is None else str(label)


def page_role_label():
    """``role_label`` for one page: a list calls it once per row, and a lazy label is
    translated anew each time; this one translates each role once. A new one per page, so each
    page has its own request's language."""
    return cache(role_label)


class EditOwnForm(FlaskForm):
    """What a registrant may change: not name, email or organisation (that is a swap). The
    registration form asks the same, and who the person is."""

    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                        description=_l("Only used if the host must reach you on the day."))
    day1 = BooleanField(_l("Day 1"), default=True)
    day2 = BooleanField(_l("Day 2"), default=True)
    attends_dinner = BooleanField(_l("I will join the social dinner on the evening of day 1"))
    dietary_needs = TextAreaField(
        _l("Dietary needs or allergies"), validators=[Optional(), Length(max=500)],
        description=_l("Only the host of this gathering sees this, to order food. It is deleted "
                       "with the rest of your registration after the gathering is reported."),
    )
    dietary_consent = BooleanField(_l("I agree that the host keeps my dietary needs for this "
                                      "purpose"))
    accessibility_needs = TextAreaField(_l("Accessibility needs"),
                                        validators=[Optional(), Length(max=500)])
    accommodation = BooleanField(_l("I need a hotel room"))
    travel_support_requested = BooleanField(_l("My municipality asks for travel support"))
    list_consent = BooleanField(_l("Show my name and organisation on the public participant list"))
    # Optional: "" is no wish. An unknown value is refused beside the field.
    seating_wish = RadioField(
        _l("At the group-work tables I would like"),
        choices=[("", _l("No particular wish")), ("regional", _l("A regional table")),
                 ("apart_from_neighbours", _l("Not to sit with my neighbour municipality"))],
        default="", validate_choice=True,
        description=_l("The table plan follows your wish as far as the host's rules allow."))


def wish_label(wish: str | None) -> str:
    label = WISH_LABELS.get(wish or "")
    return "" if label is None else str(label)


class RegistrationForm(EditOwnForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter your name.")),
                                               Length(max=200)])
    email = EmailField(_l("Work email"), validators=[DataRequired(_l("Enter your work email.")),
                                                     Length(max=254)])
    organisation_kind = SelectField(_l("I work for"), choices=[])
    municipality = SelectField(_l("Municipality or city district"), choices=[],
                               validate_choice=False)
    # The county's active partners; the service checks the choice again.
    partner_id = SelectField(_l("Partner organisation"), choices=[], validate_choice=False,
                             description=_l("For partners: choose from the county's list, or "
                                            "write the name below if it is not there."))
    partner_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                               description=_l("For partners: e.g. NAV Vestland, IMDi Vest."))
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])
    # Only asked at a hybrid gathering (the view removes it elsewhere).
    attends_digitally = BooleanField(
        _l("I will take part digitally (the meeting link comes with the confirmation)"))


class ParticipantForm(RegistrationForm):
    """The same form for registering someone else (the host, a municipal contact): it speaks
    of the participant, not of "you"."""

    name = StringField(_l("Participant's name"),
                       validators=[DataRequired(_l("Enter the participant's name.")),
                                   Length(max=200)])
    email = EmailField(_l("Participant's work email"),
                       validators=[DataRequired(_l("Enter the participant's work email.")),
                                   Length(max=254)],
                       description=_l("The confirmation and the private link go here."))
    organisation_kind = SelectField(_l("The participant works for"), choices=[])
    phone = StringField(_l("Participant's mobile phone"), validators=[Optional(), Length(max=40)],
                        description=_l("Only used if the host must reach the participant on the "
                                       "day."))
    attends_dinner = BooleanField(_l("The participant will join the social dinner on the "
                                     "evening of day 1"))
    dietary_needs = TextAreaField(
        _l("The participant's dietary needs or allergies"),
        validators=[Optional(), Length(max=500)],
        description=_l("Only the host of this gathering sees this, to order food. It is deleted "
                       "with the rest of the registration after the gathering is reported."),
    )
    dietary_consent = BooleanField(_l("The participant agrees that the host keeps their dietary "
                                      "needs for this purpose"))
    accessibility_needs = TextAreaField(_l("The participant's accessibility needs"),
                                        validators=[Optional(), Length(max=500)])
    accommodation = BooleanField(_l("The participant needs a hotel room"))
    travel_support_requested = BooleanField(_l("The participant's municipality asks for travel "
                                               "support"))
    list_consent = BooleanField(_l("Show the participant's name and organisation on the public "
                                   "participant list"))
    attends_digitally = BooleanField(_l("The participant will take part digitally"))
    seating_wish = RadioField(
        _l("At the group-work tables the participant would like"),
        choices=[("", _l("No particular wish")), ("regional", _l("A regional table")),
                 ("apart_from_neighbours", _l("Not to sit with their neighbour municipality"))],
        default="", validate_choice=True)


# --- lists and the day ---------------------------------------------------------------------
from wtforms import HiddenField  # noqa: E402
from wtforms.validators import AnyOf  # noqa: E402


class CheckinForm(FlaskForm):
    """One tick (or untick) on the check-in page, for one day; ``q`` keeps the search."""

    attended = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Choose checked in or not."))])
    # Empty: every day the person registered for. Whether the gathering has that day is the
    # service's to say.
    day = HiddenField(validators=[Optional(), AnyOf(["1", "2"], message=_l("Choose day 1 or day 2."))])
    q = HiddenField(validators=[Optional(), Length(max=100)])


# --- host and municipal registration ---

class SwapForm(FlaskForm):
    """The colleague who takes over a place."""

    name = StringField(_l("Colleague's name"), validators=[DataRequired(_l("Enter the name.")),
                                                            Length(max=200)])
    email = EmailField(_l("Work email"), validators=[DataRequired(_l("Enter the work email.")),
                                                     Length(max=254)],
                       description=_l("The confirmation and the private link go here."))
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)])
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])
