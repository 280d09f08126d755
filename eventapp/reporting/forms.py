"""Forms of the survey results page. The theme's rules (length, unique per survey) live in the
services, which name the field, so the message lands beside it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField


class ThemeForm(FlaskForm):
    name = StringField(_l("Theme"), description=_l("For example “Booking system” or “More group "
                                                   "work”. At most 80 characters."))
    submit = SubmitField(_l("Add theme"))


class RenameThemeForm(FlaskForm):
    name = StringField(_l("New name"))
    submit = SubmitField(_l("Rename"))
