from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


# Argon2 hashes any length; the cap only keeps a request from hashing megabytes.
MAX_PASSWORD_LENGTH = 1000


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")),
                    Length(max=MAX_PASSWORD_LENGTH,
                           message=_l("The password can be at most %(max)d characters."))],
        description=_l("At least 12 characters. Several unrelated words make a good password."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(_l("Enter your current password."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")),
                    Email(_l("Enter a valid email address."))],
    )


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")),
                                               Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter an email address.")),
                    Email(_l("Enter a valid email address.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    county = SelectField(_l("County"), validate_choice=True, choices=[])
    municipality = SelectField(_l("Municipality or city district"), validate_choice=True,
                               choices=[])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    municipalities = MultiCheckboxField(_l("Municipalities this counsellor is contact for"),
                                        choices=[])
