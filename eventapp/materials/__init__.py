"""Materials: files attached to a programme item (slides, handouts) and to a gathering (a
table's group-work notes, the host's and the directorate's notes), kept in a folder under the
instance or in an S3-compatible bucket, checked by content and size, handed out as downloads
only; slides reach the participants after the gathering, notes only the host and the
directorate."""

from flask import Blueprint

bp = Blueprint("materials", __name__)

# Files follow the database transaction (written before the row, removed if it rolls back;
# deleted once the row's deletion commits), whoever changes them.
from eventapp.materials.services import storage as _storage  # noqa: E402

_storage.install()
