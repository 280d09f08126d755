"""Static files as a browser should get them: under a name that carries a hash of the content
(``css/app.3f2a9c41d0be.css``), so that a browser may keep each for a year and a change reaches it
at once under a new address, and compressed (brotli, else gzip) when the browser accepts it.

At start the app copies every file of ``static/`` (and plotly.js from the plotly package) into
ASSETS_DIR (``instance/assets`` unless set) under its hashed name, beside ``.br`` and ``.gz``
copies made by WhiteNoise's compressor; CSS is rewritten first so that its ``url(...)``s (the
fonts) name the hashed files too. A copy already there is not made again: only the first start
after an install or an edit pays for the compression. WhiteNoise then serves the hashed copies
ahead of Flask, picking the encoding per request. Templates keep writing
``url_for('static', filename='css/app.css')``: the name is swapped for the hashed one as the
address is built. Plain names still reach Flask's own static route (short caching), and an
unknown or stale hash is a 404 there.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from whitenoise import WhiteNoise

HASH_LENGTH = 12
YEAR = 365 * 24 * 3600

# url(x), url('x'), url("x") in CSS; references to data:, other hosts or the site root are left.
_CSS_URL = re.compile(rb"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


def hashed_name(name: str, data: bytes) -> str:
    """``dir/file.min.js`` as ``dir/file.min.<hash>.js``: the last suffix stays, so the type
    (and WhiteNoise's media type) is still read from it."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def sources(static_root: Path, extra: dict[str, str]) -> dict[str, Path]:
    """Every file to serve by its name under /static/: the static folder's (hidden ones left
    out), and ``extra`` files from elsewhere under the names given."""
    found = {path.relative_to(static_root).as_posix(): path for path in static_root.rglob("*")
             if path.is_file() and not any(part.startswith(".")
                                           for part in path.relative_to(static_root).parts)}
    found.update({name: Path(path) for name, path in extra.items()})
    return found


def _rewrite_css(name: str, data: bytes, manifest: dict[str, str]) -> bytes:
    folder = PurePosixPath(name).parent

    def swap(match: re.Match) -> bytes:
        quote, ref = match[1], match[2].decode()
        if ref.startswith(("data:", "/", "#")) or "//" in ref:
            return match[0]
        path, mark, rest = ref.partition("?") if "?" in ref else ref.partition("#")
        target = os.path.normpath(str(folder / path)).replace(os.sep, "/")
        if target not in manifest:
            return match[0]
        hashed = str(PurePosixPath(path).with_name(PurePosixPath(manifest[target]).name))
        return b"url(" + quote + (hashed + mark + rest).encode() + quote + b")"

    return _CSS_URL.sub(swap, data)


def build(files: dict[str, Path], out: Path) -> dict[str, str]:
    """Write each file's hashed copy (and its compressed copies) into ``out`` unless there, and
    answer the manifest: name -> hashed name. CSS comes last, so the files it names are known."""
    manifest: dict[str, str] = {}
    for name in sorted(files, key=lambda n: (n.endswith(".css"), n)):
        data = files[name].read_bytes()
        if name.endswith(".css"):
            data = _rewrite_css(name, data, manifest)
        manifest[name] = hashed_name(name, data)
        target = out / manifest[name]
        if not target.exists():
            _write(target, data)
    return manifest


def _write(target: Path, data: bytes) -> None:
    # Staged in a folder of its own and moved in place compressed copies first: another process
    # starting at the same time (a second gunicorn worker) either finds the file with its
    # copies or makes them itself, never a half-written one.
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as staging:
        staged = Path(staging) / target.name
        staged.write_bytes(data)
        compressor = _compressor()
        if compressor.should_compress(target.name):
            for copy in compressor.compress(str(staged)):
                os.replace(copy, target.parent / Path(copy).name)
        os.replace(staged, target)


def _compressor():
    import brotli
    from whitenoise.compress import Compressor

    class Quick(Compressor):
        # Brotli's top quality (11, WhiteNoise's choice) took 7 s on plotly.js at every fresh
        # install and in every fresh test checkout; quality 9 takes a tenth of a second for
        # a file about 10 % larger (1.23 MB against 1.11 MB).
        @staticmethod
        def compress_brotli(data):
            return brotli.compress(data, quality=9)

    return Quick(quiet=True)


class StaticFiles(WhiteNoise):
    """WhiteNoise over the hashed copies only: each may be kept for a year, unchanged. Its
    answers bypass Flask, so they are given the app's security headers here."""

    FOREVER = YEAR

    def __init__(self, application, out: Path, manifest: dict[str, str], prefix: str,
                 headers: Callable[[], list[tuple[str, str]]]):
        super().__init__(application, max_age=None, allow_all_origins=False,
                         immutable_file_test=lambda path, url: True)
        for hashed in manifest.values():
            self.add_file_to_dictionary(prefix + hashed, str(out / hashed))
        self._headers = headers

    def serve(self, static_file, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, list(headers) + self._headers(), exc_info)

        return super().serve(static_file, environ, start)


def init_app(app, extra: dict[str, str], headers: Callable[[], list[tuple[str, str]]]) -> None:
    """Build the hashed copies, serve them ahead of the app, and let url_for('static') name
    them. ``headers`` gives the headers every answer carries (read per request, as the app's
    configuration may change)."""
    out = Path(app.config.get("ASSETS_DIR") or Path(app.instance_path) / "assets")
    prefix = app.static_url_path + "/"
    manifest = build(sources(Path(app.static_folder), extra), out)
    app.extensions["assets"] = manifest

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and (hashed := manifest.get(values.get("filename"))):
            values["filename"] = hashed

    static = StaticFiles(app.wsgi_app, out, manifest, prefix, headers)
    app.wsgi_app = static
    if app.debug:
        # While developing, an edited file shows on the next page without a restart (the
        # reloader watches Python files only).
        @app.before_request
        def rebuild() -> None:
            for name, hashed in build(sources(Path(app.static_folder), extra), out).items():
                if manifest.get(name) != hashed:
                    static.add_file_to_dictionary(prefix + hashed, str(out / hashed))
                    manifest[name] = hashed
