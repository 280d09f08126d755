"""Ask before an action that cannot simply be taken back (Designsystemet's Dialog, as a page so
it works without JavaScript).

The button for such an action is a link (GET) to a confirmation page that says what will happen
and to whom; its "Yes, ..." form posts to the action's own route with ``confirmed=1`` and the
CSRF token, and "Cancel" goes back. The route does the action only when ``given()``: a stale
one-click form, a script or a double submit without the field changes nothing and is shown the
question instead. Each view adds only its words::

    question = confirm.Question(title=..., consequences=[...], action=url, yes=_("Yes, ..."),
                                back=url)
    if not confirm.given():
        return confirm.ask(question)
"""

from dataclasses import dataclass, field

from flask import render_template, request
from flask_wtf import FlaskForm

FIELD = "confirmed"


@dataclass
class Question:
    """What the confirmation page says and where its buttons lead."""

    title: str
    consequences: list[str]
    action: str  # where "Yes" posts
    yes: str  # the button's words: "Yes, cancel Kari's registration"
    back: str  # where "Cancel" leads: the page the button was on
    lead: str | None = None
    # Values filled in before (an amount, a comment) carried to the action unchanged.
    carry: dict[str, str] = field(default_factory=dict)
    # Fields to fill in on the page itself (a reason), rendered by _forms.field.
    form: FlaskForm | None = None
    fields: list[str] = field(default_factory=list)
    gathering: object | None = None  # shows the gathering's name and sub-navigation
    danger: bool = True


def given() -> bool:
    """Whether the request is the confirmation page's own submission."""
    return request.method == "POST" and request.form.get(FIELD) == "1"


def ask(question: Question, status: int = 200):
    """The confirmation page for ``question``."""
    return render_template("_confirm.html", question=question,
                           confirm_form=question.form or FlaskForm(), confirm_field=FIELD), status
