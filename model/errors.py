"""Exceptions raised by the dangjian-topics library.

Everything the library raises on purpose derives from :class:`TopicModelError`,
so the edges (CLI, HTTP service, batch job) can translate them into exit codes
or HTTP statuses without catching unrelated bugs.
"""
from __future__ import annotations

__all__ = [
    "TopicModelError",
    "InvalidDocumentError",
    "DocumentReadError",
    "CodebookError",
    "ArtifactError",
    "IncompatibleArtifactError",
    "ReviewStoreError",
    "IncompatibleStoreError",
    "UnknownUnitError",
    "InvalidCorrectionError",
    "CorrectionConflictError",
    "NotFittedError",
]


def __getattr__(name: str):
    # sklearn's NotFittedError is re-exported here, imported only when asked
    # for: importing the errors must not cost the commands a second of start-up.
    if name == "NotFittedError":
        from sklearn.exceptions import NotFittedError

        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TopicModelError(Exception):
    """Base class of every error the library raises deliberately."""


class InvalidDocumentError(TopicModelError, ValueError):
    """A document's content cannot be processed (empty, wrong type, too long)."""


class DocumentReadError(TopicModelError):
    """A file (or one record in it) cannot be read.

    ``path`` names the file, ``reason`` says why in a few words, and ``line``
    is the 1-based line number for a malformed record in a multi-record file.
    """

    def __init__(self, path: object, reason: str, line: int | None = None):
        from .chars import replace_surrogates

        self.path = replace_surrogates(str(path))
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # picklable, for errors found in worker processes
        return type(self), (self.path, self.reason, self.line)


class CodebookError(TopicModelError, ValueError):
    """The theme codebook (themes.yaml) is invalid."""


class ArtifactError(TopicModelError):
    """A model bundle is missing, incomplete or cannot be trusted."""


class IncompatibleArtifactError(ArtifactError):
    """A model bundle was written by an incompatible version of the library."""


class ReviewStoreError(TopicModelError):
    """The review store (a SQLite file of units, predictions and corrections)
    cannot be opened or used."""


class IncompatibleStoreError(ReviewStoreError):
    """The review store was written by a newer version of the library (its
    schema version is one this version does not know)."""


class UnknownUnitError(ReviewStoreError, LookupError):
    """A correction names a unit the review store does not hold."""


class InvalidCorrectionError(ReviewStoreError, ValueError):
    """A correction is not valid: unknown theme ids, a primary theme that is
    not among the labels, ill-typed fields. ``code`` names the problem."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class CorrectionConflictError(ReviewStoreError):
    """The unit was corrected by someone else since the reviewer read it: the
    version the reviewer saw (``expected``) is not the unit's version now
    (``current``). ``latest`` is the correction that made the current version."""

    def __init__(self, unit_id: int, expected: int, current: int, latest: dict | None):
        self.unit_id, self.expected, self.current, self.latest = unit_id, expected, current, latest
        super().__init__(f"unit {unit_id} is at version {current}, the correction was made against version "
                         f"{expected}; reload the unit and correct it again")
