"""Forms for materials. Every rule (the file's type, size and name; the item; the table) lives
in the service, which names the field, so the form only carries what was sent."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField

from eventapp.materials.models import MAX_LABEL, NOTE_KINDS

_ACCEPT = ".pdf,.pptx,.docx,.xlsx,.png,.jpg,.jpeg"
_PERSONAL_HINT = _l("Tick this if the file names or shows people (a list of participants, a "
                    "photo). It is deleted with the rest of the personal data after the final "
                    "report.")


def _file_field():
    return FileField(_l("File"), render_kw={"accept": _ACCEPT},
                     description=_l("PDF, PowerPoint, Word, Excel, PNG or JPEG."))


class SlidesForm(FlaskForm):
    item = SelectField(_l("Programme item"), validate_choice=False)
    file = _file_field()
    personal_data = BooleanField(_l("Holds personal data"), description=_PERSONAL_HINT)


class NoteForm(FlaskForm):
    kind = RadioField(_l("What it is"), choices=[(k, k) for k in NOTE_KINDS],
                      validate_choice=False, default="group_work")
    # Free text, with the seating plan's tables and rounds offered (the page's datalists).
    table_label = StringField(_l("Table (group work)"),
                              render_kw={"maxlength": MAX_LABEL, "list": "tables"})
    round_label = StringField(_l("Round (optional)"),
                              render_kw={"maxlength": MAX_LABEL, "list": "rounds"})
    file = _file_field()
    personal_data = BooleanField(_l("Holds personal data"), description=_PERSONAL_HINT)
