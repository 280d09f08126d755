"""HTML to an archivable PDF with WeasyPrint, never reaching beyond the app's static folder.

The documents are PDF/A-3b: every font embedded (the vendored Inter), metadata kept in the file,
nothing fetched when it is opened years later. WeasyPrint needs Pango and its friends from the
system (README: "Documents")."""

import io
import logging
import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"


def static_root() -> Path:
    return Path(current_app.static_folder).resolve()


def asset(filename: str) -> str:
    """A static file as the file URL the fetcher serves (templates: ``asset('css/x.css')``)."""
    return (static_root() / filename).as_uri()


@lru_cache(maxsize=16)
def _ttf(path: Path, mtime: float) -> bytes:
    """A WOFF2 font unpacked once per process: WeasyPrint would unpack each face for every
    document, which took some three seconds of each one's rendering."""
    from fontTools.ttLib import woff2

    out = io.BytesIO()
    woff2.decompress(io.BytesIO(path.read_bytes()), out)
    return out.getvalue()


def _fetcher_class():
    # Imported when a document is made: WeasyPrint loads Pango as it is imported, and the rest
    # of the app starts without it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static folder and data: URLs; refuses everything else, so a
        template that names a web address renders without it rather than reaching out."""

        def __init__(self, root: Path):
            super().__init__(timeout=1, allowed_protocols=("file", "data"))
            self.root = root
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    if path.suffix == ".woff2":
                        return URLFetcherResponse(url, _ttf(path, path.stat().st_mtime),
                                                  {"Content-Type": "font/ttf"})
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            self.refused.append(url)
            log.warning("document: refused to fetch %s", url[:200])
            raise ValueError(f"Only the app's static files are fetched, not {url[:200]}")

    return StaticOnlyFetcher


def fetcher(root: Path | None = None):
    return _fetcher_class()(root or static_root())


def render(html: str, *, url_fetcher=None) -> bytes:
    """The PDF/A of ``html``; title, author, creation date and language come from its
    <title>, <meta name="author">, <meta name="dcterms.created"> and <html lang>."""
    from weasyprint import HTML

    url_fetcher = url_fetcher or fetcher()
    document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=url_fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
