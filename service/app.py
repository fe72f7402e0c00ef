"""The Flask application factory and ``dangjian serve``.

Production: ``gunicorn -c gunicorn.conf.py`` (app ``dangjian.service.app:create_app()``,
loaded once before the workers fork).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Sequence

from dangjian.model.errors import ArtifactError, TopicModelError

from .errors import ServiceStartError

logger = logging.getLogger(__name__)

DEFAULTS = {
    "MODEL_DIR": "models/latest",
    "MAX_CHARS_PER_DOC": 200_000,
    "MAX_DOCS_PER_REQUEST": 100,
    # All texts of one batch request together; sized so that the largest
    # request finishes well inside gunicorn's timeout (gunicorn.conf.py).
    "MAX_CHARS_PER_REQUEST": 1_000_000,
    # Bodies over this are refused (413) before they are read or parsed.
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # The review store (a SQLite file; created if missing). None: no review loop.
    "REVIEW_DB": None,
}


class BodyLimit:
    """WSGI middleware: a request body over ``limit`` bytes gets a JSON 413,
    whatever its transfer encoding. A declared Content-Length is checked
    before reading; a body without one (chunked) is read up to ``limit + 1``
    bytes and refused if it goes over, instead of being cut at the limit.
    The 413 closes the connection, so the unread rest is not taken for the
    next request."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        import io

        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                too_large = int(length) > self.limit
            except ValueError:
                too_large = False  # werkzeug answers a malformed length itself
            if too_large:
                return self._refuse(start_response)
        elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or "wsgi.input_terminated" in environ:
            stream = environ["wsgi.input"]
            chunks, size = [], 0
            while size <= self.limit:
                chunk = stream.read(min(65536, self.limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > self.limit:
                return self._refuse(start_response)
            body = b"".join(chunks)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)

    def _refuse(self, start_response):
        body = json.dumps({"error": {"code": "request_too_large",
                                     "message": f"request body larger than {self.limit} bytes"}}).encode()
        start_response("413 Request Entity Too Large", [("Content-Type", "application/json"),
                                                         ("Content-Length", str(len(body))), ("Connection", "close")])
        return [body]


def create_app(test_config: dict | None = None, model=None):
    """Build the app: config defaults → ``DANGJIAN_*`` environment → ``test_config``;
    then load the model bundle once (or use ``model``, already loaded). Returns
    the :class:`flask.Flask` app."""
    import jieba
    from flask import Flask, render_template

    from dangjian.model.bundle import load_bundle

    from .errors import register_error_handlers

    jieba.setLogLevel(logging.WARNING)  # jieba logs at DEBUG to stderr by default
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if os.environ.get("DANGJIAN_MODEL"):
        app.config["MODEL_DIR"] = os.environ["DANGJIAN_MODEL"]
    app.config.from_prefixed_env("DANGJIAN")
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if model is None:
        try:
            model = load_bundle(app.config["MODEL_DIR"])
        except ArtifactError as exc:
            raise ServiceStartError(
                f"cannot start: {exc}; or point --model / DANGJIAN_MODEL at a bundle directory") from None
    app.extensions["theme_model"] = model
    logger.info("serving model %s from %s", model.version, app.config["MODEL_DIR"])
    app.extensions["review_store"] = None
    if app.config.get("REVIEW_DB"):
        from dangjian.model.review_store import ReviewStore

        app.extensions["review_store"] = ReviewStore.open(app.config["REVIEW_DB"], model.codebook.ids)
        logger.info("review store %s", app.config["REVIEW_DB"])

    if app.config.get("MAX_CONTENT_LENGTH"):
        app.wsgi_app = BodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])

    from .api import bp
    from .review_api import bp as review_bp

    app.register_blueprint(bp)
    app.register_blueprint(review_bp)
    register_error_handlers(app)

    from dangjian.model.palette import ink, tint

    # Theme colours come from the one palette (model/palette.py); ids are
    # lower_snake_case (the codebook checks it) and colours #RRGGBB, so they
    # are safe inside the page's <style>.
    theme_styles = [{"id": tid, "colour": colour, "ink": ink(colour), "tint": tint(colour, 0.35)}
                    for tid, colour in model.codebook.colours().items()]
    app.context_processor(lambda: {"theme_styles": theme_styles})  # every page: templates/_theme_styles.html

    @app.get("/")
    def index():
        return render_template("index.html", model_version=model.version,
                               max_chars=app.config["MAX_CHARS_PER_DOC"],
                               has_review=app.extensions["review_store"] is not None)

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian serve", description="Run the HTTP service (development server).")
    parser.add_argument("--model", help="bundle directory (default: $DANGJIAN_MODEL or models/latest)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--db", default=os.environ.get("DANGJIAN_REVIEW_DB", "data/review.sqlite"),
                        help="the review store for the page 复核 at /review (a SQLite file, created if missing; "
                             "default: $DANGJIAN_REVIEW_DB or data/review.sqlite)")
    args = parser.parse_args(argv)
    config = {"REVIEW_DB": args.db}
    if args.model:
        config["MODEL_DIR"] = args.model
    try:
        app = create_app(config)
    except TopicModelError as exc:
        print(f"dangjian serve: {exc}", file=sys.stderr)
        return 1
    print(f"serving on http://{args.host}:{args.port}/ (development server; use gunicorn in production)", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    return 0
