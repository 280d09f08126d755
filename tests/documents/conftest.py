"""Fixtures for the documents: the grant's held gathering in Vestland with a programme, people
checked in, a decided grant, a budget, an answered survey, a follow-up action and an approved
report; and helpers that read a PDF back with pypdf."""

import io
import re
from datetime import date
from html import unescape

import pytest

from eventapp.followup import services as followup
from eventapp.grants import services
from tests.grants.conftest import (  # noqa: F401
    add_attended,
    add_person,
    as_user,
    decide_grant,
    page_figures,
    spend,
    world,
)
from tests.surveys.conftest import add_items, open_survey, question, submit


def pdf_reader(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def pdf_text(reader) -> str:
    """The whole text, with runs of white space (no-break spaces too) as one space."""
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def html_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def survey_answers(db, gathering, host, *, agree: int, disagree: int, qr: int) -> int:
    """``agree + disagree`` invitees and ``qr`` by the QR code answer the cooperation
    question; returns how many were invited."""
    from eventapp.surveys import services as surveys

    survey = open_survey(db, gathering, host)
    tokens = surveys.invite(survey, host)
    db.session.commit()
    coop = question(survey, "cooperation")
    values = ["helt_enig"] * agree + ["helt_uenig"] * disagree
    for token, value in zip(tokens.values(), values, strict=False):
        submit(db, token, {str(coop.id): value})
    for _ in range(qr):
        submit(db, survey.qr_token, {str(coop.id): "delvis_enig"})
    return len(tokens)


@pytest.fixture
def reported(db, world):  # noqa: F811 (the grant tests' fixture)
    """Held, 23 attended (20 municipal, 2 county, 1 partner) plus a speaker not counted,
    250 000 granted, 210 000 spent, the survey answered, one action, approved."""
    g, host, hkdir = world["gathering"], world["host"], world["directorate"]
    add_items(db, g, kinds=("talk", "panel", "group_work"))
    add_attended(db, g, 20)
    add_person(db, g, kind="county", day2=None)
    add_person(db, g, kind="county")
    add_person(db, g, kind="partner")
    add_person(db, g, kind="county", role="speaker")
    add_person(db, g, day1=None, day2=None)  # registered, never came
    decide_grant(db, g, host, hkdir, planned=65, applied=250_000, granted=250_000,
                 comment="Tilskuddet gjelder samlingen slik søknaden beskriver den.")
    spend(db, g, host, 150_000, planned=160_000, category="venue", description="Hotell og saler")
    spend(db, g, host, 60_000, planned=70_000, category="meals", description="Lunsj og middag")
    invited = survey_answers(db, g, host, agree=5, disagree=1, qr=4)
    followup.add_item(g, host, followup.ItemData(
        kind="input", raised="Kommunene vil ha et bookingsystem", raised_by="Bodø kommune",
        action="Karrieresenteret setter opp booking av veiledning", owner="Karrieresenteret",
        status="in_progress", due_on=date(2027, 9, 1)))
    db.session.commit()
    services.save_report(g, host, follow_up_actions="Vi følger opp kommunene i mai.",
                         remarks="Godt oppmøte.")
    services.submit_report(g, host)
    services.approve_report(services.report_for(g), hkdir, "Godkjent.")
    db.session.commit()
    return {**world, "invited": invited}


def fonts_embedded(reader) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font descriptor reachable from the trailer: the text's
    and the SVG charts' alike."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen, found = set(), []

    def walk(obj):
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                return
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if obj.get("/Type") == "/FontDescriptor":
                found.append((str(obj.get("/FontName")),
                              any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
            for key in obj:
                if key != "/Parent":
                    walk(obj.raw_get(key))
        elif isinstance(obj, ArrayObject):
            for item in obj:
                walk(item)

    walk(reader.trailer)
    return found


def figure_text(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name!r} on the page"
    return " ".join(match.group(1).replace("\u00a0", " ").split())
