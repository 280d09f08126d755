"""Calendars (the programme and the gathering as .ics, the subscription link), other events for
the same audience, and the directorate's national calendar."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.core import policy
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO
from eventapp.core.web import errors_to_form
from eventapp.extensions import db
from eventapp.gatherings import bp, services
from eventapp.gatherings.models import Gathering


def _ics_response(data: bytes, filename: str, attachment: bool = True):
    from flask import Response

    response = Response(data, content_type="text/calendar; charset=utf-8")
    kind = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    # Calendar programs poll the subscription; each answer is the programme as it is now.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<int:gathering_id>/programme.ics")
@policy.requires("gathering.view")
def programme_ics(gathering_id: int):
    gathering = policy.load(Gathering, gathering_id)
    # For those who run or follow the gathering: with the meeting links.
    return _ics_response(services.programme_ics(gathering, links=True), "programme.ics")


@bp.get("/calendar/<token>.ics")
@policy.public
def calendar_feed(token: str):
    """The subscription link: the same URL always gives the current programme. It may be
    passed on, so it carries no meeting links."""
    gathering = services.gathering_by_calendar_token(token)
    if gathering is None:
        abort(404)
    return _ics_response(services.programme_ics(gathering), "programme.ics", attachment=False)


@bp.get("/<int:gathering_id>/gathering.ics")
@policy.public
def gathering_ics(gathering_id: int):
    """The "add to calendar" file: public once published, else for those who may see it."""
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not gathering.published:
        if not current_user.is_authenticated:
            # The same answer whether or not a draft has this number.
            return redirect(url_for("accounts.login", next=request.path))
        gathering = policy.load(Gathering, gathering_id, "gathering.view")
    # Public: the meeting link only for those who may see the gathering itself.
    links = current_user.is_authenticated and policy.can(current_user, "gathering.view",
                                                         gathering)
    return _ics_response(services.gathering_ics(gathering, links=links), "gathering.ics")


def _events_page(gathering: Gathering, event_form=None, import_form=None, status: int = 200):
    from eventapp.gatherings.forms import ImportEventsForm, OtherEventForm

    is_host = policy.can(current_user, "gathering.manage", gathering)
    if is_host:
        event_form = event_form or OtherEventForm(formdata=None)
        import_form = import_form or ImportEventsForm(formdata=None)
    events = [(e, e.days_from(gathering)) for e in services.other_events(gathering)]
    return render_template(
        "gatherings/events.html", gathering=gathering, events=events, is_host=is_host,
        event_form=event_form if is_host else None, import_form=import_form if is_host else None,
        action=FlaskForm(), clash_days=services.CLASH_DAYS,
        clashes=services.clashes(gathering),
        gathering_clashes=services.gathering_clashes(gathering, viewer=current_user),
    ), status


@bp.route("/<int:gathering_id>/events", methods=["GET", "POST"])
@policy.requires("gathering.view")
def events(gathering_id: int):
    """Other events for the same audience: typed in or imported from an .ics file. Everyone
    who sees the gathering reads them; its host adds them."""
    from eventapp.gatherings.forms import ImportEventsForm, OtherEventForm

    gathering = policy.load(Gathering, gathering_id)
    if request.method == "GET":
        return _events_page(gathering)
    policy.authorize(current_user, "gathering.manage", gathering)
    if request.form.get("form") == "import":
        form = ImportEventsForm()
        if not form.validate_on_submit():
            return _events_page(gathering, import_form=form, status=422)
        try:
            data = form.file.data.read(services.MAX_ICS_BYTES + 1)
            counts = services.import_other_events(gathering, current_user, data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _events_page(gathering, import_form=form, status=422)
        db.session.commit()
        flash(_("Imported from the file: %(added)d new, %(updated)d updated, %(unchanged)d "
                "unchanged, %(removed)d removed as cancelled.", **counts), "success")
    else:
        form = OtherEventForm()
        if not form.validate_on_submit():
            return _events_page(gathering, event_form=form, status=422)
        try:
            event = services.add_other_event(
                gathering, current_user, title=form.title.data, organiser=form.organiser.data,
                location=form.location.data, start_date=form.start_date.data,
                end_date=form.end_date.data)
        except DomainError as exc:
            db.session.rollback()
            errors_to_form(form, exc)
            return _events_page(gathering, event_form=form, status=422)
        db.session.commit()
        flash(_("“%(title)s” is added.", title=event.title), "success")
    return redirect(url_for("gatherings.events", gathering_id=gathering.id))


@bp.post("/<int:gathering_id>/events/<int:event_id>/delete")
@policy.requires("gathering.manage")
def delete_event(gathering_id: int, event_id: int):
    from eventapp.gatherings.models import OtherEvent

    gathering = policy.load(Gathering, gathering_id)
    event = db.session.get(OtherEvent, event_id)
    if event is None or event.gathering_id != gathering.id:
        abort(404)
    title = event.title
    services.delete_other_event(gathering, current_user, event.id)
    db.session.commit()
    flash(_("“%(title)s” is removed from the list.", title=title), "success")
    return redirect(url_for("gatherings.events", gathering_id=gathering.id))


@bp.get("/national-calendar")
@policy.requires("calendar.national")
def national_calendar():
    """All counties' gatherings in a year, with clashes marked: the directorate's overview."""
    from datetime import datetime as _datetime

    this_year = _datetime.now(OSLO).year
    years = sorted(set(services.calendar_years()) | {this_year})
    asked = request.args.get("year")
    year = request.args.get("year", type=int)
    problem = None
    if asked is not None and (year is None or not 1900 <= year <= 2200):
        problem = _("“%(year)s” is not a year. Showing %(shown)d.", year=asked, shown=this_year)
        year = None
    year = year or this_year
    rows = services.national_calendar(year)
    return render_template(
        "gatherings/national_calendar.html", rows=rows, year=year, years=years, problem=problem,
        clashing=sum(1 for r in rows if r["overlaps"] or r["events"]), clash_days=services.CLASH_DAYS,
    ), 422 if problem else 200
