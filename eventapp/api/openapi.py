"""The OpenAPI document, served from the same registry that routes the operations."""

from flask import jsonify, request

from eventapp.api import bp
from eventapp.api.spec import openapi_document, operation


@operation(bp, "getOpenApi", "GET", "/openapi.json", summary="This document.",
           response={"type": "object", "required": ["openapi", "paths"]}, public=True)
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/") + bp.url_prefix))
