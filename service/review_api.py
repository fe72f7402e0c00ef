"""The review loop over HTTP (blueprint ``review``): the queue, corrections,
and the page 复核 at ``/review``.

The store (:class:`~dangjian.model.review_store.ReviewStore`) is opened once
in ``create_app`` when ``REVIEW_DB`` is set (``dangjian serve --db PATH``) and
read from ``current_app.extensions["review_store"]``; without it the
endpoints answer 503.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, render_template, request

from dangjian.model.errors import (CorrectionConflictError, InvalidCorrectionError, ReviewStoreError,
                                   UnknownUnitError)

from .api import _json_object, theme_model
from .errors import APIError

logger = logging.getLogger(__name__)

bp = Blueprint("review", __name__)

DEFAULT_QUEUE_LIMIT = 20
MAX_QUEUE_LIMIT = 200
MAX_REVIEWER_CHARS = 100
MAX_NOTE_CHARS = 2000
CORRECTION_FIELDS = {"unit_id", "labels", "primary", "reviewer", "note", "version"}
UNIT_FIELDS = ("id", "text", "article", "source", "themes", "primary", "scores", "evidence", "version",
               "keyword_themes", "worth", "model_version")


def review_store():
    store = current_app.extensions.get("review_store")
    if store is None:
        raise APIError(503, "review_store_unavailable",
                       "no review store: start the service with `dangjian serve --db PATH` (or set DANGJIAN_REVIEW_DB)")
    return store


def _store_call(fn, *args, **kwargs):
    """Call the store and translate its errors into JSON ones."""
    try:
        return fn(*args, **kwargs)
    except InvalidCorrectionError as exc:
        raise APIError(422, exc.code, str(exc)) from None
    except UnknownUnitError as exc:
        raise APIError(404, "unknown_unit", str(exc)) from None
    except CorrectionConflictError:
        raise  # answered with the current version (409) by the view
    except ReviewStoreError as exc:
        logger.error("review store: %s", exc)
        raise APIError(503, "review_store_error", "the review store cannot be used; see the server log") from None


def _optional_text(args, name: str) -> str | None:
    value = args.get(name)
    return value if value else None


@bp.get("/v1/review")
def review_queue():
    store = review_store()
    raw_limit = request.args.get("limit", str(DEFAULT_QUEUE_LIMIT))
    try:
        limit = int(raw_limit)
    except ValueError:
        raise APIError(422, "invalid_limit", f"'limit' must be an integer, got {raw_limit!r}") from None
    if not 1 <= limit <= MAX_QUEUE_LIMIT:
        raise APIError(422, "invalid_limit", f"'limit' must be between 1 and {MAX_QUEUE_LIMIT}, got {limit}")
    filters = {name: _optional_text(request.args, name) for name in ("theme", "article", "source")}
    units = _store_call(store.queue, limit, **filters)
    progress = _store_call(store.progress, **filters)
    return jsonify({"units": [{k: u[k] for k in UNIT_FIELDS} for u in units], "progress": progress})


def _correction_body() -> dict:
    body = _json_object()
    unknown = set(body) - CORRECTION_FIELDS
    if unknown:
        raise APIError(422, "unknown_field", f"unknown field(s) {sorted(unknown)}; fields are {sorted(CORRECTION_FIELDS)}")
    for name in ("unit_id", "labels"):
        if name not in body:
            raise APIError(422, f"missing_{name}", f"field {name!r} is required")
    unit_id = body["unit_id"]
    if not isinstance(unit_id, int) or isinstance(unit_id, bool):
        raise APIError(422, "invalid_unit_id", f"'unit_id' must be an integer, got {type(unit_id).__name__}")
    version = body.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise APIError(422, "invalid_version", "'version' must be an integer >= 0 (the unit's version you corrected)")
    for name, limit in (("reviewer", MAX_REVIEWER_CHARS), ("note", MAX_NOTE_CHARS)):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise APIError(422, f"invalid_{name}", f"'{name}' must be a string, got {type(value).__name__}")
        if value is not None and len(value) > limit:
            raise APIError(422, f"invalid_{name}", f"'{name}' has {len(value)} characters; the limit is {limit}")
    return body


@bp.post("/v1/corrections")
def add_correction():
    store = review_store()
    body = _correction_body()
    try:
        correction = _store_call(store.add_correction, body["unit_id"], body["labels"], body.get("primary"),
                                 version=body.get("version", 0), reviewer=(body.get("reviewer") or "").strip() or "analyst",
                                 note=body.get("note") or None)
    except CorrectionConflictError as exc:
        response = jsonify({"error": {"code": "conflict", "message": str(exc)},
                            "current": {"version": exc.current, "correction": exc.latest}})
        response.status_code = 409
        return response
    return jsonify({"correction": correction}), 201


@bp.get("/v1/corrections")
def list_corrections():
    store = review_store()
    since = request.args.get("since")
    try:
        corrections = _store_call(store.corrections, since=since or None)
    except ValueError as exc:
        raise APIError(422, "invalid_since", f"'since': {exc}") from None
    return jsonify({"corrections": corrections})


@bp.get("/review")
def review_page():
    model = theme_model()
    return render_template("review.html", model_version=model.version,
                           has_store=current_app.extensions.get("review_store") is not None)
