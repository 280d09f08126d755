"""Form fields every feature can use."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.widgets import TextInput

# Spaces (also the no-break ones Norwegians write in 250 000) and a trailing ",-" are allowed.
_SEPARATORS = re.compile(r"[\s\u00a0\u202f]")


class WholeNumberField(IntegerField):
    """A whole number typed as text: ``250 000`` and ``250000`` both read as 250000.

    A text input with a numeric keyboard instead of ``type=number``, which browsers round,
    scroll and reject with their own English messages."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.message = message or _l("Give a whole number, for example 250 000.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = _SEPARATORS.sub("", valuelist[0] or "")
        raw = raw.removesuffix(",-")
        if raw == "":
            self.data = None
            return
        if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
            self.data = None
            raise ValueError(self.message)
        self.data = int(raw)
