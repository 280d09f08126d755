"""Materials in the demo: slides on the first talks of Vestland's 2027 programme and the
host's notes, as small PDFs made here. Nothing is added when the gathering has materials."""

import io

from sqlalchemy import func, select

from eventapp.extensions import db


def _pdf(title: str) -> bytes:
    """A one-page PDF saying ``title`` (ASCII only: the demo's own words)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO(b"")
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o
                                                             for o in offsets))
    out.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def demo_materials(gathering, host) -> None:
    from eventapp.materials import services
    from eventapp.materials.models import Material

    if db.session.scalar(select(func.count()).select_from(Material).where(
            Material.gathering_id == gathering.id)):
        return
    talks = [item for item in services.active_items(gathering)
             if item.kind not in ("break", "meal", "social_dinner")][:2]
    for item in talks:
        services.add_slides(gathering, host, item.id, services.FileData(
            io.BytesIO(_pdf(item.title)), f"{item.title[:60]}.pdf"))
    services.add_note(gathering, host, "notes", services.FileData(
        io.BytesIO(_pdf("Notater fra planleggingen")), "Notater fra planleggingen.pdf"))
    db.session.flush()
