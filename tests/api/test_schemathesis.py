"""Schemathesis over the whole OpenAPI document, in-process against the WSGI app on PostgreSQL.

Each operation is tried with a directorate token and with a county host's token, against the
demo's data (the host's county has a gathering with registrations; the previous year's
gatherings have surveys, one of them opened again, and reports). Half the ids and survey
tokens drawn are swapped for real ones, so operations reach their own rules as well as the
404. Every check schemathesis has runs (no server error, responses and statuses as
documented, negative data refused, positive data accepted, auth enforced, 405 with Allow ...),
over its three phases (examples, coverage of boundaries and invalid values, fuzzing), with a
bounded number of examples so that the test fits in CI (about a minute on 2 cores). A summary
per token (requests, server errors, schema violations, undocumented statuses) is printed.

``EVENTAPP_SCHEMATHESIS_SURVEY=1`` records failures without stopping at the first one of an
operation, to count them all; ``EVENTAPP_SCHEMATHESIS_EXAMPLES`` sets the fuzzing phase's
examples per operation (default 50); ``EVENTAPP_SCHEMATHESIS_REPORT`` names a file the summary
and the failures found are added to.
"""

import contextvars
import itertools
import os
import re
import traceback
from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis")

from flask import got_request_exception  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from sqlalchemy import select  # noqa: E402

from eventapp import create_app  # noqa: E402
from eventapp.api.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH  # noqa: E402
from eventapp.config import TestConfig  # noqa: E402

SURVEY = os.environ.get("EVENTAPP_SCHEMATHESIS_SURVEY") == "1"
MAX_EXAMPLES = int(os.environ.get("EVENTAPP_SCHEMATHESIS_EXAMPLES", "50"))
ROLES = {"directorate": 0, "county_host": 1}  # index in the demo's users
# The cases are built when the tests are collected, before any user exists: the token's secret
# is fixed, and each role's run gives it to that role's user.
TOKEN = "ea_schemathesis-" + "x" * 32  # noqa: S105 - a test's token in a test's database
RULES_BEYOND_THE_SCHEMA = (
    "createGathering", "updateGathering", "createProgrammeItem", "createRegistration",
    "setOrganisationCap", "allocateTables", "recordAttendance", "submitSurveyResponse",
    "getSurveyResults", "nationalReport", "nationalSurveyReport", "topicReport",
    "listPartners", "createPartner",
)


class _Target:
    """The app the cases are sent to: the test run's app, bound by the ``api_world`` fixture.
    Each request runs in its own context, as in production: the fixture holds an app context
    for its own database work, and requests must not share its ``g`` and session."""

    app = None
    ids: dict = {}

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app.wsgi_app, environ, start_response)


TARGET = _Target()


def _load_schema():
    # The document is read from an app of its own at collection time: the registry of
    # operations is the same in every app, and the test run's app does not exist yet.
    class DocumentConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SECRET_KEY = "schemathesis"  # noqa: S105

        @classmethod
        def from_env(cls):
            return {}

    config = schemathesis.Config.from_dict({
        "generation": {
            "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
            # Text never holds NUL: the plumbing refuses it with 400 before any operation
            # runs (tests/core/test_hostile.py), so a NUL is not valid data for any field.
            "allow-x00": False,
            # Every case runs as the role under test, with the token below; the ignored_auth
            # check tries each operation without it and with a made-up one.
            "with-security-parameters": False,
        },
        "auth": {"openapi": {"bearer": {"bearer": TOKEN}}},
        # These operations answer 422 for rules no schema can express: between fields (dates
        # in order, a period that ends after it starts, a year or a period but not both, one
        # filter at a time) and against rows (a county or municipality that exists in the
        # gathering's county, a partner's name not yet taken in the county, the gathering's
        # days, the survey's questions). The rest must take every request their schema allows.
        "operations": [
            {"include-operation-id": operation_id,
             "checks": {"positive_data_acceptance": {"expected-statuses": [
                 "2xx", "401", "403", "404", "409", "422", "429"]}}}
            for operation_id in RULES_BEYOND_THE_SCHEMA
        ],
    })
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(DocumentConfig),
                                            config=config)
    loaded.app = TARGET
    return loaded


schema = _load_schema()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the ids and tokens drawn are swapped for those of real rows (a gathering, a
    registration under /registrations, a survey's QR token), so that operations get past the
    404 and into their own rules."""
    if not path_parameters:
        return st.just(path_parameters)
    if "token" in path_parameters:
        name, real = "token", TARGET.ids.get("survey_tokens")
    else:
        kind = "registrations" if context.operation.path.startswith("/registrations") \
            else "gatherings"
        name, real = "id", TARGET.ids.get(kind)
        value = path_parameters.get("id")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2**31 - 1:
            real = None  # an id outside its schema (a negative case) stays as drawn
    if not real:
        return st.just(path_parameters)
    return st.one_of(st.sampled_from(real).map(lambda value: {**path_parameters, name: value}),
                     st.just(path_parameters))


class Stats:
    def __init__(self):
        self.requests = 0
        self.statuses = Counter()
        self.failures = Counter()
        self.examples: dict[str, list[str]] = {}
        self.undocumented: set[tuple[str, int]] = set()
        self.tracebacks: list[str] = []

    def failure(self, kind: str, text: str) -> None:
        self.failures[kind] += 1
        samples = self.examples.setdefault(kind, [])
        if len(samples) < 60 and text not in samples:
            samples.append(text)

    def summary(self, role: str) -> str:
        server_errors = sum(n for s, n in self.statuses.items() if s >= 500)
        return (f"schemathesis [{role}]: {self.requests} requests, {server_errors} server errors, "
                f"{self.failures['JsonSchemaError']} response-schema violations, "
                f"{self.failures['UndefinedStatusCode']} responses with an undocumented status "
                f"({len(self.undocumented)} distinct operation and status: "
                f"{sorted(self.undocumented)}); "
                f"failures by check: {dict(self.failures)}; "
                f"statuses: {dict(sorted(self.statuses.items()))}")


@pytest.fixture(scope="module", params=list(ROLES))
def api_world(request, _built_app, is_postgres):
    """The demo's data and a token of ``role``, once per role for every operation: the
    operations' changes stay, as they would on a server."""
    if not is_postgres:
        pytest.skip("schemathesis runs on PostgreSQL (TEST_DATABASE_URL): ids beyond its "
                    "integer and NUL in text are where the API must hold")
    from eventapp.api.services import _hash, create_token
    from eventapp.demo import demo_setup
    from eventapp.demo.accounts import demo_user
    from eventapp.extensions import db, limiter
    from eventapp.gatherings.models import Gathering
    from eventapp.registration.models import Registration
    from tests.conftest import _truncate

    app, config = _built_app
    app.config.clear()
    app.config.update(config)
    # Errors come back as the 500 a client would get; their tracebacks go into the summary.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    limiter.reset()
    stats = Stats()

    def keep(sender, exception, **_extra):
        stats.tracebacks.append("".join(traceback.format_exception(exception))[-2500:])

    with app.app_context():
        _truncate()
        demo_setup()
        token, _raw = create_token(demo_user(ROLES[request.param]), "schemathesis")
        token.token_hash = _hash(TOKEN)
        db.session.commit()
        TARGET.app = app
        TARGET.ids = {"gatherings": sorted(db.session.scalars(select(Gathering.id))),
                      "registrations": sorted(db.session.scalars(select(Registration.id))),
                      "survey_tokens": _open_a_survey()}
        got_request_exception.connect(keep, app)
        try:
            yield stats
        finally:
            got_request_exception.disconnect(keep, app)
            TARGET.app = None
            TARGET.ids = {}
            _report(request, request.param, stats)
            db.session.remove()
            _truncate()
            db.engine.dispose()


def _open_a_survey() -> list[str]:
    """The demo's surveys are closed; one whose report is not locked is opened again, so that
    answers reach the survey's own checks. Returns the surveys' QR tokens."""
    from datetime import date, timedelta

    from eventapp.extensions import db
    from eventapp.surveys.models import Survey

    surveys = db.session.scalars(select(Survey).order_by(Survey.id)).all()
    survey = next(s for s in surveys if not s.gathering.report_locked)
    survey.status = "open"
    survey.opens_on, survey.closes_on = date.today() - timedelta(days=1), None
    db.session.commit()
    return [s.qr_token for s in surveys]


def _report(request, role: str, stats: Stats) -> None:
    lines = [stats.summary(role)]
    for kind, samples in stats.examples.items():
        lines.append(f"  {kind}:")
        lines.extend(f"    {s}" for s in samples)
    lines.extend(stats.tracebacks[:10])
    text = "\n".join(lines)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(text if SURVEY else lines[0])
    path = os.environ.get("EVENTAPP_SCHEMATHESIS_REPORT")
    if path:
        with open(path, "a") as fh:
            fh.write(text + "\n")


_KEYS = itertools.count()


def _own_idempotency_key(case) -> None:
    """A valid ``Idempotency-Key`` drawn is made the case's own. A key says "this is the same
    request again": the fuzzer draws few distinct keys and sends them with different requests,
    which the API refuses with 422 as it must (tests/api/test_idempotency.py); that would hide
    what the operation itself answers. A key outside its schema stays as drawn."""
    headers = case.headers or {}
    key = headers.get(HEADER)
    if isinstance(key, str) and re.fullmatch(KEY_PATTERN, key):
        suffix = f"-{next(_KEYS)}"
        headers[HEADER] = key[:MAX_KEY_LENGTH - len(suffix)] + suffix


@schema.parametrize()
def test_api_answers_as_documented(case, api_world):
    stats = api_world
    _own_idempotency_key(case)
    response = case.call()
    stats.requests += 1
    stats.statuses[response.status_code] += 1
    try:
        case.validate_response(response)
    except FailureGroup as group:
        for failure in group.exceptions:
            if type(failure).__name__ == "UndefinedStatusCode":
                stats.undocumented.add((case.operation.label, response.status_code))
            detail = " ".join(str(failure.message).split())[:300] if SURVEY else ""
            stats.failure(type(failure).__name__,
                          f"{case.method} {case.formatted_path} -> {response.status_code}: "
                          f"{failure.title} {detail} {response.request.url[:200]} "
                          f"{response.text[:200] if SURVEY else ''}")
        if not SURVEY:
            raise
