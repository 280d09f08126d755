from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("What is the token for?"),
        validators=[DataRequired(_l("Give the token a name, so you know what it is for.")),
                    Length(max=100)],
    )
