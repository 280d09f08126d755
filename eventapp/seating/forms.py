"""Forms for the table plan: tables, rounds, rules, pins, keep-apart pairs, the plan button and
the hand move. Choices (people, rounds, tables, programme items) are filled in by the views from
the gathering's own rows, so an id from elsewhere is refused beside its field; ranges and rules
between rows live in the services, which name the field they refuse."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.core.forms import WholeNumberField
from eventapp.seating.models import MODES


def _number(label, *, required: str, message: str, description=None):
    return WholeNumberField(label, validators=[InputRequired(required)], message=message,
                            description=description)


class IdSelectField(SelectField):
    """A choice of one of the gathering's rows by id; anything else (another gathering's id, a
    row removed meanwhile, text) is refused beside the field in words."""

    refusal = _l("Choose one from the list.")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", _int_or_none)
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data is None or self.data not in {choice[0] for choice in self.choices or ()}:
            raise ValidationError(str(self.refusal))


def _int_or_none(value):
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


class PersonSelectField(IdSelectField):
    refusal = _l("Choose a person with a confirmed place at this gathering.")


class RoundSelectField(IdSelectField):
    refusal = _l("Choose one of this gathering's rounds.")


class TableSelectField(IdSelectField):
    refusal = _l("Choose one of this gathering's tables.")


class ItemSelectField(IdSelectField):
    """A group-work item of the programme, or none ("" → None)."""

    refusal = _l("Choose a group-work item of this gathering's programme, or none.")

    def pre_validate(self, form):
        if self.data is None and not (self.raw_data and self.raw_data[0] not in ("", None)):
            return
        super().pre_validate(form)


# --- tables -------------------------------------------------------------------------------------

class TablesForm(FlaskForm):
    """How many tables, with how many seats each (names start as «Table 1» …)."""

    count = _number(_l("Number of tables"), required=_l("Give the number of tables."),
                    message=_l("Give the number of tables as a whole number, for example 10."))
    seats = _number(_l("Seats per table"), required=_l("Give the number of seats per table."),
                    message=_l("Give the seats as a whole number, for example 8."))


class TableRowForm(Form):
    table_id = HiddenField()
    table_name = StringField(_l("Name"), validators=[
        InputRequired(_l("Give the table a name.")),
        Length(max=40, message=_l("Keep the name to 40 characters."))])
    seats = _number(_l("Seats"), required=_l("Give the number of seats."),
                    message=_l("Give the seats as a whole number, for example 8."))


class TableListForm(FlaskForm):
    tables = FieldList(FormField(TableRowForm), min_entries=0)


# --- rounds -------------------------------------------------------------------------------------

class RoundRowForm(Form):
    round_id = HiddenField()
    mode = SelectField(_l("Kind of round"), choices=[(m, m) for m in MODES])
    item = ItemSelectField(_l("Group-work item"))


class RoundListForm(FlaskForm):
    rounds = FieldList(FormField(RoundRowForm), min_entries=0)


class AddRoundForm(FlaskForm):
    mode = SelectField(_l("Kind of round"), choices=[(m, m) for m in MODES])
    item = ItemSelectField(_l("Group-work item"))


# --- rules --------------------------------------------------------------------------------------

class RulesForm(FlaskForm):
    min_counsellors_per_table = _number(
        _l("At least this many career counsellors per table"),
        required=_l("Give a number (0 switches the rule off)."),
        message=_l("Give a whole number, for example 1."),
        description=_l("Participants said every table should have a career counsellor. 0 "
                       "switches the rule off."))
    max_county_staff_per_table = _number(
        _l("At most this many county staff per table"),
        required=_l("Give a number (0 switches the rule off)."),
        message=_l("Give a whole number, for example 2."),
        description=_l("The county is the host: its staff, counsellors included, should not sit "
                       "together but spread over the tables. 0 switches the rule off."))
    max_per_organisation = _number(
        _l("At most this many from one organisation per table"),
        required=_l("Give a number (0 switches the rule off)."),
        message=_l("Give a whole number, for example 1."),
        description=_l("Mixes the municipalities: with 1, nobody shares a table with a colleague "
                       "from their own municipality or partner. County staff are counted by the "
                       "rule above instead. 0 switches the rule off."))
    seed = _number(
        _l("Seed"), required=_l("Give a seed (any whole number)."),
        message=_l("Give the seed as a whole number, for example 0."),
        description=_l("The same seed and the same people give the same plan. Change it to get "
                       "another plan that is just as good."))
    time_limit_s = _number(
        _l("Time limit (seconds)"), required=_l("Give a time limit in seconds."),
        message=_l("Give the time limit as a whole number of seconds, for example 10."),
        description=_l("The planner stops at this limit with the best plan it has found; it "
                       "stops earlier when it cannot do better."))


class RegionsField(SelectMultipleField):
    """Regions as checkboxes, by their counsellor's user id; an id that is not one of the
    county's regions is refused beside the field in words."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", _int_or_none)
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        known = {choice[0] for choice in self.choices or ()}
        if any(value is None or value not in known for value in self.data or ()):
            raise ValidationError(str(_l("Choose among the regions listed.")))


class MoreRulesForm(FlaskForm):
    """The rules hosts asked for: partners by kind, neighbours and regions apart, large
    municipalities spread, and re-planning by who came."""

    spread_partner_kinds = BooleanField(
        _l("Spread NAV and adult education over the tables"),
        description=_l("As many tables as possible get someone from NAV and someone from adult "
                       "education."))
    apart_neighbours = BooleanField(
        _l("Keep marked neighbour municipalities apart"),
        description=_l("Two municipalities marked as neighbours below never share a table."))
    apart_regions = RegionsField(
        _l("Keep the municipalities of these regions apart"),
        description=_l("Each region is the municipalities one career counsellor serves, as in "
                       "regional rounds. Its municipalities never share a table."))
    spread_large = BooleanField(
        _l("Spread staff of large municipalities over the tables"),
        description=_l("So that staff of small municipalities meet them. Uses the size class in "
                       "the municipality facts for the gathering's year."))
    follow_attendance = BooleanField(
        _l("When planning again after check-in has started, seat people only on the days "
           "they were checked in"),
        description=_l("Someone not checked in on a day that has begun gets no seat that day."))


class MunicipalitySelectField(IdSelectField):
    refusal = _l("Choose a municipality of this county.")


class NeighbourForm(FlaskForm):
    municipality_id = MunicipalitySelectField(_l("Municipality"))
    neighbour_id = MunicipalitySelectField(_l("Neighbour municipality"))


# --- pins and keep-apart pairs ------------------------------------------------------------------

class PinForm(FlaskForm):
    registration_id = PersonSelectField(_l("Person"))
    round_id = RoundSelectField(_l("Round"))
    table_id = TableSelectField(_l("Table"))


class ApartForm(FlaskForm):
    first_id = PersonSelectField(_l("Person"))
    second_id = PersonSelectField(_l("Keep apart from"))


# --- the plan and hand moves --------------------------------------------------------------------

class PlanForm(FlaskForm):
    plan = SubmitField(_l("Make the table plan"))
    replan = SubmitField(_l("Plan again after changes"))


class MoveForm(FlaskForm):
    registration_id = PersonSelectField(_l("Person"))
    round_id = RoundSelectField(_l("Round"))
    table_id = TableSelectField(_l("Table"))
    preview = SubmitField(_l("Show what breaks"))
    move = SubmitField(_l("Move"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token: removing a pin, a pair, a round."""
