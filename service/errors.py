"""JSON errors for the HTTP service: every error is ``{"error": {"code", "message"}}``.

Bad input never becomes an HTML page or a 5xx: library errors about the input
map to 4xx here; anything unexpected is logged with its traceback and answered
with a generic 500 body (no traceback leaves the server).
"""
from __future__ import annotations

import logging

from dangjian.model.errors import ArtifactError, InvalidDocumentError

logger = logging.getLogger(__name__)


class ServiceStartError(ArtifactError, RuntimeError):
    """The service cannot start (no usable model bundle). A RuntimeError too,
    so that gunicorn prints its message as one line instead of a traceback."""


class APIError(Exception):
    """An error answered with ``status`` and a machine-readable ``code``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str):
    from flask import jsonify

    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
}


def register_error_handlers(app) -> None:
    """JSON error handlers on a Flask app (flask is imported here, not at
    module import, so that ``dangjian serve --help`` stays fast)."""
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(APIError)
    def _api_error(exc: APIError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(InvalidDocumentError)
    def _invalid_document(exc: InvalidDocumentError):
        return error_response(422, "invalid_document", str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"request body larger than {limit} bytes" if limit else message
        response = error_response(status, _HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")), message)
        if status == 413:
            response.headers["Connection"] = "close"  # the unread body must not be taken for the next request
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "internal server error; see the server log")
