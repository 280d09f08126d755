"""Translations: every string in the code has a Norwegian (nb) text, the compiled catalog is current,
and the language switch works.

When the first two tests fail, update the translations with the commands in the README
("Translations"): extract, update, translate what is listed, compile.
"""

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.conftest import get_csrf

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "eventapp" / "translations"
NB_PO = TRANSLATIONS / "nb" / "LC_MESSAGES" / "messages.po"
NB_MO = TRANSLATIONS / "nb" / "LC_MESSAGES" / "messages.mo"
# The keywords the README's extract command adds to Babel's defaults (-k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _method_map():
    try:
        from babel.messages.frontend import parse_mapping_cfg as parse
    except ImportError:  # older Babel
        from babel.messages.frontend import parse_mapping as parse
    with BABEL_CFG.open(encoding="utf-8") as f:
        return parse(f, str(BABEL_CFG))


def _extracted() -> dict[tuple, list[str]]:
    """(msgid, context) -> where it is used, freshly from the code and templates."""
    method_map, options_map = _method_map()
    found: dict[tuple, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


def _read_po(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="nb")


def _translated(entry) -> bool:
    strings = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
    return bool(strings) and all(s and s.strip() for s in strings)


def test_babel_cfg_covers_python_and_templates():
    found = _extracted()
    files = {place.split(":")[0].replace("\\", "/") for places in found.values() for place in places}
    assert any(f.startswith("eventapp/") and f.endswith(".py") for f in files)
    assert any(f.startswith("templates/") and f.endswith(".html") for f in files)
    assert any(f.startswith("templates/mail/") and f.endswith(".txt") for f in files)
    ids = {message if isinstance(message, str) else message[0] for message, _ctx in found}
    for expected in ("Log in", "Log in to see this page.",
                     "Activate your account for the career guidance gatherings"):
        assert expected in ids


def test_every_string_has_a_norwegian_translation():
    catalog = _read_po(NB_PO)
    problems = []
    for (message, context), places in sorted(_extracted().items(), key=lambda item: item[1][0]):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid, context)
        where = ", ".join(places[:3])
        if entry is None:
            problems.append(f"missing:      {msgid!r}  ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy:        {msgid!r}  ({where})")
        elif not _translated(entry):
            problems.append(f"untranslated: {msgid!r}  ({where})")
        elif isinstance(message, tuple) and not entry.pluralizable:
            problems.append(f"not plural:   {msgid!r}  ({where})")
    assert not problems, (
        f"{len(problems)} string(s) lack an nb translation in {NB_PO.relative_to(ROOT)}. Extract, "
        "update and translate them (README, 'Translations'):\n  " + "\n  ".join(problems)
    )


def test_no_fuzzy_or_broken_entries_in_the_nb_catalog():
    catalog = _read_po(NB_PO)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries are not used at run time; check and clear them: {fuzzy}"
    # Babel's checkers: placeholders such as %(name)s must match the msgid, plurals complete.
    errors = [(message.id, [str(e) for e in errs]) for message, errs in catalog.check()]
    assert not errors, errors


def test_compiled_catalog_is_up_to_date():
    assert NB_MO.exists(), f"{NB_MO.relative_to(ROOT)} is missing: run pybabel compile"
    fresh = io.BytesIO()
    write_mo(fresh, _read_po(NB_PO))
    fresh.seek(0)
    with NB_MO.open("rb") as f:
        committed = read_mo(f)
    expected = read_mo(fresh)

    def contents(catalog):
        return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context):
                (m.string if isinstance(m.string, str) else tuple(m.string))
                for m in catalog if m.id}

    assert contents(committed) == contents(expected), (
        "messages.mo differs from messages.po: run "
        "pybabel compile -d eventapp/translations"
    )


@pytest.mark.parametrize(("language", "expected"), [("nb", "Fylkesvert"), ("en", "County host")])
def test_python_strings_are_translated(app, language, expected):
    from flask_babel import force_locale

    from eventapp.core.access import Role, role_label

    with app.test_request_context(), force_locale(language):
        assert role_label(Role.COUNTY_HOST) == expected


def test_templates_follow_the_locale_within_a_request(app):
    # eventapp/core/translations.py keeps the request's catalogue: a forced locale (a mail in
    # the recipient's language) must still be read in that language, and the request's own
    # after it.
    from flask import render_template_string
    from flask_babel import force_locale

    page = ("{{ _('Log in') }}|{{ ngettext('%(num)d answered', '%(num)d answered', 2) }}|"
            "{{ _('Hello %(name)s', name='<b>') }}|{{ _('100 %%') }}|"
            "{% trans n=3 %}{{ n }} x{% endtrans %}")
    with app.test_request_context(headers={"Cookie": "lang=nb"}):
        first = render_template_string(page)
        with force_locale("en"):
            forced = render_template_string(page)
        again = render_template_string(page)
    assert first == again == "Logg inn|2 har svart|Hello &lt;b&gt;|100 %|3 x"
    assert forced == "Log in|2 answered|Hello &lt;b&gt;|100 %|3 x"


def _page(client) -> str:
    response = client.get("/account/login")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _switch(client, language: str):
    token = get_csrf(client, "/account/login")
    return client.post("/language", data={"language": language, "next": "/account/login",
                                          "csrf_token": token})


def _assert_norwegian(page: str):
    assert '<html lang="nb">' in page
    assert "Logg inn" in page
    assert "Log in" not in page


def _assert_english(page: str):
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "Logg inn" not in page


def test_norwegian_is_the_default(client):
    _assert_norwegian(_page(client))
    assert client.get_cookie("lang") is None


def test_switching_language_sticks_and_can_be_switched_back(client):
    response = _switch(client, "en")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/login")
    assert client.get_cookie("lang").value == "en"
    _assert_english(_page(client))
    _assert_english(_page(client))  # the cookie keeps it on the next request

    _switch(client, "nb")
    assert client.get_cookie("lang").value == "nb"
    _assert_norwegian(_page(client))
    _assert_norwegian(_page(client))


@pytest.mark.parametrize("start", [None, "en"])
def test_unknown_language_changes_nothing(client, start):
    if start:
        _switch(client, start)
    response = _switch(client, "de")
    assert response.status_code == 302
    if start:
        assert client.get_cookie("lang").value == start
        _assert_english(_page(client))
    else:
        assert client.get_cookie("lang") is None
        _assert_norwegian(_page(client))
