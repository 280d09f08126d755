"""The templates' gettext: what Flask-Babel and Jinja's i18n extension install, in fewer steps.

A page with a few hundred labels spent more on looking them up than on anything else in its
templates, some 20 µs a label: Flask-Babel finds the request's catalogue anew on every call
(its babel context twice, the locale, the locale's name), and Jinja's "newstyle" wrappers go
through three context calls and format every result as Markup. Here the catalogue found is
kept on the same babel context with the locale it was found for (``force_locale``, for a mail
in the recipient's language, and ``refresh`` replace that locale, so a changed one is looked up
again), and the functions are newstyle themselves, with the wrappers' behaviour: the result is
always formatted (``%%`` becomes ``%``), its variables escaped when the template autoescapes.
"""

from flask import g
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup


def translations():
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # the request's first: Flask-Babel picks the locale
        return get_translations()
    kept = getattr(ctx, "eventapp_catalogue", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    ctx.eventapp_catalogue = (locale, found)
    return found


def _formatted(context, text: str, variables: dict) -> str:
    if not context.eval_ctx.autoescape:
        return text % variables
    # The catalogue's texts are the app's own markup, as Jinja takes them; the variables are
    # escaped. Without variables nothing needs escaping: formatting the plain string is the same.
    return Markup(text) % variables if variables else Markup(text % variables)  # noqa: S704


@pass_context
def gettext(context, string: str, **variables) -> str:
    return _formatted(context, translations().ugettext(string), variables)


@pass_context
def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(context, translations().ungettext(singular, plural, num), variables)


@pass_context
def pgettext(context, string_ctx: str, string: str, **variables) -> str:
    variables.setdefault("context", string_ctx)
    return _formatted(context, translations().upgettext(string_ctx, string), variables)


@pass_context
def npgettext(context, string_ctx: str, singular: str, plural: str, num: int,
              **variables) -> str:
    variables.setdefault("context", string_ctx)
    variables.setdefault("num", num)
    return _formatted(context, translations().unpgettext(string_ctx, singular, plural, num),
                      variables)


def install(app) -> None:
    """In place of what Flask-Babel's init_app installed (after it: it sets newstyle on)."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext,
                                 pgettext=pgettext, npgettext=npgettext)
