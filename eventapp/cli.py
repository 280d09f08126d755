"""Command-line operations: ``flask --app eventapp <command>``."""

import os
import sys
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from eventapp.core.access import Role
from eventapp.core.errors import DomainError
from eventapp.extensions import db


def _fail(exc: DomainError):
    db.session.rollback()
    details = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items() if v != exc.message)
    raise click.ClickException(exc.message + details)


@click.group("places")
def places_cli():
    """Counties, municipalities and Oslo's city districts."""


@places_cli.command("load")
@with_appcontext
def places_load():
    """Load the lists shipped with the app (safe to run again)."""
    from eventapp.places.services import load_shipped

    for plan in load_shipped():
        click.echo(f"{plan.kind}: {plan.count('added')} added, {plan.count('changed')} changed, "
                   f"{plan.count('retired')} retired, {plan.unchanged} unchanged")
    db.session.commit()


@places_cli.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Show what would change and change nothing.")
@with_appcontext
def places_import(csv_file, dry_run):
    """Import an updated list (counties, municipalities or districts) from CSV_FILE."""
    from eventapp.places import services

    try:
        kind, rows = services.read_csv(csv_file.read())
        plan = services.plan_import(kind, rows)
    except DomainError as exc:
        _fail(exc)
    for change in plan.changes:
        click.echo(f"{change.what:12} {change.number} {change.name} {change.detail}".rstrip())
    click.echo(f"{plan.kind}: {plan.count('added')} added, {plan.count('changed')} changed, "
               f"{plan.count('retired')} retired, {plan.count('reactivated')} reactivated, "
               f"{plan.unchanged} unchanged")
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    services.apply_import(plan)
    db.session.commit()


@click.group("users")
def users_cli():
    """User accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", help="Leave out to mail an activation link instead.")
@click.option("--name", default=None, help="Defaults to the part of the email before @.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--county", "county_number", help="Two-digit county number.")
@click.option("--municipality", "municipality_number", help="Municipality or district number.")
@with_appcontext
def users_create(email, password, name, role, county_number, municipality_number):
    """Create a user with any role (the command line is trusted)."""
    from eventapp.accounts.services import create_user
    from eventapp.places.models import County, Municipality

    county = municipality = None
    if county_number:
        county = db.session.scalars(select(County).where(County.number == county_number)).first()
        if county is None:
            raise click.ClickException(f"No county numbered {county_number}; run `places load`.")
    if municipality_number:
        municipality = db.session.scalars(
            select(Municipality).where(Municipality.number == municipality_number)
        ).first()
        if municipality is None:
            raise click.ClickException(f"No municipality numbered {municipality_number}.")
        if county is not None and municipality.county_id != county.id:
            raise click.ClickException("The municipality is not in that county.")
    try:
        user = create_user(email=email, name=name or email.split("@")[0], role=role,
                           county=county, municipality=municipality, password=password)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    state = "active" if user.active else "waiting for activation (link mailed)"
    click.echo(f"created {user.email} ({user.role}), {state}")


@click.group("tokens")
def tokens_cli():
    """API tokens."""


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="command line")
@with_appcontext
def tokens_create(email, name):
    """Create an API token for a user; the token is printed alone on the last line."""
    from eventapp.accounts.services import find_user_by_email
    from eventapp.api.services import create_token

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    try:
        _token, raw = create_token(user, name)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"token for {user.email} ({user.role}):")
    click.echo(raw)


@click.group("outbox")
def outbox_cli():
    """The mail outbox."""


@outbox_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep sending as mail becomes due.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=100, show_default=True, help="Messages per round.")
@with_appcontext
def outbox_send(watch, interval, limit):
    """Deliver due mail; temporary failures are retried later with growing delays."""
    from eventapp.mail.services import send_due

    while True:
        try:
            report = send_due(limit=limit)
        except Exception:
            # A watcher outlives a database restart or a broken network: log and go on.
            if not watch:
                raise
            db.session.rollback()
            current_app.logger.exception("outbox sender: round failed; trying again")
            time.sleep(interval)
            continue
        if report.handled or not watch:
            click.echo(f"sent {report.sent}, retry later {report.retried}, failed {report.failed}")
        if not watch:
            if report.handled == limit:
                continue  # more may be due
            return
        if report.handled < limit:
            time.sleep(interval)


@click.group("jobs")
def jobs_cli():
    """Background jobs (table plans): the worker."""


@jobs_cli.command("work")
@click.option("--threads", default=2, show_default=True, help="Jobs run at once.")
@with_appcontext
def jobs_work(threads):
    """Run queued jobs until stopped (SIGTERM or Ctrl+C: the jobs running are let finish).
    Needs JOBS_BROKER_URL; without it the web process runs its jobs itself."""
    import signal

    from eventapp.core.jobs import start_worker

    app = current_app._get_current_object()
    if not app.config.get("JOBS_BROKER_URL"):
        raise click.ClickException("JOBS_BROKER_URL is not set: the web process runs the jobs "
                                   "itself, so there is nothing for a worker to do.")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = start_worker(app, threads=threads)
    click.echo(f"jobs worker: {threads} threads on {app.config['JOBS_NAMESPACE']}", err=True)
    try:
        while not stop.wait(1):
            pass
    finally:
        worker.stop()


@click.group("grants")
def grants_cli():
    """The grant: reminders about personal data."""


@grants_cli.command("remind-purge")
@with_appcontext
def grants_remind_purge():
    """Mail the county's hosts once for each approved gathering whose personal data is due for
    deletion. Run it daily (cron); the outbox sender delivers the mail."""
    from eventapp.grants.services import send_purge_reminders

    queued = send_purge_reminders()
    db.session.commit()
    click.echo(f"purge reminders queued: {queued}")


@click.group("surveys")
def surveys_cli():
    """The post-gathering survey: opening it when the gathering ends."""


@surveys_cli.command("open-due")
@with_appcontext
def surveys_open_due():
    """Open the survey of each gathering that has ended and mail the invitations. Run it daily
    (cron); the outbox sender delivers the mail."""
    from eventapp.surveys.services import open_due

    opened = open_due()
    db.session.commit()
    for survey, mailed in opened:
        click.echo(f"opened: {survey.gathering.title} ({mailed} invitations)")
    click.echo(f"surveys opened: {len(opened)}")


def _mail_loop(app, stop: threading.Event) -> None:
    from eventapp.mail.services import send_due

    while not stop.is_set():
        with app.app_context():
            try:
                send_due()
            except Exception as exc:  # noqa: BLE001 - keep the demo's sender alive, and say why
                app.logger.warning("demo mail sender: %s", exc)
            finally:
                db.session.remove()
        stop.wait(3)


@click.command("demo")
@click.option("--serve/--no-serve", default=True, help="Serve on http://HOST:PORT afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(serve, host, port):
    """Set up a demo database (a user per role; Vestland's 2027 gathering mid-campaign with its
    grant applied for; ten counties' gatherings of 2024-2026 reported), then serve it."""
    from eventapp.demo import demo_setup, previous_year_hosts

    app = current_app._get_current_object()
    if not os.environ.get("BASE_URL"):
        # Links in mail, QR codes and calendar feeds must reach the demo where it is served.
        app.config["BASE_URL"] = f"http://{host}:{port}"
    logins = demo_setup()
    click.echo(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo("Demo logins (role, email, password):")
    for role, email, password in logins:
        click.echo(f"  {role:18} {email:32} {password}")
    click.echo("The other counties' hosts (2024-2026 gatherings, same password): "
               + ", ".join(previous_year_hosts()))
    if app.config["MAIL_TRANSPORT"] == "file":
        mail_dir = app.config.get("MAIL_FILE_DIR") or f"{app.instance_path}/mail"
        click.echo(f"Mail is written as .eml files to {mail_dir}")
    if not serve:
        return
    stop = threading.Event()
    threading.Thread(target=_mail_loop, args=(app, stop), daemon=True).start()
    click.echo(f"\nServing on http://{host}:{port}  (Ctrl+C stops)")
    try:
        # Not app.run(): Flask skips that under the `flask` command, and `flask demo` must serve.
        from werkzeug.serving import run_simple

        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        stop.set()


def demo_main() -> None:
    """The ``eventapp-demo`` console script: ``flask --app eventapp demo`` in one word."""
    from eventapp import create_app

    app = create_app()
    with app.app_context():
        sys.exit(demo.main(args=sys.argv[1:], prog_name="eventapp-demo"))


@click.group("topics")
def topics_cli():
    """The directorate's national list of programme topics."""


@topics_cli.command("load")
@with_appcontext
def topics_load():
    """Add the suggested topics whose codes are missing (safe to run again; never renames)."""
    from eventapp.gatherings.services import seed_topics

    click.echo(f"programme topics: {seed_topics()} added")
    db.session.commit()


def register(app) -> None:
    for command in (places_cli, users_cli, tokens_cli, outbox_cli, jobs_cli, grants_cli, surveys_cli,
                    topics_cli, demo):
        app.cli.add_command(command)
