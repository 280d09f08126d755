"""Hostile input: refused with a 4xx and a message before it reaches a view or the database.

PostgreSQL refuses what SQLite takes, and each refusal used to surface as a 500:

- an id in the address beyond PostgreSQL's ``integer`` ("integer out of range"): the ``int``
  URL converter is bounded app-wide to what the database holds, so such an address names
  nothing and is a 404 on every route, HTML and API alike;
- a NUL character in text (PostgreSQL's text cannot hold one) and a lone surrogate (cannot be
  encoded as UTF-8) in the address, the query string, a form or a JSON body: 400 with a
  message naming the field;
- JSON nested deeper than ``MAX_JSON_DEPTH``: measured on the raw body before it is parsed,
  so a thousand (or a million) brackets cost one pass over the bytes, never a recursion;
- a value the database still refuses (``DataError``: a number out of range, text it cannot
  hold): 422 with a message and the transaction rolled back, whichever form or body sent it.

Limits for numbers in the API's bodies live in the request schemas (``api.spec`` bounds every
integer to ``DB_INT_MIN``..``DB_INT_MAX``); services hold the limits of their own fields.
"""

import re
from itertools import accumulate

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.routing import IntegerConverter

from eventapp.core.errors import DomainError, ValidationFailed

# PostgreSQL's ``integer``, the type of every id and number column.
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)
# The API's deepest body is three levels; far more than any client needs, far less than a
# recursion limit.
MAX_JSON_DEPTH = 32


class MalformedInput(DomainError):
    """The request carries what no field can take (a NUL, a lone surrogate, JSON nested too
    deep): refused as a whole before anything runs."""

    status = 400
    code = "bad_request"


def at_most(n: int) -> str:
    """A regular expression for the decimal numbers from 0 to ``n`` (leading zeros allowed up
    to ``n``'s length): ``at_most(2147483647)`` matches 2147483647 and not 2147483648."""
    digits = str(n)
    shorter = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same_length = [f"{digits[:i]}[0-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}"
                   for i, d in enumerate(digits) if d != "0"]
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` bounded to what an id column holds. The bound is in the regular expression,
    so a larger number matches no route at all: 404, never a 405 from a route that matched the
    text and refused the number, and no conversion of thousands of digits."""

    regex = at_most(DB_INT_MAX)

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        bound = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def init_app(app) -> None:
    """Install the bounded ``int`` converter (before any route is added), the input checks
    and the answer to what the database refuses."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_malformed_input)
    app.register_error_handler(DataError, _database_refused)


# --- text the database cannot hold ---------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """What in ``value`` cannot be stored as text, in words, or None."""
    if "\x00" in value:
        return _("a NUL character (\\0), which text cannot hold")
    if _SURROGATE.search(value):
        return _("a lone surrogate (\\ud800-\\udfff), which is not valid Unicode")
    return None


def _refuse(problems: dict) -> None:
    """Refuse the request for the first field in ``problems`` (name -> what is wrong)."""
    if problems:
        name, problem = next(iter(problems.items()))
        raise MalformedInput(
            _("“%(field)s” contains %(problem)s. Remove it and send again.", field=name,
              problem=problem),
            fields={n: _("Contains %(problem)s. Remove it and send again.", problem=p)
                    for n, p in problems.items()})


def _check_pairs(pairs, problems: dict) -> None:
    for key, value in pairs:
        problem = text_problem(key) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            problems.setdefault("?" if text_problem(key) else key, problem)


def refuse_malformed_input():
    """Before any view: the address, the query string, a form and a JSON body must hold only
    text the database can store, and JSON must not be nested deeper than ``MAX_JSON_DEPTH``."""
    if problem := text_problem(request.path):
        raise MalformedInput(_("The address contains %(problem)s.", problem=problem))
    problems: dict = {}
    _check_pairs(request.args.items(multi=True), problems)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.is_json:
            _check_json(problems)
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _check_pairs(request.form.items(multi=True), problems)
            _check_pairs(((key, upload.filename or "") for key, upload in
                          request.files.items(multi=True)), problems)
    _refuse(problems)


# A string runs to its closing quote, or (unterminated) to the end; possessive, so that no
# quote inside a string that failed to close starts another scan of the rest: linear time.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.S)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes


def json_depth(data: bytes) -> int:
    """How deep ``data`` nests arrays and objects; brackets inside strings do not count.
    Nothing is parsed and nothing recurses: strings are cut out and the brackets summed,
    each step in C, so a body of a million brackets costs milliseconds."""
    steps = _JSON_STRING.sub(b"", data).translate(None, _NOT_A_BRACKET).translate(_STEPS)
    return max(accumulate(memoryview(steps).cast("b")), default=0)


def _check_json(problems: dict) -> None:
    if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        raise MalformedInput(_("The JSON body is nested more than %(n)d levels deep.",
                               n=MAX_JSON_DEPTH))
    # Walked with a stack, not recursion (the depth is bounded above anyway).
    found: dict = {}
    stack = [("", request.get_json(silent=True))]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                found.setdefault(where or "body", problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                if problem := text_problem(key):
                    found.setdefault(where or "body", problem)
                else:
                    stack.append((f"{where}.{key}" if where else key, item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), item)
                         for i, item in enumerate(value))
    problems.update(sorted(found.items()))


# --- what the database refuses all the same --------------------------------------------------

def _database_refused(exc: DataError):
    """A value the database refused as data (a number beyond its column, text it cannot hold):
    the client's input, not a fault of ours. Nothing is kept; the answer is the usual refusal."""
    from eventapp.extensions import db

    db.session.rollback()
    current_app.logger.warning("The database refused a value: %s", exc.orig)
    refusal = ValidationFailed(_("A value in the request is outside what can be stored (a number "
                                 "too large, or text the database cannot hold). Nothing was "
                                 "saved."))
    return current_app.handle_user_exception(refusal)
