"""Materials' workflows: attach a file to a programme item (slides, handouts) or to the
gathering (a table's group-work notes, the host's and the directorate's notes), list what a
viewer may see, hand a file out, delete it, and purge those that hold personal data.
Functions flush, never commit.

Who sees what (``core.policy``): slides go to the directorate, the county's host and the
programme committee (``materials.view``), who also add and remove them apart from the
directorate (``materials.manage``); group work and notes to the host and the directorate only
(``materials.notes``). Participants read the slides through their private link once the
gathering is over (``participant_slides``), never the notes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.materials.models import KINDS, MAX_LABEL, NOTE_KINDS, Material
from eventapp.materials.services import files, storage
from eventapp.materials.services.files import TYPES

TYPE_NAMES = {"pdf": "PDF", "pptx": "PowerPoint (.pptx)", "docx": "Word (.docx)",
              "xlsx": "Excel (.xlsx)", "png": "PNG", "jpeg": "JPEG"}


def limit() -> int:
    return int(current_app.config["MATERIALS_MAX_BYTES"])


def megabytes(size: int) -> str:
    """«25 MB», «2,5 MB», «340 kB», «332 byte»: sizes as people read them (1 MB is 1 000 000
    bytes, as file managers and mail programs count them)."""
    from flask_babel import ngettext

    if size >= 1_000_000:
        value = size / 1_000_000
        return format_decimal(round(value, 1) if value < 10 else round(value), "#,##0.#") + " MB"
    if size >= 1_000:
        return format_decimal(round(size / 1_000), "#,##0") + " kB"
    return ngettext("%(num)d byte", "%(num)d bytes", size)


def today() -> date:
    return datetime.now(OSLO).date()


def after_gathering(gathering: Gathering, on: date | None = None) -> bool:
    """Whether the gathering's last day is over: participants get the slides then."""
    return (on or today()) > gathering.end_date


# --- checking the upload --------------------------------------------------------------------

def _message(refused: files.Refused) -> str:
    params = refused.params
    allowed = ", ".join(TYPE_NAMES.values())
    if refused.code == "long_name":
        return _("The file name is longer than %(num)d characters. Rename the file and try "
                 "again.", num=params["limit"])
    if refused.code == "name":
        return _("The file name must end in the file's type: .pdf, .pptx, .docx, .xlsx, .png "
                 "or .jpg.")
    if refused.code == "too_big":
        return _("The file is larger than %(size)s, the most a file may be.",
                 size=megabytes(params["limit"]))
    if refused.code == "empty":
        return _("The file is empty.")
    if refused.code == "mismatch":
        return _("The file is called .%(extension)s but is a %(type)s file. Give it the right "
                 "ending and try again.", extension=params["extension"],
                 type=TYPE_NAMES[params["file_type"]])
    return _("This kind of file cannot be added. Allowed: %(types)s.", types=allowed)


def _text(value: str | None) -> str | None:
    return files.clean_text(value) or None


@dataclass
class FileData:
    """What the form sends with a file: the file itself and the uploader's tick."""

    stream: BinaryIO | None
    filename: str | None
    personal_data: bool = False


def _accept(gathering: Gathering, data: FileData, fields: dict) -> files.Upload | None:
    """The upload checked, or None with the reason in ``fields['file']``."""
    if data.stream is None or not data.filename:
        fields["file"] = _("Choose a file to upload.")
        return None
    if data.personal_data and gathering.status == "reported":
        # The purge of personal data comes after the approved report: a file added now with
        # personal data could outlive it.
        fields["personal_data"] = _("The final report is approved and the gathering's "
                                    "personal data is being deleted: files with personal data "
                                    "can no longer be added.")
    try:
        return files.check(data.stream, data.filename, limit())
    except files.Refused as refused:
        fields["file"] = _message(refused)
        return None


def _save(gathering: Gathering, actor, upload: files.Upload, data: FileData,
          **where) -> Material:
    try:
        key = storage.put(db.session, upload.data, upload.media_type)
    finally:
        upload.data.close()
    material = Material(gathering_id=gathering.id, filename=upload.filename,
                        file_type=upload.file_type, size_bytes=upload.size, storage_key=key,
                        personal_data=bool(data.personal_data), uploaded_by_id=actor.id,
                        **where)
    db.session.add(material)
    db.session.flush()
    return material


def add_slides(gathering: Gathering, actor, item_id: int | None, data: FileData) -> Material:
    """A file for a programme item of ``gathering``: its slides or a handout."""
    policy.authorize(actor, "materials.manage", gathering)
    fields: dict = {}
    item = db.session.get(ProgrammeItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.gathering_id != gathering.id or item.cancelled_at is not None:
        fields["item"] = _("Choose an item of the programme.")
    upload = _accept(gathering, data, fields)
    if fields:
        if upload is not None:
            upload.data.close()
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return _save(gathering, actor, upload, data, kind="slides", programme_item_id=item.id)


def add_note(gathering: Gathering, actor, kind: str, data: FileData, *,
             table_label: str | None = None, round_label: str | None = None) -> Material:
    """A file for the gathering: a table's group-work notes (``table_label``, ``round_label``)
    or the host's or the directorate's notes."""
    policy.authorize(actor, "materials.notes", gathering)
    fields: dict = {}
    table_label, round_label = _text(table_label), _text(round_label)
    if kind not in NOTE_KINDS:
        fields["kind"] = _("Choose group work or notes.")
    elif kind == "group_work":
        if not table_label:
            fields["table_label"] = _("Say which table the notes are from.")
        for name, value in (("table_label", table_label), ("round_label", round_label)):
            if value and len(value) > MAX_LABEL:
                fields[name] = _("Keep it to %(num)d characters.", num=MAX_LABEL)
    else:
        table_label = round_label = None
    upload = _accept(gathering, data, fields)
    if fields:
        if upload is not None:
            upload.data.close()
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return _save(gathering, actor, upload, data, kind=kind, table_label=table_label,
                 round_label=round_label)


def delete(material: Material, actor) -> None:
    """Remove the row now and its file once the transaction commits."""
    policy.authorize(actor, "materials.notes" if material.is_note else "materials.manage",
                     material.gathering)
    storage.delete_after_commit(db.session, material.storage_key)
    db.session.delete(material)
    db.session.flush()


def purge_personal(gathering: Gathering) -> int:
    """Delete the gathering's files marked as holding personal data (rows now, files after
    commit); the grants' purge calls this with the rest of the personal data."""
    doomed = db.session.scalars(select(Material).where(
        Material.gathering_id == gathering.id, Material.personal_data.is_(True))).all()
    for material in doomed:
        storage.delete_after_commit(db.session, material.storage_key)
        db.session.delete(material)
    db.session.flush()
    return len(doomed)


# --- reading ---------------------------------------------------------------------------------

def may_see(viewer, material: Material) -> bool:
    action = "materials.notes" if material.is_note else "materials.view"
    return policy.can(viewer, action, material.gathering, record=False)


def material_of(gathering: Gathering, material_id: int, viewer) -> Material:
    """The gathering's material for ``viewer``; NotFound also for a note they may not read, so
    a note's existence is not told."""
    material = db.session.get(Material, material_id)
    if material is None or material.gathering_id != gathering.id or not may_see(viewer, material):
        raise NotFound(_("No such file."))
    return material


def _ordered(stmt):
    return db.session.scalars(stmt.order_by(Material.uploaded_at, Material.id)).all()


def slides_by_item(gathering: Gathering) -> dict[int, list[Material]]:
    by_item: dict[int, list[Material]] = defaultdict(list)
    for material in _ordered(select(Material).where(Material.gathering_id == gathering.id,
                                                    Material.kind == "slides")):
        by_item[material.programme_item_id].append(material)
    return by_item


def notes_for(gathering: Gathering) -> list[Material]:
    return list(_ordered(select(Material).where(Material.gathering_id == gathering.id,
                                                Material.kind.in_(NOTE_KINDS))))


def active_items(gathering: Gathering) -> list[ProgrammeItem]:
    return [item for item in gathering.items if item.cancelled_at is None]


def participant_slides(registration, on: date | None = None) -> list[tuple]:
    """(item, [slides]) for the participant's own page: confirmed, and the gathering over."""
    if registration is None or registration.status != "confirmed" \
            or not after_gathering(registration.gathering, on):
        return []
    by_item = slides_by_item(registration.gathering)
    return [(item, by_item[item.id]) for item in active_items(registration.gathering)
            if by_item.get(item.id)]


def participant_material(registration, material_id: int) -> Material:
    """A slide the participant may download, else NotFound."""
    for _item, materials in participant_slides(registration):
        for material in materials:
            if material.id == material_id:
                return material
    raise NotFound(_("No such file."))


def table_suggestions(gathering: Gathering) -> tuple[list[str], list[str]]:
    """The seating plan's table names and rounds, offered (not required) for group work."""
    from eventapp.seating.models import SeatingRound, SeatingTable

    tables = db.session.scalars(select(SeatingTable.name).where(
        SeatingTable.gathering_id == gathering.id).order_by(SeatingTable.position,
                                                            SeatingTable.id)).all()
    rounds = db.session.scalars(select(SeatingRound).where(
        SeatingRound.gathering_id == gathering.id).order_by(SeatingRound.position)).all()
    return list(tables), [_("Round %(n)d", n=n) for n, _round in enumerate(rounds, start=1)]


def kind_label(kind: str) -> str:
    return {"slides": _("Slides or handout"), "group_work": _("Group work"),
            "notes": _("Notes")}.get(kind, kind)


def media_type(material: Material) -> str:
    return TYPES[material.file_type][0]


__all__ = ["KINDS", "FileData", "add_note", "add_slides", "delete", "purge_personal"]
