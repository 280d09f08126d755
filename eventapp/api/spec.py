"""Operations register here with their schemas; the OpenAPI document is built from the same
registry that routes and validates requests, so it cannot drift from what the server does."""

import re
from dataclasses import dataclass, field
from functools import wraps

import jsonschema
from flask import request
from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    summary: str
    response: dict
    status: int = 200
    request: dict | None = None
    parameters: list = field(default_factory=list)
    public: bool = False
    content_type: str = "application/json"
    errors: tuple[int, ...] = (400, 401, 404)
    # Other success codes, answered with the same body (an edit beside a create).
    also: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []


def _flask_path(path: str, converters: dict[str, str]) -> str:
    def repl(match):
        name = match.group(1)
        conv = converters.get(name)
        return f"<{conv}:{name}>" if conv else f"<{name}>"

    return re.sub(r"\{(\w+)\}", repl, path)


def query_param(name: str, schema: dict, description: str = "", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def operation(bp, operation_id: str, method: str, path: str, *, summary: str, response: dict,
              status: int = 200, request_schema: dict | None = None, parameters=(),
              public: bool = False, converters: dict | None = None,
              content_type: str = "application/json", action: str | None = None):
    """Route an API function and record it in the OpenAPI document.

    ``action`` names the operation's action in the policy (``core.policy``); a public operation
    (a participant's token) names none (``tests/core/test_policy.py`` checks that each does one
    or the other). With ``request_schema`` the JSON body is parsed and
    validated before the function runs and handed to it as ``body``.
    """
    op = Operation(operation_id, method.upper(), path, summary, response, status, request_schema,
                   list(parameters), public, content_type)
    OPERATIONS.append(op)

    def decorator(func):
        @wraps(func)
        def wrapped(*args, **kwargs):
            if request_schema is not None:
                kwargs["body"] = validated_body(request_schema)
            return func(*args, **kwargs)

        if action is not None:
            wrapped = policy.guarded(wrapped, action)
        elif public:
            wrapped = policy.public(wrapped)
        wrapped.operation = op
        bp.add_url_rule(_flask_path(path, converters or {}), endpoint=operation_id,
                        view_func=wrapped, methods=[op.method])
        return wrapped

    return decorator


def validated_body(schema: dict) -> dict:
    if not request.is_json:
        raise ValidationFailed(_("Send the body as JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed(_("The body is not valid JSON."))
    fields = {}
    for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
        where = ".".join(str(p) for p in error.absolute_path) or "body"
        if error.validator == "required":
            missing = error.message.split("'")[1]
            where = ".".join([*map(str, error.absolute_path), missing])
            fields[where] = _("This field is required.")
        elif error.validator == "additionalProperties":
            fields[where] = _("Unknown field: %(detail)s", detail=error.message)
        else:
            fields.setdefault(where, error.message)
    if fields:
        raise ValidationFailed(_("The request has invalid fields."), fields=fields)
    return data


def openapi_document(server_url: str) -> dict:
    paths: dict = {}
    for op in OPERATIONS:
        responses = {
            str(status): {
                "description": "OK",
                "content": {op.content_type: {"schema": op.response}},
            }
            for status in (op.status, *op.also)
        }
        for code in (*op.errors, *((422,) if op.request else ())):
            responses[str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        entry = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "parameters": op.parameters,
            "responses": responses,
        }
        if op.public:
            entry["security"] = []
        if op.request:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": op.request}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "eventapp API", "version": "1"},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }
