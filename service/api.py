"""The JSON API (blueprint ``api``): classification, codebook, topics, model card."""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request

from dangjian.model.chars import replace_surrogates

from .errors import APIError

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__)


def theme_model():
    return current_app.extensions["theme_model"]


# No request of this API nests deeper than a few levels; far deeper is an attack.
MAX_JSON_DEPTH = 64


def _nesting_depth(value) -> int:
    """How deeply lists and dicts nest in ``value`` (iteratively)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _json_object() -> dict:
    """The request body as a JSON object, or a 4xx saying what is wrong."""
    if not request.is_json:
        raise APIError(415, "unsupported_media_type",
                       f"expected Content-Type: application/json, got {request.mimetype or 'none'}")
    raw = request.get_data(cache=True)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise APIError(400, "invalid_encoding", f"request body is not UTF-8 (invalid byte at offset {exc.start})") from None
    try:
        body = json.loads(decoded)
    except ValueError as exc:
        raise APIError(400, "invalid_json", f"request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise APIError(400, "invalid_json", "request body is not valid JSON: nested too deeply") from None
    if _nesting_depth(body) > MAX_JSON_DEPTH:
        raise APIError(400, "invalid_json", f"request body is nested more than {MAX_JSON_DEPTH} levels deep")
    # JSON may spell lone surrogates ("\udc00"), which no encoder can write back:
    # they become U+FFFD here, once, so nothing downstream ever sees one.
    body = replace_surrogates(body)
    if not isinstance(body, dict):
        raise APIError(422, "invalid_body", f"expected a JSON object, got {type(body).__name__}")
    return body


def _document(obj: object, where: str, require_id: bool = False) -> tuple[str, str | None, str | None]:
    """Validate one document: text (str, non-empty, within the limit), title, id."""
    if not isinstance(obj, dict):
        raise APIError(422, "invalid_document", f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if "text" not in obj:
        raise APIError(422, "missing_text", f"{where}: field 'text' is required")
    if not isinstance(text, str):
        raise APIError(422, "invalid_text", f"{where}: 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise APIError(422, "empty_text", f"{where}: 'text' is empty")
    limit = current_app.config["MAX_CHARS_PER_DOC"]
    if len(text) > limit:
        raise APIError(413, "text_too_long", f"{where}: 'text' has {len(text)} characters; the limit is {limit}")
    title = obj.get("title")
    if title is not None and not isinstance(title, str):
        raise APIError(422, "invalid_title", f"{where}: 'title' must be a string, got {type(title).__name__}")
    doc_id = obj.get("id")
    if require_id:
        if doc_id is None:
            raise APIError(422, "missing_id", f"{where}: field 'id' is required")
        if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
            raise APIError(422, "invalid_id", f"{where}: 'id' must be a string or an integer")
        doc_id = str(doc_id)
    unknown = set(obj) - {"text", "title", "id"}
    if unknown:
        raise APIError(422, "unknown_field", f"{where}: unknown field(s) {sorted(unknown)}")
    return text, title, doc_id


@bp.post("/v1/classify")
def classify():
    body = _json_object()
    text, title, _ = _document(body, "body")
    model = theme_model()
    result = model.predict_article(text, title=title)
    return jsonify({"model": model.version, **result.to_dict()})


@bp.post("/v1/classify/batch")
def classify_batch():
    body = _json_object()
    if "documents" not in body:
        raise APIError(422, "missing_documents", "field 'documents' is required")
    docs = body["documents"]
    if not isinstance(docs, list):
        raise APIError(422, "invalid_documents", f"'documents' must be a list, got {type(docs).__name__}")
    unknown = set(body) - {"documents"}
    if unknown:
        raise APIError(422, "unknown_field", f"unknown field(s) {sorted(unknown)}")
    if not docs:
        raise APIError(422, "empty_documents", "'documents' is empty")
    limit = current_app.config["MAX_DOCS_PER_REQUEST"]
    if len(docs) > limit:
        raise APIError(413, "too_many_documents", f"{len(docs)} documents; the limit is {limit} per request")
    triples = [_document(d, f"documents[{i}]", require_id=True) for i, d in enumerate(docs)]
    total = sum(len(t[0]) for t in triples)
    char_limit = current_app.config["MAX_CHARS_PER_REQUEST"]
    if total > char_limit:
        raise APIError(413, "too_many_characters",
                       f"the documents have {total} characters in all; the limit is {char_limit} per request")
    ids = [t[2] for t in triples]
    if len(set(ids)) != len(ids):
        raise APIError(422, "duplicate_id", "document ids must be unique within a request")
    model = theme_model()
    results = model.predict_articles(triples)
    return jsonify({"model": model.version,
                    "documents": [{"id": doc_id, **r.to_dict()} for doc_id, r in zip(ids, results)]})


@bp.get("/v1/themes")
def themes():
    return jsonify({"themes": [t.to_dict() for t in theme_model().codebook.themes]})


@bp.get("/v1/topics")
def topics():
    return jsonify({"topics": theme_model().describe_topics(15)})


@bp.get("/v1/model")
def model_card():
    model = theme_model()
    meta = model.metadata
    return jsonify({
        "model_version": meta.get("model_version"),
        "created_utc": meta.get("created_utc"),
        "mode": meta.get("mode"),
        "themes": meta.get("themes"),
        "training_data": meta.get("training_data"),
        "parameters": meta.get("parameters"),
        "package_versions": meta.get("package_versions"),
        "metrics": meta.get("metrics"),
        "limits": {"max_chars_per_doc": current_app.config["MAX_CHARS_PER_DOC"],
                   "max_docs_per_request": current_app.config["MAX_DOCS_PER_REQUEST"],
                   "max_chars_per_request": current_app.config["MAX_CHARS_PER_REQUEST"],
                   "max_request_bytes": current_app.config["MAX_CONTENT_LENGTH"]},
    })


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok", "model": theme_model().version})


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_spec

    return jsonify(build_spec(current_app.config))
