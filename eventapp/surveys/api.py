"""submitSurveyResponse and getSurveyResults, as API.md names them (nationalSurveyReport, over a
period, is the reporting feature's: reporting/api.py)."""

from flask import jsonify, request
from flask_babel import gettext as _

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param, query_param
from eventapp.core import policy
from eventapp.core.access import get_scoped
from eventapp.core.errors import NotFound
from eventapp.extensions import db, limiter
from eventapp.gatherings.models import Gathering
from eventapp.places.models import SIZE_CLASSES
from eventapp.surveys import services
from eventapp.surveys.models import AGREEMENT, GROUPS, KINDS, MAX_TEXT
from eventapp.surveys.views import SURVEY_LIMIT

_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_DATE = {"type": ["string", "null"], "format": "date"}
_SETTLES = [o["value"] for o in services.SETTLES_OPTIONS]

SUBMIT_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["answers"],
    "properties": {
        "answers": {
            "type": "object",
            "description": "Keyed by question id: a value (agreement, single), a list of values "
                           "(multiple, programme_items) or a text (short_text at most "
                           f"{services.MAX_SHORT_TEXT} characters, long_text at most {MAX_TEXT}). "
                           "Agreement values: "
                           f"{', '.join(AGREEMENT)}. Leave out or send null for no answer.",
            "additionalProperties": {"type": ["string", "array", "null"],
                                     "items": {"type": "string"}},
        },
        "group": {"type": ["string", "null"], "enum": [*GROUPS, None],
                  "description": "With the QR code only, chosen by the respondent; a personal "
                                 "link takes the group from the registration."},
    },
}
SUBMIT_RESPONSE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["result"],
    "properties": {"result": {"enum": ["created", "edited"],
                              "description": "201 created; 200 edited (a personal link that "
                                             "had answered before)."}},
}
OPTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "label", "label_en", "count"],
    "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                   "label_en": {"type": ["string", "null"]}, "count": _COUNT, "share": _SHARE},
}
QUESTION_RESULT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["question_id", "code", "national", "kind", "text", "text_en", "answered"],
    "properties": {
        "question_id": {"type": "integer"},
        "code": {"type": ["string", "null"]},
        "national": {"type": "boolean"},
        "kind": {"enum": list(KINDS)},
        "text": {"type": "string"},
        "text_en": {"type": ["string", "null"]},
        "answered": {**_COUNT, "description": "Responses that answered this question."},
        "options": {"type": "array", "items": OPTION,
                    "description": "Agreement: the scale in order. Choices: most chosen first; "
                                   "share is of those who answered the question."},
        "agree": _COUNT,
        "considered": {**_COUNT, "description": "Answered other than vet_ikke."},
        "agree_share": {**_SHARE, "description": "(helt_enig + delvis_enig) / all who "
                        "answered the question (vet_ikke included)."},
        "texts": {"type": "array", "items": {"type": "string"},
                  "description": "Alphabetical, whatever order they came in; no ids or "
                                 "times. Empty under a filter (texts_withheld)."},
        "texts_withheld": {"type": "boolean",
                           "description": "A filter is applied, so the texts are not listed."},
    },
}
RESULTS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["survey_id", "gathering_id", "status", "opens_on", "closes_on", "invitations",
                 "responses", "responses_personal", "responses_qr", "response_rate", "filters",
                 "filtered_responses", "suppressed", "min_group", "filters_open",
                 "release_step", "questions"],
    "properties": {
        "survey_id": {"type": "integer"},
        "gathering_id": {"type": "integer"},
        "status": {"enum": ["draft", "open", "closed"]},
        "opens_on": _DATE,
        "closes_on": _DATE,
        "invitations": _COUNT,
        "responses": _COUNT,
        "responses_personal": _COUNT,
        "responses_qr": {**_COUNT, "description": "Through the QR code, counted apart."},
        "response_rate": {**_SHARE, "description": "responses_personal / invitations."},
        "filters": {"type": "object"},
        "filtered_responses": {"type": ["integer", "null"]},
        "suppressed": {"type": "boolean",
                       "description": "No figures: the survey has fewer than min_group "
                                      "responses, or the filter's group is hidden (under "
                                      "min_group, or hidden with it so that differences "
                                      "cannot reveal it)."},
        "min_group": {"type": "integer"},
        "filters_open": {"type": "boolean",
                         "description": "Filters give figures only once the survey takes no "
                                        "more answers; before that a filtered request is "
                                        "suppressed."},
        "release_step": {"type": "integer",
                         "description": "Every figure, the counts included, is of the "
                                        "responses released so far: they are released when "
                                        "at least this many new ones have come in, so no "
                                        "two requests differ by one answer."},
        "questions": {"type": "array", "items": QUESTION_RESULT},
    },
}
def _dates(result: dict) -> dict:
    for key in ("opens_on", "closes_on"):
        if result.get(key) is not None:
            result[key] = result[key].isoformat()
    return result


@operation(bp, "submitSurveyResponse", "POST", "/surveys/{token}/responses",
           summary="Answer the survey by a personal link's token or the gathering's QR token; "
           "no bearer token. A personal token gives one response, which later submissions "
           "replace until the survey closes (200); the QR token adds a response each time "
           "(201): the web form's one-answer-per-phone cookie has no part in the API. "
           "422 with fields keyed by question id (nothing saved), 404 for an unknown "
           "token, 409 when the survey is not open.",
           status=201, response=SUBMIT_RESPONSE, request_schema=SUBMIT_REQUEST,
           parameters=[path_param("token", {"type": "string"})], public=True)
@limiter.limit(SURVEY_LIMIT)  # the QR token is public: one client must not flood the results
def submit_survey_response(token: str, body: dict):
    _response, created = services.submit(token, body["answers"], body.get("group"))
    db.session.commit()
    return jsonify({"result": "created" if created else "edited"}), 201 if created else 200


submit_survey_response.operation.errors = (400, 404, 409, 429)
submit_survey_response.operation.also = (200,)


@operation(bp, "getSurveyResults", "GET", "/gatherings/{id}/survey/results",
           summary="The survey's per question counts and shares and its response rate. The "
           "directorate and the county's host and career counsellors; 404 for others and "
           "before the survey exists. Filters (one at a time): group, settles, size_class (the "
           "respondent's municipality's size class); a filter leaving fewer than five "
           "responses gives suppressed: true and no figures.",
           response=RESULTS, converters={"id": "int"},
           parameters=[path_param("id", {"type": "integer"}),
                       query_param("group", {"enum": list(GROUPS)}),
                       query_param("settles", {"enum": _SETTLES}),
                       query_param("size_class", {"enum": list(SIZE_CLASSES)})],
           action="survey.results")
def get_survey_results(id: int):  # noqa: A002 - the name is the API's
    user = api_user()
    gathering = get_scoped(Gathering, id, user)
    # 404, not 403, for those the policy refuses: they learn nothing of the gathering.
    if gathering is None or not policy.can(user, "survey.results", gathering):
        raise NotFound(_("No such gathering."))
    survey = services.find_survey(gathering)
    if survey is None:
        raise NotFound(_("This gathering has no survey yet."))
    result = services.results(survey, group=request.args.get("group") or None,
                              settles=request.args.get("settles") or None,
                              size_class=request.args.get("size_class") or None)
    return jsonify(_dates(result))


get_survey_results.operation.errors = (400, 401, 404, 422)
