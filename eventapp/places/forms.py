from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l("The same columns as the shipped lists: counties (number,name), "
                       "municipalities (number,name,county_number,county_name) or city districts "
                       "(number,name,municipality_number)."),
    )


class ImportConfirmForm(FlaskForm):
    content = HiddenField()
