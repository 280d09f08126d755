"""Partners: the organisation and a contact, by hand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from eventapp.partners.models import PARTNER_KINDS, kind_label


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in PARTNER_KINDS]


class PartnerForm(FlaskForm):
    """A partner organisation; the view fills in the kinds in the user's language."""

    name = StringField(_l("Organisation"),
                       validators=[DataRequired(_l("Enter the organisation's name.")),
                                   Length(max=200)],
                       description=_l("As participants know it, e.g. NAV Bergen, IMDi Vest."))
    kind = SelectField(_l("Kind"), choices=[], default="nav")


class PartnerContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(_l("Enter an email address.")),
                                                 Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
