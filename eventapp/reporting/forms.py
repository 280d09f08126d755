"""Forms of the survey results page. The theme's rules (length, unique per survey) live in the
services, which name the field, so the message lands beside it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField


class ThemeForm(FlaskForm):
    name = StringField(_l("Theme"), description=_l("For example “Booking system” or “More group "
                                                   "work”. At most 80 characters."))
    submit = SubmitField(_l("Add theme"))


class RenameThemeForm(FlaskForm):
    name = StringField(_l("New name"))
    submit = SubmitField(_l("Rename"))


class TagAnswersForm(FlaskForm):
    """One question's tagging control: the answers ticked (by the handles the page gave them),
    the theme, and whether to add it or take it off. The services check every value against
    the survey; the form only reads them and checks the CSRF token."""

    page = HiddenField()
    question = HiddenField()
    answer = SelectMultipleField(validate_choice=False)
    theme = StringField()
    action = StringField()
