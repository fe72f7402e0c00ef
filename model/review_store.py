"""The review store: units, the model's predictions for them, and analysts'
corrections, in one SQLite file (Python's ``sqlite3``, WAL mode).

Tables (see :data:`MIGRATIONS`)::

    units        id, text, text_hash (unique), key ("<article>-p<index>"), article,
                 source, version (how many corrections it has had), added_utc
    predictions  id, unit_id, model_version, themes, primary_theme, scores,
                 evidence, keyword_themes, candidate_themes, worth, added_utc
                 (one per unit and model version)
    corrections  id, unit_id, prediction_id (the prediction corrected), version,
                 labels, primary_theme, reviewer, note, created_utc
                 (unique per unit and version: the conflict check)
    loads        one row per loaded file: path, sha256, counts, loaded_utc

The schema is versioned: ``PRAGMA user_version`` is the number of migrations
applied, and :meth:`ReviewStore.migrate` applies the missing ones in order,
each in its own transaction. A file from a newer version is refused.

Every method opens its own short-lived connection, so one store object serves
threads and processes alike; writes take the write lock at once
(``BEGIN IMMEDIATE``) and wait up to :data:`BUSY_TIMEOUT` seconds for it.

Two reviewers never silently overwrite each other: a correction says which
version of the unit it was made against, and is refused
(:class:`~dangjian.model.errors.CorrectionConflictError`) if the unit has
moved on meanwhile.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .errors import (CorrectionConflictError, IncompatibleStoreError, InvalidCorrectionError, ReviewStoreError,
                     UnknownUnitError)

logger = logging.getLogger(__name__)

__all__ = ["ReviewStore", "LoadCounts", "MIGRATIONS", "text_hash", "utc_timestamp", "parse_timestamp"]

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another's lock

MIGRATIONS: tuple[str, ...] = (
    # 1: units, predictions, corrections
    """
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        text_hash TEXT NOT NULL UNIQUE,
        key TEXT NOT NULL,
        article TEXT NOT NULL,
        source TEXT,
        version INTEGER NOT NULL DEFAULT 0,
        added_utc TEXT NOT NULL
    );
    CREATE INDEX units_article ON units (article);
    CREATE INDEX units_source ON units (source);
    CREATE TABLE predictions (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units (id),
        model_version TEXT NOT NULL,
        themes TEXT NOT NULL,
        primary_theme TEXT,
        scores TEXT NOT NULL,
        evidence TEXT NOT NULL,
        keyword_themes TEXT NOT NULL,
        candidate_themes TEXT NOT NULL,
        worth REAL NOT NULL,
        added_utc TEXT NOT NULL,
        UNIQUE (unit_id, model_version)
    );
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units (id),
        prediction_id INTEGER REFERENCES predictions (id),
        version INTEGER NOT NULL,
        labels TEXT NOT NULL,
        primary_theme TEXT,
        reviewer TEXT NOT NULL,
        note TEXT,
        created_utc TEXT NOT NULL,
        UNIQUE (unit_id, version)
    );
    CREATE INDEX corrections_created ON corrections (created_utc);
    """,
    # 2: a record of loaded files, and the queue's lookup of a unit's latest prediction
    """
    CREATE TABLE loads (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        n_rows INTEGER NOT NULL,
        n_units_added INTEGER NOT NULL,
        n_predictions_added INTEGER NOT NULL,
        loaded_utc TEXT NOT NULL
    );
    CREATE INDEX predictions_unit ON predictions (unit_id, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def utc_timestamp() -> str:
    """Now, in UTC, as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (sorts as text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: str) -> str:
    """An ISO 8601 date or time (``2026-11-29``, ``2026-11-29T16:00:00Z``,
    ``…+08:00``) in the store's format, in UTC; ValueError when it is none.
    A time without a zone is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected an ISO 8601 date or time, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date or time such as 2026-11-29T16:00:00Z, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class LoadCounts:
    n_rows: int = 0
    n_units_added: int = 0
    n_predictions_added: int = 0


class ReviewStore:
    """The review store in the SQLite file ``path`` (see the module docstring).

    ``themes`` are the valid theme ids (a correction naming another is
    refused). :meth:`open` creates the file if it is missing and migrates it.
    """

    def __init__(self, path: str | Path, themes: Sequence[str] = ()):
        self.path = Path(path)
        self.themes = tuple(themes)

    # -- connections and schema ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, themes: Sequence[str] = ()) -> "ReviewStore":
        """The store at ``path``, created if missing and migrated to the current schema."""
        store = cls(path, themes)
        store.migrate()
        return store

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"{self.path}: cannot open the review store: {exc}") from None
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as conn:
            try:
                yield conn
            except sqlite3.DatabaseError as exc:
                raise ReviewStoreError(f"{self.path}: {exc}") from None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the write lock from its start."""
        with closing(self._connect()) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise ReviewStoreError(f"{self.path}: cannot write to the review store: {exc}") from None
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            try:
                conn.commit()
            except sqlite3.DatabaseError as exc:
                raise ReviewStoreError(f"{self.path}: cannot commit: {exc}") from None

    def schema_version(self) -> int:
        with self._reading() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Create the file if needed, switch it to WAL and apply every missing
        migration, each in one transaction. Returns the schema version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise ReviewStoreError(f"{self.path}: not a review store (SQLite says: {exc})") from None
            if mode.lower() != "wal":
                raise ReviewStoreError(f"{self.path}: cannot switch the store to WAL mode (got {mode!r})")
            while True:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    if version > SCHEMA_VERSION:
                        raise IncompatibleStoreError(
                            f"{self.path}: review store schema version {version}, this version of dangjian-topics "
                            f"knows versions up to {SCHEMA_VERSION}; use a newer dangjian-topics")
                    if version == SCHEMA_VERSION:
                        conn.rollback()
                        return version
                    for statement in MIGRATIONS[version].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {version + 1}")
                    conn.commit()
                    logger.info("review store %s migrated to schema version %d", self.path, version + 1)
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise

    # -- loading ------------------------------------------------------------------------

    def known_predictions(self, hashes: Iterable[str], model_version: str) -> set[str]:
        """The text hashes among ``hashes`` that already have a prediction of ``model_version``."""
        hashes = list(hashes)
        found: set[str] = set()
        with self._reading() as conn:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in conn.execute(
                    f"SELECT u.text_hash FROM units u JOIN predictions p ON p.unit_id = u.id "
                    f"WHERE p.model_version = ? AND u.text_hash IN ({marks})", [model_version, *chunk]))
        return found

    def add_units(self, units: Iterable[tuple[dict, object]]) -> LoadCounts:
        """Add units and their predictions in one transaction: ``(unit, review)``
        pairs, ``unit`` a dict with ``text``, ``key``, ``article``, ``source``
        and ``review`` a :class:`~dangjian.model.review_queue.UnitReview`.
        A unit already held (same text) or a prediction already held (same
        unit and model version) is not added again."""
        counts = LoadCounts()
        now = utc_timestamp()
        with self._writing() as conn:
            for unit, review in units:
                counts.n_rows += 1
                digest = text_hash(unit["text"])
                cur = conn.execute(
                    "INSERT INTO units (text, text_hash, key, article, source, added_utc) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (text_hash) DO NOTHING",
                    (unit["text"], digest, unit["key"], unit["article"], unit.get("source"), now))
                counts.n_units_added += cur.rowcount
                unit_id = conn.execute("SELECT id FROM units WHERE text_hash = ?", (digest,)).fetchone()[0]
                cur = conn.execute(
                    "INSERT INTO predictions (unit_id, model_version, themes, primary_theme, scores, evidence, "
                    "keyword_themes, candidate_themes, worth, added_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (unit_id, model_version) DO NOTHING",
                    (unit_id, review.model_version, _dumps(review.themes), review.primary, _dumps(review.scores),
                     _dumps(review.evidence), _dumps(review.keyword_themes), _dumps(review.candidate_themes),
                     review.worth, now))
                counts.n_predictions_added += cur.rowcount
        return counts

    def record_load(self, path: str, sha256: str, counts: LoadCounts) -> None:
        with self._writing() as conn:
            conn.execute("INSERT INTO loads (path, sha256, n_rows, n_units_added, n_predictions_added, loaded_utc) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (path, sha256, counts.n_rows, counts.n_units_added, counts.n_predictions_added, utc_timestamp()))

    # -- the queue ----------------------------------------------------------------------

    _LATEST_PREDICTION = "p.id = (SELECT MAX(id) FROM predictions WHERE unit_id = u.id)"

    @staticmethod
    def _filters(theme: str | None, article: str | None, source: str | None) -> tuple[str, list]:
        where, args = [], []
        if theme is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(p.candidate_themes) WHERE value = ?)")
            args.append(theme)
        if article is not None:
            where.append("u.article = ?")
            args.append(article)
        if source is not None:
            where.append("u.source = ?")
            args.append(source)
        return "".join(f" AND {w}" for w in where), args

    def queue(self, limit: int = 20, theme: str | None = None, article: str | None = None,
              source: str | None = None) -> list[dict]:
        """Unreviewed units, the most worth correcting first (ties: the order
        they were added), optionally only those of a theme (assigned, keyword or
        near its threshold), an article or a source."""
        self._check_theme(theme)
        extra, args = self._filters(theme, article, source)
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT u.*, p.id AS prediction_id, p.model_version, p.themes, p.primary_theme, p.scores, "
                f"p.evidence, p.keyword_themes, p.worth FROM units u JOIN predictions p ON {self._LATEST_PREDICTION} "
                f"WHERE u.version = 0{extra} ORDER BY p.worth DESC, u.id LIMIT ?", [*args, int(limit)]).fetchall()
        return [_queue_unit(r) for r in rows]

    def progress(self, theme: str | None = None, article: str | None = None, source: str | None = None) -> dict:
        """``{"reviewed", "queued"}``: units corrected at least once, and all units (under the same filters)."""
        self._check_theme(theme)
        extra, args = self._filters(theme, article, source)
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT COUNT(*) AS queued, COALESCE(SUM(u.version > 0), 0) AS reviewed FROM units u "
                f"JOIN predictions p ON {self._LATEST_PREDICTION} WHERE 1 = 1{extra}", args).fetchone()
        return {"reviewed": row["reviewed"], "queued": row["queued"]}

    def unit(self, unit_id: int) -> dict:
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT u.*, p.id AS prediction_id, p.model_version, p.themes, p.primary_theme, p.scores, "
                f"p.evidence, p.keyword_themes, p.worth FROM units u LEFT JOIN predictions p "
                f"ON {self._LATEST_PREDICTION} WHERE u.id = ?", (unit_id,)).fetchone()
        if row is None:
            raise UnknownUnitError(f"no unit with id {unit_id} in the review store")
        return _queue_unit(row)

    # -- corrections --------------------------------------------------------------------

    def _check_theme(self, theme: str | None) -> None:
        if theme is not None and self.themes and theme not in self.themes:
            raise InvalidCorrectionError("unknown_theme", f"unknown theme id {theme!r}; theme ids are {list(self.themes)}")

    def validate_correction(self, labels: object, primary: object) -> tuple[list[str], str | None]:
        """``(labels, primary)`` if valid; InvalidCorrectionError saying what is wrong otherwise."""
        if not isinstance(labels, list) or not all(isinstance(t, str) for t in labels):
            raise InvalidCorrectionError("invalid_labels", "'labels' must be a list of theme ids")
        unknown = [t for t in labels if self.themes and t not in self.themes]
        if unknown:
            raise InvalidCorrectionError("unknown_theme",
                                         f"unknown theme id(s) {unknown}; theme ids are {list(self.themes)}")
        if len(set(labels)) != len(labels):
            raise InvalidCorrectionError("invalid_labels", f"a theme is repeated in {labels}")
        if primary is not None and not isinstance(primary, str):
            raise InvalidCorrectionError("invalid_primary", "'primary' must be a theme id or null")
        if labels and primary not in labels:
            raise InvalidCorrectionError("invalid_primary", f"primary {primary!r} is not among the labels {labels}")
        if not labels and primary is not None:
            raise InvalidCorrectionError("invalid_primary", f"primary {primary!r} given but the labels are empty")
        return list(labels), primary

    def add_correction(self, unit_id: int, labels: list[str], primary: str | None, *, version: int = 0,
                       reviewer: str = "analyst", note: str | None = None) -> dict:
        """Record a correction of unit ``unit_id`` made against its ``version``
        (0: not corrected before). Raises UnknownUnitError,
        InvalidCorrectionError or CorrectionConflictError (the unit is at
        another version: someone corrected it meanwhile)."""
        labels, primary = self.validate_correction(labels, primary)
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise InvalidCorrectionError("invalid_version", f"'version' must be an integer >= 0, got {version!r}")
        with self._writing() as conn:
            unit = conn.execute("SELECT version FROM units WHERE id = ?", (unit_id,)).fetchone()
            if unit is None:
                raise UnknownUnitError(f"no unit with id {unit_id} in the review store")
            if unit["version"] != version:
                latest = conn.execute(_CORRECTION_SELECT + " WHERE c.unit_id = ? AND c.version = ?",
                                      (unit_id, unit["version"])).fetchone()
                raise CorrectionConflictError(unit_id, version, unit["version"],
                                              _correction(latest) if latest is not None else None)
            prediction = conn.execute("SELECT MAX(id) FROM predictions WHERE unit_id = ?", (unit_id,)).fetchone()[0]
            cur = conn.execute(
                "INSERT INTO corrections (unit_id, prediction_id, version, labels, primary_theme, reviewer, note, "
                "created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (unit_id, prediction, version + 1, _dumps(labels), primary, reviewer, note, utc_timestamp()))
            conn.execute("UPDATE units SET version = ? WHERE id = ? AND version = ?", (version + 1, unit_id, version))
            row = conn.execute(_CORRECTION_SELECT + " WHERE c.id = ?", (cur.lastrowid,)).fetchone()
        logger.info("correction %d of unit %d (version %d) by %s", row["id"], unit_id, version + 1, reviewer)
        return _correction(row)

    def corrections(self, since: str | None = None, latest_only: bool = False) -> list[dict]:
        """Corrections in the order they were made; ``since`` (an ISO time)
        keeps those made after it; ``latest_only`` keeps each unit's latest."""
        where, args = [], []
        if since is not None:
            where.append("c.created_utc > ?")
            args.append(parse_timestamp(since))
        if latest_only:
            where.append("c.version = u.version")
        sql = _CORRECTION_SELECT + ("" if not where else " WHERE " + " AND ".join(where)) + " ORDER BY c.created_utc, c.id"
        with self._reading() as conn:
            return [_correction(r) for r in conn.execute(sql, args)]


_CORRECTION_SELECT = (
    "SELECT c.*, u.text, u.key, u.article, u.source, p.model_version, p.themes AS predicted_themes, "
    "p.primary_theme AS predicted_primary FROM corrections c JOIN units u ON u.id = c.unit_id "
    "LEFT JOIN predictions p ON p.id = c.prediction_id")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _queue_unit(row: sqlite3.Row) -> dict:
    loads = lambda key, default: json.loads(row[key]) if row[key] is not None else default  # noqa: E731
    return {"id": row["id"], "key": row["key"], "text": row["text"], "article": row["article"],
            "source": row["source"], "version": row["version"],
            "themes": loads("themes", []), "primary": row["primary_theme"], "scores": loads("scores", {}),
            "evidence": loads("evidence", {}), "keyword_themes": loads("keyword_themes", []),
            "worth": row["worth"], "model_version": row["model_version"], "prediction_id": row["prediction_id"]}


def _correction(row: sqlite3.Row) -> dict:
    predicted = json.loads(row["predicted_themes"]) if row["predicted_themes"] is not None else None
    return {"id": row["id"], "unit_id": row["unit_id"], "version": row["version"], "labels": json.loads(row["labels"]),
            "primary": row["primary_theme"], "reviewer": row["reviewer"], "note": row["note"],
            "created_utc": row["created_utc"], "text": row["text"], "key": row["key"], "article": row["article"],
            "source": row["source"],
            "prediction": None if row["prediction_id"] is None else {
                "id": row["prediction_id"], "model_version": row["model_version"],
                "themes": [t["id"] for t in predicted or []], "primary": row["predicted_primary"]}}
