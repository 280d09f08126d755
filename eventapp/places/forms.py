from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange


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


class FactsUploadForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(_l("Give the year.")),
                                                NumberRange(2000, 2100, _l("Between 2000 and 2100."))])
    file = FileField(
        _l("CSV or Excel file"),
        validators=[FileRequired(_l("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))],
        description=_l("One line per municipality: kommunenummer, and anmodet, vedtatt, "
                       "bosatt and (optional) bosetter."),
    )


class FactsConfirmForm(FlaskForm):
    token = HiddenField()


class ThresholdsForm(FlaskForm):
    year = HiddenField()
    medium_from = IntegerField(
        _l("Medium from"), validators=[InputRequired(_l("Give a whole number.")),
                                       NumberRange(1, 100_000, _l("From 1 to 100000."))],
        description=_l("Refugees settled in the year (decided, while settled is not known)."))
    large_from = IntegerField(
        _l("Large from"), validators=[InputRequired(_l("Give a whole number.")),
                                      NumberRange(1, 100_000, _l("From 1 to 100000."))])
