"""Static files reach a browser compressed and under names that carry a hash of their content:
kept for a year, and a change gives a new address; plotly.js the same way, on chart pages only."""

import gzip
import hashlib
import posixpath
import re
from pathlib import Path

import brotli
import pytest

from eventapp.core import assets
from eventapp.reporting.charts import PLOTLYJS, plotlyjs_path
from tests.conftest import login
from tests.reporting.builders import Builder, Plan

HASHED = re.compile(r"\.([0-9a-f]{12})\.\w+$")
YEAR = "max-age=31536000"


def addresses(html: str) -> list[str]:
    return re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)


def get(client, url: str, encoding: str | None = None):
    response = client.get(url, headers={"Accept-Encoding": encoding} if encoding else {})
    body = response.data
    response.close()
    return response, body


def test_pages_name_their_files_by_a_hash_of_what_is_served(client, places):
    html = client.get("/account/login").get_data(as_text=True)
    urls = addresses(html)
    assert [re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", u) for u in urls[:4]] == [
        "/static/vendor/designsystemet-theme/designsystemet.css",
        "/static/vendor/designsystemet-css/index.css", "/static/vendor/inter/inter.css",
        "/static/css/app.css"]
    for url in urls:
        response, body = get(client, url)
        assert response.status_code == 200, url
        # The name's hash is that of the content: a change of the file changes the address.
        assert HASHED.search(url)[1] == hashlib.sha256(body).hexdigest()[:12], url


@pytest.mark.parametrize("name", ["css/app.css", "js/charts.js", PLOTLYJS])
def test_files_are_sent_compressed_and_kept_for_a_year(app, client, name):
    url = "/static/" + app.extensions["assets"][name]
    plain, original = get(client, url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    if name == PLOTLYJS:
        with open(plotlyjs_path(), "rb") as f:  # the installed package's own file
            assert original == f.read()
    else:
        assert original == (Path(app.static_folder) / name).read_bytes()

    zipped, body = get(client, url, "gzip, deflate")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == original and len(body) < len(original) * 0.8
    squeezed, body = get(client, url, "gzip, deflate, br")
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == original and len(body) < len(original) * 0.8
    for response in (plain, zipped, squeezed):
        assert response.headers["Vary"] == "Accept-Encoding"
        cache = [part.strip() for part in response.headers["Cache-Control"].split(",")]
        assert YEAR in cache and "immutable" in cache and "public" in cache
        # Served ahead of Flask, yet with the app's headers.
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    if name == PLOTLYJS:
        # 4.8 MB as it is, about 1.4 MB as gzip.
        assert len(original) > 4_000_000 and len(gzip.compress(original)) < 1_600_000


def test_fonts_named_by_the_stylesheet_are_hashed_too(app, client):
    url = "/static/" + app.extensions["assets"]["vendor/inter/inter.css"]
    css = get(client, url)[1].decode()
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert len(fonts) == 8
    for font in fonts:
        assert HASHED.search(font), font
        response, _body = get(client, posixpath.join(posixpath.dirname(url), font))
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]


def test_unknown_or_tampered_names_are_not_found(app, client):
    hashed = app.extensions["assets"]["css/app.css"]
    digest = HASHED.search(hashed)[1]
    tampered = hashed.replace(digest, ("0" if digest[0] != "0" else "1") + digest[1:])
    for url in (f"/static/{tampered}", "/static/css/app.000000000000.css",
                "/static/css/nothing.0123456789ab.css", "/static/css/", "/static/../wsgi.py",
                "/static/%2e%2e/wsgi.py", f"/static/{hashed}.gz", f"/static/{hashed}.br"):
        response = client.get(url)
        assert response.status_code == 404, url
    # The plain name still answers (an old bookmark), only not for a year.
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in (plain.headers.get("Cache-Control") or "")


def test_hsts_on_static_files_when_cookies_are_secure(app, client):
    url = "/static/" + app.extensions["assets"]["css/app.css"]
    assert "Strict-Transport-Security" not in client.get(url).headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "includeSubDomains" in client.get(url, base_url="https://localhost").headers[
        "Strict-Transport-Security"]


def test_plotly_only_on_pages_with_charts(db, client, places, make_user):
    builder = Builder(make_user)
    builder.add(Plan("46", year=2025, granted=44_000, report="approved"))
    db.session.commit()
    login(client, builder.directorate.email)
    with_charts = client.get("/reports/national?year=2025").get_data(as_text=True)
    assert any("/static/vendor/plotly/plotly.min." in u for u in addresses(with_charts))
    for url in ("/reports/national?year=2019", "/", "/gatherings/", "/places/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "plotly" not in response.get_data(as_text=True), url


def test_a_change_gives_a_new_name_and_the_old_copy_stays(tmp_path):
    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    (static / "fonts" / "f.woff2").write_bytes(b"font one")
    (static / "site.css").write_text("@font-face { src: url('fonts/f.woff2') format('woff2'); }\n"
                                     "body { background: url(data:image/png;base64,AAAA); }\n"
                                     + "p { margin: 0 }\n" * 100)
    out = tmp_path / "out"
    first = assets.build(assets.sources(static, {}), out)
    css = (out / first["site.css"]).read_text()
    assert f"url('fonts/{first['fonts/f.woff2'].split('/')[-1]}')" in css
    assert "url(data:image/png;base64,AAAA)" in css
    assert (out / (first["site.css"] + ".gz")).exists() and (out / (first["site.css"] + ".br")).exists()
    # Fonts are compressed already: no copies.
    assert not (out / (first["fonts/f.woff2"] + ".gz")).exists()

    # A new font changes the font's name, and so the stylesheet's too.
    (static / "fonts" / "f.woff2").write_bytes(b"font two")
    second = assets.build(assets.sources(static, {}), out)
    assert second["fonts/f.woff2"] != first["fonts/f.woff2"]
    assert second["site.css"] != first["site.css"]
    assert (out / first["site.css"]).exists()  # pages still open in a browser keep theirs
    # An unchanged source keeps its name.
    assert assets.build(assets.sources(static, {}), out) == second
