"""The three documents, each from the data its page shows: the final report from the grant's
figures and the report's copy of the follow-up log and the survey (``grants.services``), the
decision letter from the application and the year's rule, the programme from
``programme_by_day``. Always in Norwegian (Bokmål), whatever the reader's language: the filed
copy is the county's and the directorate's record."""

import re
import time
import unicodedata
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.core.errors import NotFound
from eventapp.core.time import utcnow
from eventapp.documents import charts, pdf
from eventapp.gatherings import services as gatherings
from eventapp.gatherings.forms import item_kind_label, organisation_kind_label
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.grants.forms import attendance_label, category_label

LANG = "nb"


@dataclass(frozen=True)
class Document:
    pdf: bytes
    filename: str
    seconds: float  # how long rendering took, for the log and the benchmarks


_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"})


def filename(kind: str, gathering: Gathering) -> str:
    """``sluttrapport-vestland-2027.pdf``: ASCII, so every mail client and archive keeps it."""
    words = f"{kind} {gathering.county.name} {gathering.start_date.year}".translate(_LETTERS)
    ascii_ = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") + ".pdf"


def _actor(gathering: Gathering, subject: str, action: str):
    """The latest history line of ``action`` on ``subject``: who decided and when, by the name
    kept with it (the account may be gone)."""
    return next((h for h in grants.history(gathering, subject) if h.action == action), None)


def _common(gathering: Gathering, title: str) -> dict:
    return {"gathering": gathering, "doc_title": title, "author": gathering.county.name,
            "created": utcnow(), "asset": pdf.asset, "lang": LANG,
            "category_label": category_label, "attendance_label": attendance_label,
            "kind_label": item_kind_label, "org_label": organisation_kind_label}


def _render(template: str, name: str, gathering: Gathering, context: dict) -> Document:
    started = time.perf_counter()
    html = render_template(template, **context)
    return Document(pdf.render(html), filename(name, gathering), time.perf_counter() - started)


# --- the final report -----------------------------------------------------------------------

def final_report(gathering: Gathering) -> Document:
    """The report page's content: figures (the submitted copy once submitted), budget by
    category, the settlement, the programme as held, the survey's figures with charts, the
    follow-up actions, the approval."""
    with force_locale(LANG):
        started = time.perf_counter()
        figures = grants.figures(gathering)
        report = figures.report
        shown = grants.report_follow_up(gathering, report)
        survey = shown["survey"]
        images = {}
        if survey:
            wanted = [("responses", charts.responses_figure(survey, {
                "personal": _("Answered by their link"), "qr": _("Answered by the QR code"),
                "silent": _("Invited, not answered"), "axis": _("Responses")}))]
            if survey["agreement"]:
                wanted.append(("agreement", charts.agreement_figure(survey["agreement"])))
            drawn = charts.svg_images([figure for _key, figure in wanted])
            images = {key: url for (key, _figure), url in zip(wanted, drawn, strict=True)}
        approval = _actor(gathering, "report", "approved") \
            if report is not None and report.status == "approved" else None
        context = {
            **_common(gathering, _("Final report: %(title)s", title=gathering.title)),
            "figures": figures, "report": report,
            "groups": grants.budget_by_category(gathering),
            "days": gatherings.programme_by_day(gathering),
            "log_actions": shown["actions"], "survey": survey, "percent": grants.percent,
            "images": images, "approval": approval,
            "report_status": {"none": _("Not started"), "draft": _("Draft"),
                              "submitted": _("Submitted, awaiting review"),
                              "returned": _("Sent back to the county"),
                              "approved": _("Approved")}[figures.report_status]}
        html = render_template("documents/final_report.html", **context)
        return Document(pdf.render(html), filename(_("final report"), gathering),
                        time.perf_counter() - started)


# --- the decision letter --------------------------------------------------------------------

def decision_letter(gathering: Gathering) -> Document:
    """The directorate's decision: amount, conditions (its comment and the year's rule) and
    who decided. Only once the grant is decided."""
    application = grants.application_for(gathering)
    if application is None or application.status != "decided":
        raise NotFound(_("The grant is not decided yet, so there is no decision letter."))
    with force_locale(LANG):
        figures = grants.figures(gathering)
        context = {
            **_common(gathering, _("Grant decision: %(title)s", title=gathering.title)),
            "figures": figures, "application": application,
            "decision": _actor(gathering, "application", "decided"),
            "purge_months": grants.rules_for(gathering.start_date.year).purge_after_months,
        }
        return _render("documents/decision.html", _("grant decision"), gathering, context)


# --- the programme --------------------------------------------------------------------------

def programme(gathering: Gathering) -> Document:
    with force_locale(LANG):
        context = {**_common(gathering, _("Programme: %(title)s", title=gathering.title)),
                   "days": gatherings.programme_by_day(gathering)}
        return _render("documents/programme.html", _("programme"), gathering, context)
