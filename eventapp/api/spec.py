"""Operations register here with their schemas; the OpenAPI document is built from the same
registry that routes and validates requests, so it cannot drift from what the server does."""

import re
from dataclasses import dataclass, field
from functools import wraps

from flask import request
from flask_babel import gettext as _

from eventapp.api import idempotency
from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.core.hostile import DB_INT_MAX, DB_INT_MIN, MAX_JSON_DEPTH

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
    action: str | None = None

    @property
    def idempotent(self) -> bool:
        """Whether the operation takes an ``Idempotency-Key`` (``api.idempotency``): every
        write but the public ones, which have no user to keep keys for."""
        return self.method in idempotency.WRITES and not self.public

    def error_statuses(self) -> list[int]:
        """The operation's own ``errors`` and those the plumbing may answer for any operation:
        400 (a request refused before it is read: NUL, a lone surrogate, JSON too deep), 401
        without a token, 403 when the policy refuses some role the action, 422 for a body or a
        query parameter that breaks its schema, 413 for a body over the size limit; 409 and 422
        for an ``Idempotency-Key`` in use or used for another request."""
        codes = {*self.errors, 400}
        if not self.public:
            codes.add(401)
        if self.action is not None and _refuses_someone(self.action):
            codes.add(403)
        if self.request is not None or any(p["in"] in ("query", "path") and _constrained(p)
                                           for p in self.parameters):
            codes.add(422)
        if self.request is not None:
            codes.add(413)
        if self.idempotent:
            codes.update((409, 422))
        return sorted(codes)


def _refuses_someone(action: str) -> bool:
    """Whether the policy's rule for ``action`` refuses some role, or some object to a role."""
    rule = policy.rule_for(action)
    if rule.everyone is policy.ANY:
        return False
    return not all(policy.ANY in rule.grants.get(role, ()) for role in policy.ROLES)


def _constrained(parameter: dict) -> bool:
    """Whether the plumbing can refuse a value of ``parameter`` with 422: a path id out of
    range matches no route (404), anything else is checked against its schema."""
    return parameter["in"] == "query" or parameter["schema"].get("type") != "integer"


def bounded(schema):
    """A copy of ``schema`` with every integer bounded to what the database's ``integer``
    holds, so that a number the database would refuse is refused as the schema's 422 (and
    the document tells the limit)."""
    if isinstance(schema, list):
        return [bounded(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: bounded(value) for key, value in schema.items()}
    kinds = out.get("type")
    if (kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds)) \
            and "enum" not in out:
        out["maximum"] = min(out.get("maximum", DB_INT_MAX), DB_INT_MAX)
        out["minimum"] = max(out.get("minimum", DB_INT_MIN), DB_INT_MIN)
    return out


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
    validated before the function runs and handed to it as ``body``. A write that is not public
    honours the ``Idempotency-Key`` header (``api.idempotency``).
    """
    request_schema = bounded(request_schema) if request_schema is not None else None
    parameters = [{**p, "schema": bounded(p.get("schema", {}))} for p in parameters]
    op = Operation(operation_id, method.upper(), path, summary, response, status, request_schema,
                   parameters, public, content_type, action=action)
    OPERATIONS.append(op)

    def decorator(func):
        @wraps(func)
        def wrapped(*args, **kwargs):
            validate_parameters(parameters, kwargs)
            if request_schema is not None:
                kwargs["body"] = validated_body(request_schema)
            return func(*args, **kwargs)

        if action is not None:
            wrapped = policy.guarded(wrapped, action)
        elif public:
            wrapped = policy.public(wrapped)
        if op.idempotent:
            # Outside the policy's guard: a stored answer is given again without running it.
            wrapped = idempotency.idempotent(wrapped)
        wrapped.operation = op
        bp.add_url_rule(_flask_path(path, converters or {}), endpoint=operation_id,
                        view_func=wrapped, methods=[op.method])
        return wrapped

    return decorator


def _query_value(raw: str, schema: dict):
    """``raw`` as the type its schema names, or raise ValueError with the reason in words."""
    kind = schema.get("type")
    if kind == "integer":
        # Both bounds are there: ``bounded`` set them.
        low, high = schema["minimum"], schema["maximum"]
        if not re.fullmatch(r"-?[0-9]{1,10}", raw) or not low <= int(raw) <= high:
            raise ValueError(_("Give a whole number from %(low)d to %(high)d.", low=low,
                               high=high))
        return int(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(_("Give true or false."))
        return raw == "true"
    return raw


def validate_parameters(parameters: list, path_values: dict) -> None:
    """Refuse with 422 a query or path parameter that breaks its schema, before the operation
    reads it: the operation may take what it is handed as the document describes it."""
    fields = {}
    for parameter in parameters:
        name, schema, where = parameter["name"], parameter.get("schema", {}), parameter["in"]
        if where == "path" and name in path_values:
            value = path_values[name]
        elif where == "query":
            raw = request.args.getlist(name)
            if not raw:
                if parameter.get("required"):
                    fields[name] = _("This field is required.")
                continue
            if len(raw) > 1:
                fields[name] = _("Give %(name)s once.", name=name)
                continue
            try:
                value = _query_value(raw[0], schema)
            except ValueError as exc:
                fields[name] = str(exc)
                continue
        else:
            continue
        import jsonschema  # with the first API request, not at the app's start

        error = next(jsonschema.Draft202012Validator(schema).iter_errors(value), None)
        if error is not None:
            fields[name] = error.message
    if fields:
        raise ValidationFailed(_("The request has invalid parameters."), fields=fields)


def validated_body(schema: dict) -> dict:
    if not request.is_json:
        raise ValidationFailed(_("Send the body as JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed(_("The body is not valid JSON."))
    import jsonschema  # with the first API request, not at the app's start

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


DESCRIPTION = (
    "Errors are JSON: {\"error\": {\"code\", \"message\", \"fields\"?}}. Before any "
    "operation runs, a request is refused with 400 when its text holds a NUL (\\u0000) or a "
    f"lone surrogate, or its JSON is nested more than {MAX_JSON_DEPTH} levels deep; an id "
    f"beyond {DB_INT_MAX} names nothing (404). Every integer is bounded to the database's "
    f"integer, {DB_INT_MIN} to {DB_INT_MAX}, unless its schema says less."
)


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
        for code in op.error_statuses():
            responses[str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        entry = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "parameters": [*op.parameters, idempotency.PARAMETER] if op.idempotent
            else op.parameters,
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
        "info": {"title": "eventapp API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }
