"""The materials page of a gathering (slides per programme item; group work and notes for the
host and the directorate), uploading, downloading and deleting; and a participant's download
of the slides through their private link.

Uploads may be larger than the app's request limit (``MAX_CONTENT_LENGTH``): the upload
routes raise it to ``MATERIALS_MAX_BYTES`` and a little for the form's other fields, before
any of the app's checks reads the body. A body past that, and a file name the app refuses
outright (a NUL), are answered on the same page with the message beside the file field.
"""

import unicodedata
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError
from eventapp.core.hostile import MalformedInput
from eventapp.core.web import attempt, errors_to_form
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.materials import bp, services
from eventapp.materials.forms import NoteForm, SlidesForm
from eventapp.materials.models import NOTE_KINDS
from eventapp.materials.services import storage

UPLOADS = {"materials.upload_slides": "slides", "materials.upload_note": "notes"}
# Room for the form's other fields (the token, the labels, the tick) beside the file.
FORM_SLACK = 64 * 1024


@bp.url_value_preprocessor
def _upload_limit(endpoint, _values):
    # URL value preprocessors run before every before_request function, so the larger limit
    # is in place when the app's input checks and the CSRF check first read the form.
    if endpoint in UPLOADS:
        request.max_content_length = services.limit() + FORM_SLACK


def _gathering(gathering_id: int, action: str | None = None) -> Gathering:
    return policy.load(Gathering, gathering_id, action)


def _slides_form(gathering: Gathering, **kwargs) -> SlidesForm:
    form = SlidesForm(prefix="slides", **kwargs)
    form.item.choices = [("", _("Choose an item"))] + [
        (str(item.id), f"{item.title} ({item.starts_at.strftime('%d.%m')})")
        for item in services.active_items(gathering)]
    return form


def _note_form(**kwargs) -> NoteForm:
    form = NoteForm(prefix="note", **kwargs)
    form.kind.choices = [(kind, services.kind_label(kind)) for kind in NOTE_KINDS]
    return form


def _page(gathering: Gathering, *, slides_form=None, note_form=None, status: int = 200):
    may_manage = policy.can(current_user, "materials.manage", gathering, record=False)
    may_notes = policy.can(current_user, "materials.notes", gathering, record=False)
    if may_manage and slides_form is None:
        slides_form = _slides_form(gathering, formdata=None)
    if may_notes and note_form is None:
        note_form = _note_form(formdata=None)
    tables, rounds = services.table_suggestions(gathering) if may_notes else ([], [])
    return render_template(
        "materials/materials.html", gathering=gathering, items=services.active_items(gathering),
        slides=services.slides_by_item(gathering),
        notes=services.notes_for(gathering) if may_notes else [],
        slides_form=slides_form if may_manage else None,
        note_form=note_form if may_notes else None, tables=tables, rounds=rounds,
        after=services.after_gathering(gathering), limit=services.megabytes(services.limit()),
        kind_label=services.kind_label, type_names=services.TYPE_NAMES,
        megabytes=services.megabytes), status


@bp.get("/gatherings/<int:gathering_id>/materials")
@policy.requires("materials.view")
def materials(gathering_id: int):
    return _page(_gathering(gathering_id))


def _file_data(form) -> services.FileData:
    upload = form.file.data
    if not hasattr(upload, "stream"):  # nothing chosen: an empty string, or None
        return services.FileData(None, None, bool(form.personal_data.data))
    return services.FileData(upload.stream, upload.filename, bool(form.personal_data.data))


@bp.post("/gatherings/<int:gathering_id>/materials/slides")
@policy.requires("materials.manage")
def upload_slides(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = _slides_form(gathering)
    raw = form.item.data or ""
    item_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
    saved, status = attempt(form, lambda: services.add_slides(gathering, current_user, item_id,
                                                              _file_data(form)))
    if saved is None:
        return _page(gathering, slides_form=form, status=status)
    flash(_("«%(name)s» is added to «%(item)s».", name=saved.filename,
            item=saved.programme_item.title), "success")
    return redirect(url_for("materials.materials", gathering_id=gathering.id)
                    + f"#material-{saved.id}")


@bp.post("/gatherings/<int:gathering_id>/materials/notes")
@policy.requires("materials.notes")
def upload_note(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = _note_form()
    saved, status = attempt(form, lambda: services.add_note(
        gathering, current_user, form.kind.data or "", _file_data(form),
        table_label=form.table_label.data, round_label=form.round_label.data))
    if saved is None:
        return _page(gathering, note_form=form, status=status)
    flash(_("«%(name)s» is added.", name=saved.filename), "success")
    return redirect(url_for("materials.materials", gathering_id=gathering.id)
                    + f"#material-{saved.id}")


# --- refusals before the view ----------------------------------------------------------------

def _refused_upload(fields: dict, status: int, fallback: str | None):
    """The upload's page again with ``fields``' messages beside their fields, nothing saved;
    the usual error page where there is no form to put them on."""
    kind = UPLOADS.get(request.endpoint or "")
    if kind is None or not current_user.is_authenticated:
        return render_template("errors/error.html", status=status, message=fallback), status
    action = policy.action_of(current_app.view_functions[request.endpoint])
    try:
        gathering = _gathering((request.view_args or {}).get("gathering_id"), action)
    except DomainError as exc:
        return render_template("errors/error.html", status=exc.status,
                               message=exc.message), exc.status
    form = _slides_form(gathering, formdata=None) if kind == "slides" else _note_form(
        formdata=None)
    # The refusal names fields as sent («slides-file»); the form knows them by their own names.
    names = {field.name: short for short, field in form._fields.items()}
    placed = DomainError(fallback or "", fields={
        names.get(name, "file"): message for name, message in fields.items()})
    errors_to_form(form, placed)
    if kind == "slides":
        return _page(gathering, slides_form=form, status=status)
    return _page(gathering, note_form=form, status=status)


@bp.errorhandler(413)
def _too_large(_exc):
    message = _("The file is larger than %(size)s, the most a file may be.",
                size=services.megabytes(services.limit()))
    return _refused_upload({"file": message}, 413, message)


@bp.errorhandler(MalformedInput)
def _malformed(exc: MalformedInput):
    db.session.rollback()
    return _refused_upload(exc.fields or {"file": exc.message}, exc.status, exc.message)


# --- downloads ---------------------------------------------------------------------------------

# Letters that do not decompose into an ASCII letter and a mark (å does: a + ring).
_ASCII_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss"})


def content_disposition(filename: str) -> str:
    """``attachment`` with the name twice: plain ASCII for old clients, and RFC 6266's
    ``filename*`` in UTF-8, so «Økonomi og tilskudd.pdf» arrives with its letters."""
    plain = unicodedata.normalize("NFKD", filename.translate(_ASCII_LETTERS))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    plain = "".join(ch for ch in plain if ch not in '"\\' and 32 <= ord(ch) < 127) or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _send(material) -> Response:
    try:
        chunks = storage.store().chunks(material.storage_key)
    except storage.Missing:
        current_app.logger.error("material %s has no file in the store", material.id)
        abort(404)
    response = Response(chunks, mimetype=services.media_type(material), direct_passthrough=True)
    response.headers["Content-Length"] = str(material.size_bytes)
    response.headers["Content-Disposition"] = content_disposition(material.filename)
    # Never shown in the browser as something else than what it was checked to be.
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Kept by no shared cache; the app's own rule makes it no-store for anyone signed in or
    # holding a link (``security_headers``).
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/gatherings/<int:gathering_id>/materials/<int:material_id>")
@policy.requires("materials.view")
def download(gathering_id: int, material_id: int):
    gathering = _gathering(gathering_id)
    return _send(services.material_of(gathering, material_id, current_user))


@bp.route("/gatherings/<int:gathering_id>/materials/<int:material_id>/delete",
          methods=["GET", "POST"])
@policy.requires("materials.view")
def delete(gathering_id: int, material_id: int):
    gathering = _gathering(gathering_id)
    material = services.material_of(gathering, material_id, current_user)
    back = url_for("materials.materials", gathering_id=gathering.id)
    if not confirm.given():
        policy.authorize(current_user, "materials.notes" if material.is_note
                         else "materials.manage", gathering)
        lines = [_("«%(name)s» is deleted from the app, for everyone who could download it.",
                   name=material.filename),
                 _("This cannot be undone: to have it back, upload the file again.")]
        return confirm.ask(confirm.Question(
            title=_("Delete «%(name)s»?", name=material.filename), consequences=lines,
            action=url_for("materials.delete", gathering_id=gathering.id,
                           material_id=material.id),
            yes=_("Yes, delete the file"), back=back, gathering=gathering))
    if not FlaskForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "error")
        return redirect(back)
    name = material.filename
    services.delete(material, current_user)
    db.session.commit()
    flash(_("«%(name)s» is deleted.", name=name), "success")
    return redirect(back)


@bp.get("/registration/<token>/materials/<int:material_id>")
@policy.public
def participant_download(token: str, material_id: int):
    """A slide through the participant's private link, once the gathering is over."""
    from eventapp.registration.services import registration_by_token

    registration = registration_by_token(token)
    if registration is None:
        abort(404)
    return _send(services.participant_material(registration, material_id))


@bp.app_template_global("participant_materials")
def participant_materials(registration) -> list[tuple]:
    """(item, [slides]) for the participant's page (``registration/manage.html``)."""
    return services.participant_slides(registration)
