"""A gathering's pages: the list, creating and editing one, its status, its public page."""

import re
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import DomainError
from eventapp.core.listing import matches, parse_sort, query_text
from eventapp.core.time import OSLO
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.forms import (
    GatheringForm,
    StatusForm,
    item_kind_label,
    mode_label,
    organisation_kind_label,
)
from eventapp.gatherings.models import STATUSES, Gathering, status_label
from eventapp.gatherings.services.gathering import items_outside, programme_moves

GATHERING_FIELDS = ("title", "start_date", "end_date", "venue", "address", "description",
                    "registration_opens", "registration_closes", "capacity", "municipal_cap",
                    "pool_cap", "mode", "meeting_url")


@bp.get("/")
@policy.requires("gathering.list")
def index():
    """Every gathering the user may see, searched (title, venue, county), filtered by county,
    year and status, and sorted, from the address; unknown values are ignored. One statement
    loads the scoped list, and the choices offered come from it."""
    everything = db.session.scalars(
        scope(select(Gathering), Gathering, current_user)
        .options(joinedload(Gathering.county))
        .order_by(Gathering.start_date.desc(), Gathering.id.desc())
    ).unique().all()
    counties = sorted({g.county for g in everything}, key=lambda c: c.number)
    years = sorted({g.start_date.year for g in everything}, reverse=True)
    args = request.args
    county = next((c for c in counties if c.number == args.get("county")), None)
    year = next((y for y in years if str(y) == args.get("year")), None)
    status = args.get("status") if args.get("status") in STATUSES else None
    q = query_text(args.get("q"))
    sort = parse_sort(args.get("sort"), INDEX_SORTS, "-date")
    gatherings = [g for g in everything
                  if (county is None or g.county_id == county.id)
                  and (year is None or g.start_date.year == year)
                  and (status is None or g.status == status)
                  and (not q or matches(q, g.title, g.place, g.county.name))]
    gatherings.sort(key=INDEX_SORTS[sort.key], reverse=sort.desc)
    return render_template("gatherings/index.html", gatherings=gatherings, counties=counties,
                           years=years, statuses=STATUSES, county=county, year=year,
                           status=status, q=q, sort=sort, total=len(everything))


# The orders the list offers; ties keep the newest first.
INDEX_SORTS = {
    "date": lambda g: g.start_date,
    "title": lambda g: g.title.casefold(),
    "county": lambda g: g.county.name.casefold(),
}


def _form_values(form: GatheringForm) -> dict:
    values = {name: getattr(form, name).data for name in GATHERING_FIELDS}
    for name in ("venue", "address", "description", "meeting_url"):
        values[name] = (values[name] or "").strip() or None
    return values


@bp.route("/new", methods=["GET", "POST"])
@policy.requires("gathering.create")
def new():
    policy.authorize(current_user, "gathering.create", current_user.county_id)
    form = GatheringForm()
    status = 200
    if form.validate_on_submit():
        values = _form_values(form)
        try:
            gathering = services.create_gathering(
                county=current_user.county, actor=current_user, **values
            )
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("The gathering is created as a draft. Plan the programme next."), "success")
            return redirect(url_for("gatherings.show", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422
    return render_template("gatherings/form.html", form=form, gathering=None), status


@bp.get("/<int:gathering_id>")
@policy.requires("gathering.view")
def show(gathering_id: int):
    from eventapp.gatherings import overview

    gathering = policy.load(Gathering, gathering_id)
    phases = overview.overview(gathering, current_user)
    return render_template("gatherings/show.html", **_hub(gathering), phases=phases,
                           next_steps=overview.next_steps(phases))


def _hub(gathering: Gathering) -> dict:
    """What the gathering's page shows: its facts, what the viewer may do, and warnings."""
    status_form = None
    is_host = policy.can(current_user, "gathering.manage", gathering)
    if is_host:
        from eventapp.gatherings.models import TRANSITIONS

        status_form = StatusForm()
        status_form.status.choices = [(s, status_label(s)) for s in TRANSITIONS[gathering.status]]
    context = {
        "gathering": gathering,
        "status_form": status_form,
        "is_host": is_host,
        "may_edit": policy.can(current_user, "programme.edit", gathering),
        "mode_label": mode_label,
    }
    context["clashes"] = services.clashes(gathering)
    context["gathering_clashes"] = services.gathering_clashes(gathering, viewer=current_user)
    return context


@bp.route("/<int:gathering_id>/edit", methods=["GET", "POST"])
@policy.requires("gathering.manage")
def edit(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    form = GatheringForm(obj=gathering)
    status = 200
    moves = None
    if form.validate_on_submit():
        values = _form_values(form)
        changes = {k: v for k, v in values.items() if getattr(gathering, k) != v}
        # The second button under the preview: the same values, and move the programme too.
        move = request.form.get("move_programme") == "1"
        try:
            services.update_gathering(gathering, current_user, move_programme=move, **changes)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            status = 422
            moves = _move_preview(gathering, values)
        else:
            db.session.commit()
            if move:
                flash(_("The gathering is saved, and the programme moved with the dates."),
                      "success")
            else:
                flash(_("The gathering is saved."), "success")
            return redirect(url_for("gatherings.show", gathering_id=gathering.id))
    elif form.is_submitted():
        status = 422
    return render_template("gatherings/form.html", form=form, gathering=gathering,
                           moves=moves), status


def _move_preview(gathering: Gathering, values: dict):
    """Each item's old and new time, when the new dates would leave items outside them and
    moving the programme with the dates would fit it; else None."""
    start, end = values["start_date"], values["end_date"]
    if (start, end) == (gathering.start_date, gathering.end_date) or end < start \
            or (end - start).days > 1 or not items_outside(gathering, start, end):
        return None
    moves = programme_moves(gathering, start, end)
    return moves if all(m.new_starts is not None for m in moves) else None


@bp.post("/<int:gathering_id>/status")
@policy.requires("gathering.manage")
def set_status(gathering_id: int):
    # The form is checked before the service asks the policy (a broken form is a 400 for all).
    gathering = policy.load(Gathering, gathering_id, "gathering.view")
    form = StatusForm()
    form.status.choices = [(s, s) for s in ("draft", "open", "closed", "held", "reported")]
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(gathering, current_user, form.status.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The status is now “%(status)s”.", status=status_label(gathering.status)),
              "success")
    return redirect(url_for("gatherings.show", gathering_id=gathering.id))


# --- the public page -------------------------------------------------------------------------

def _published_or_404(gathering_id: int) -> Gathering:
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        abort(404)
    return gathering


@bp.get("/<int:gathering_id>/public")
@policy.public
def public(gathering_id: int):
    """Anyone may read a published gathering's page and programme, without logging in, and
    sign up from it while registration is open."""
    gathering = _published_or_404(gathering_id)
    return render_template("gatherings/public.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label,
                           registration=registration_state(gathering),
                           description=paragraphs(gathering.description))


def registration_state(gathering: Gathering, today=None) -> str | None:
    """"open", "soon" (not yet), "closed", or None for a gathering that takes none. The same
    rule as ``registration.services.registration_open``, which sits above this feature."""
    today = today or datetime.now(OSLO).date()
    if gathering.status != "open":
        return "closed" if gathering.status in ("closed", "held", "reported") else None
    if gathering.registration_opens and today < gathering.registration_opens:
        return "soon"
    if gathering.registration_closes and today > gathering.registration_closes:
        return "closed"
    return "open"


_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?»”’"


def _linked(text: str) -> Markup:
    """``text`` escaped, with each web address a link (punctuation after it stays text)."""
    out, at = [], 0
    for found in _URL.finditer(text):
        url = found.group(0)
        while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        out.append(escape(text[at:found.start()]))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        at = found.start() + len(url)
    out.append(escape(text[at:]))
    return Markup("").join(out)


def paragraphs(text: str | None) -> list[Markup]:
    """Plain text as paragraphs (split at blank lines, single line breaks kept), web
    addresses as links, everything else escaped: no HTML from the text is ever shown."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return [Markup("<br>\n").join(_linked(line) for line in block.split("\n"))
            for block in blocks if block.strip()]


def printable_gathering(gathering_id: int) -> Gathering:
    """The gathering whose programme is printed (the page here, the PDF in documents): anyone's
    once published, else only for those who may see it; a visitor is sent to log in first."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None:
        abort(404)
    if not gathering.published:
        if not current_user.is_authenticated:
            abort(redirect(url_for("accounts.login", next=request.path)))
        gathering = policy.load(Gathering, gathering_id, "gathering.view")
    return gathering


@bp.get("/<int:gathering_id>/programme/print")
@policy.public
def printable(gathering_id: int):
    """The programme to print: public once published, else for those who may see it."""
    gathering = printable_gathering(gathering_id)
    return render_template("gatherings/print.html", gathering=gathering,
                           days=services.programme_by_day(gathering), kind_label=item_kind_label,
                           org_label=organisation_kind_label)
