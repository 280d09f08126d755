"""Shared API plumbing: the /api/v1 blueprint, bearer tokens, JSON errors, the OpenAPI document.

Feature packages add their operations to ``bp`` with ``operation`` in their own ``api.py``.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token management pages live at /account/tokens, outside the JSON API.
ui = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")
