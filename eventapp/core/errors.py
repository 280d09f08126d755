"""Domain errors raised by services and turned into form errors, flashes or JSON by callers."""


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed.

    ``message`` is already translated for the person who caused it; ``field`` names the input
    it belongs to, so a form can show it beside that field.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, message)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
