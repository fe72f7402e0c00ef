"""The OpenAPI 3 description of the service (served at ``/openapi.json``)."""
from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}



def json_response(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _input_errors(config) -> dict:
    return {
        "400": _error("Body is not valid JSON or not UTF-8"),
        "413": _error(f"Body over {config['MAX_CONTENT_LENGTH']} bytes, text over {config['MAX_CHARS_PER_DOC']} "
                      f"characters, or over {config['MAX_DOCS_PER_REQUEST']} documents "
                      f"or {config['MAX_CHARS_PER_REQUEST']} characters in one batch"),
        "415": _error("Content-Type is not application/json"),
        "422": _error("JSON is valid but not a valid request (missing/empty/ill-typed field)"),
    }


def classification_schemas(config) -> dict:
    """Requests and results of /v1/classify*, the codebook and the topics."""
    max_chars = config["MAX_CHARS_PER_DOC"]
    max_docs = config["MAX_DOCS_PER_REQUEST"]
    return {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "example": "missing_text"},
                "message": {"type": "string"}}}},
        },
        "ClassifyRequest": {
            "type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": max_chars,
                         "description": "The raw article, as scraped; it is cleaned and segmented by the service."},
                "title": {"type": "string", "nullable": True, "description": "optional; null is the same as absent"},
            },
        },
        "BatchDocument": {
            "type": "object", "required": ["id", "text"], "additionalProperties": False,
            "properties": {
                "id": {"oneOf": [{"type": "string"}, {"type": "integer"}],
                       "description": "unique within the request, compared as text: 1 and \"1\" are the same id "
                                      "(a repeat is refused with 422 duplicate_id)"},
                "text": {"type": "string", "minLength": 1, "maxLength": max_chars},
                "title": {"type": "string", "nullable": True, "description": "optional; null is the same as absent"},
            },
        },
        "BatchRequest": {
            "type": "object", "required": ["documents"], "additionalProperties": False,
            "properties": {"documents": {"type": "array", "minItems": 1, "maxItems": max_docs,
                                         "items": _ref("BatchDocument")}},
        },
        "ThemeScore": {"type": "object", "required": ["id", "name", "score"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "score": {"type": "number", "minimum": 0, "maximum": 1}}},
        "ThemeShare": {"type": "object", "required": ["id", "name", "share"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "share": {"type": "number", "minimum": 0, "maximum": 1}}},
        "UnitTopic": {"type": "object", "required": ["id", "weight", "words"], "properties": {
            "id": {"type": "integer"}, "weight": {"type": "number"},
            "words": {"type": "array", "items": {"type": "string"}},
            "theme": {"type": "string", "description": "the theme the topic is seeded for, or 'residual'"},
            "name": {"type": "string", "description": "the theme's Chinese name, or 其他 and the topic's top words"}}},
        "Paragraph": {
            "type": "object",
            "required": ["index", "heading", "text", "start", "end", "themes", "primary", "scores", "evidence", "topics"],
            "properties": {
                "index": {"type": "integer"},
                "heading": {"type": "string", "nullable": True},
                "text": {"type": "string"},
                "start": {"type": "integer", "description": "offset of the unit in the cleaned article"},
                "end": {"type": "integer"},
                "themes": {"type": "array", "items": _ref("ThemeScore"), "description": "themes above their threshold, best first"},
                "primary": {"type": "string", "nullable": True},
                "scores": {"type": "object", "additionalProperties": {"type": "number"},
                           "description": "calibrated score of every theme"},
                "evidence": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                             "description": "per assigned theme, the terms that contributed most to its score"},
                "topics": {"type": "array", "items": _ref("UnitTopic")},
            },
        },
        "Article": {
            "type": "object", "required": ["title", "themes"],
            "properties": {
                "title": {"type": "string", "nullable": True},
                "date": {"type": "string", "nullable": True},
                "source": {"type": "string", "nullable": True},
                "themes": {"type": "array", "items": _ref("ThemeShare")},
                "coverage": {"type": "number", "description": "share of the article's characters in units with a theme"},
            },
        },
        "ClassifyResponse": {
            "type": "object", "required": ["model", "article", "paragraphs"],
            "properties": {"model": {"type": "string"}, "article": _ref("Article"),
                           "paragraphs": {"type": "array", "items": _ref("Paragraph")}},
        },
        "BatchResponse": {
            "type": "object", "required": ["model", "documents"],
            "properties": {"model": {"type": "string"}, "documents": {"type": "array", "items": {
                "type": "object", "required": ["id", "article", "paragraphs"],
                "properties": {"id": {"type": "string"}, "article": _ref("Article"),
                               "paragraphs": {"type": "array", "items": _ref("Paragraph")}}}}},
        },
        "Theme": {"type": "object", "required": ["id", "name", "name_en", "description", "keywords"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
            "description": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}}},
        "Topic": {"type": "object", "required": ["id", "theme", "name", "words"], "properties": {
            "id": {"type": "integer"}, "theme": {"type": "string"}, "name": {"type": "string"},
            "words": {"type": "array", "items": {"type": "string"}}}},
    }


def review_schemas() -> dict:
    """The review queue and corrections (/v1/review, /v1/corrections)."""
    return {
        "ReviewUnit": {
            "type": "object",
            "required": ["id", "text", "article", "themes", "primary", "scores", "evidence", "version"],
            "properties": {
                "id": {"type": "integer", "description": "the unit's id in the review store"},
                "text": {"type": "string"},
                "article": {"type": "string"},
                "source": {"type": "string", "nullable": True},
                "themes": {"type": "array", "items": _ref("ThemeScore"), "description": "the model's themes, best first"},
                "primary": {"type": "string", "nullable": True},
                "scores": {"type": "object", "additionalProperties": {"type": "number"}},
                "evidence": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "version": {"type": "integer", "minimum": 0,
                            "description": "how many corrections the unit has had; send it back with a correction"},
                "keyword_themes": {"type": "array", "items": {"type": "string"},
                                   "description": "themes whose seed keywords occur in the unit"},
                "worth": {"type": "number", "description": "what a correction is worth: the queue's order, highest first"},
                "model_version": {"type": "string", "nullable": True},
            },
        },
        "ReviewQueue": {
            "type": "object", "required": ["units", "progress"],
            "properties": {
                "units": {"type": "array", "items": _ref("ReviewUnit")},
                "progress": {"type": "object", "required": ["reviewed", "queued"], "properties": {
                    "reviewed": {"type": "integer", "description": "units corrected at least once"},
                    "queued": {"type": "integer", "description": "all units under the same filters"}}},
            },
        },
        "CorrectionRequest": {
            "type": "object", "required": ["unit_id", "labels"], "additionalProperties": False,
            "properties": {
                "unit_id": {"type": "integer"},
                "labels": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                           "description": "the unit's themes (ids of the codebook); empty: no theme"},
                "primary": {"type": "string", "nullable": True,
                            "description": "one of labels; null (or absent) only when labels is empty"},
                "reviewer": {"type": "string", "maxLength": 100},
                "note": {"type": "string", "maxLength": 2000},
                "version": {"type": "integer", "minimum": 0, "default": 0,
                            "description": "the unit's version the correction was made against (from GET /v1/review); "
                                           "a unit corrected by someone else meanwhile answers 409"},
            },
        },
        "Correction": {
            "type": "object",
            "required": ["id", "unit_id", "version", "labels", "primary", "reviewer", "created_utc", "prediction"],
            "properties": {
                "id": {"type": "integer"}, "unit_id": {"type": "integer"},
                "version": {"type": "integer", "description": "the unit's version this correction made"},
                "labels": {"type": "array", "items": {"type": "string"}},
                "primary": {"type": "string", "nullable": True},
                "reviewer": {"type": "string"}, "note": {"type": "string", "nullable": True},
                "created_utc": {"type": "string", "format": "date-time"},
                "text": {"type": "string"}, "key": {"type": "string"}, "article": {"type": "string"},
                "source": {"type": "string", "nullable": True},
                "prediction": {"type": "object", "nullable": True, "description": "the prediction corrected",
                               "properties": {"id": {"type": "integer"}, "model_version": {"type": "string"},
                                              "themes": {"type": "array", "items": {"type": "string"}},
                                              "primary": {"type": "string", "nullable": True}}},
            },
        },
    }


def classification_paths(config) -> dict:
    max_docs = config["MAX_DOCS_PER_REQUEST"]
    input_errors = _input_errors(config)
    return {
        "/v1/classify": {"post": {
            "summary": "Themes of every paragraph of one article",
            "operationId": "classify",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ClassifyRequest")}}},
            "responses": {"200": json_response(_ref("ClassifyResponse")), **input_errors},
        }},
        "/v1/classify/batch": {"post": {
            "summary": f"Themes for up to {max_docs} articles",
            "operationId": "classifyBatch",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("BatchRequest")}}},
            "responses": {"200": json_response(_ref("BatchResponse")), **input_errors},
        }},
        "/v1/themes": {"get": {"summary": "The codebook", "operationId": "themes", "responses": {
            "200": json_response({"type": "object", "required": ["themes"],
                                  "properties": {"themes": {"type": "array", "items": _ref("Theme")}}})}}},
        "/v1/topics": {"get": {"summary": "The LDA topics with their mapped themes", "operationId": "topics", "responses": {
            "200": json_response({"type": "object", "required": ["topics"],
                                  "properties": {"topics": {"type": "array", "items": _ref("Topic")}}})}}},
        "/v1/model": {"get": {"summary": "The model card: version, training data, parameters, evaluation figures",
                              "operationId": "model", "responses": {"200": json_response({"type": "object"})}}},
    }


def review_paths() -> dict:
    return {
        "/v1/review": {"get": {
            "summary": "The review queue: unreviewed paragraphs, the most worth correcting first",
            "operationId": "reviewQueue",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20}},
                {"name": "theme", "in": "query", "schema": {"type": "string"},
                 "description": "only units with this theme assigned, near its threshold, or among the keyword themes"},
                {"name": "article", "in": "query", "schema": {"type": "string"}},
                {"name": "source", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": json_response(_ref("ReviewQueue")),
                          "422": _error("Unknown theme id or a limit out of range"),
                          "503": _error("The service runs without a review store (--db)")},
        }},
        "/v1/corrections": {
            "post": {
                "summary": "Record an analyst's correction of a unit",
                "operationId": "addCorrection",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CorrectionRequest")}}},
                "responses": {
                    "201": json_response({"type": "object", "required": ["correction"],
                                          "properties": {"correction": _ref("Correction")}}, "Created"),
                    "400": _error("Body is not valid JSON or not UTF-8"),
                    "404": _error("Unknown unit"),
                    "409": {"description": "The unit was corrected by someone else since its version was read",
                            "content": {"application/json": {"schema": {"allOf": [_ref("Error"), {
                                "type": "object", "required": ["current"], "properties": {
                                    "current": {"type": "object", "properties": {
                                        "version": {"type": "integer", "description": "the unit's version now"},
                                        "correction": {"allOf": [_ref("Correction")], "nullable": True,
                                                       "description": "the correction that made it"}}}}}]}}}},
                    "415": _error("Content-Type is not application/json"),
                    "422": _error("Unknown theme id, a primary not among the labels, or an ill-typed field"),
                    "503": _error("The service runs without a review store (--db)"),
                },
            },
            "get": {
                "summary": "Corrections in the order they were made",
                "operationId": "corrections",
                "parameters": [{"name": "since", "in": "query", "schema": {"type": "string"},
                                "description": "ISO 8601 time: only corrections made after it"}],
                "responses": {"200": json_response({"type": "object", "required": ["corrections"], "properties": {
                    "corrections": {"type": "array", "items": _ref("Correction")}}}),
                              "422": _error("'since' is not an ISO 8601 time"),
                              "503": _error("The service runs without a review store (--db)")},
            },
        },
    }


def service_paths() -> dict:
    return {
        "/healthz": {"get": {"summary": "Liveness", "operationId": "healthz", "responses": {
            "200": json_response({"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string"}, "model": {"type": "string"}}})}}},
        "/openapi.json": {"get": {"summary": "This description", "operationId": "openapi",
                                  "responses": {"200": json_response({"type": "object"})}}},
    }


def build_spec(config) -> dict:
    """The whole description, from the service's limits (its Flask config)."""
    max_chars = config["MAX_CHARS_PER_DOC"]
    max_docs = config["MAX_DOCS_PER_REQUEST"]
    max_bytes = config["MAX_CONTENT_LENGTH"]
    max_request_chars = config["MAX_CHARS_PER_REQUEST"]
    paths = {**classification_paths(config), **review_paths(), **service_paths()}
    schemas = {**classification_schemas(config), **review_schemas()}
    return {
        "openapi": "3.0.3",
        "info": {"title": "dangjian-topics", "version": "1.0.0",
                 "description": "Paragraph-level themes of Chinese news on grassroots party building. "
                                "Lone surrogate code points in any string (JSON escapes such as \\udc00) are "
                                "replaced with U+FFFD. "
                                f"Limits: {max_chars} characters per text, {max_docs} documents and "
                                f"{max_request_chars} characters per batch, "
                                f"{max_bytes} bytes per request body. Errors are JSON: {{\"error\": {{\"code\", \"message\"}}}}."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
