"""Promotion: ``<out>/latest`` moves to a new bundle only if it is not worse
than the current one on the held-out units (``--force`` overrides)."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from dangjian.model.errors import ArtifactError, TopicModelError

from .data import LabeledUnit
from .evaluate import evaluate_model

logger = logging.getLogger(__name__)

PROMOTION_TOLERANCE = 0.0  # the new bundle must reach the old one's held-out macro-F1


def read_latest(out_dir: Path) -> Path | None:
    latest = out_dir / "latest"
    if latest.is_symlink() or latest.exists():
        target = latest.resolve()
        return target if target.is_dir() else None
    return None


def point_latest(out_dir: Path, bundle: Path) -> None:
    """Atomically repoint ``out_dir/latest`` (a relative symlink) at ``bundle``."""
    tmp = out_dir / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(bundle.name, tmp)
    os.replace(tmp, out_dir / "latest")


def compare_with_latest(new_macro_f1: float | None, out_dir: Path, heldout: list[LabeledUnit], force: bool) -> dict:
    """Whether the new bundle (held-out macro-F1 ``new_macro_f1``) may become
    ``latest``: yes if there is none yet, or if it is not worse than the
    current one evaluated on the same held-out units, or with ``force``."""
    from dangjian.model.bundle import load_bundle

    previous = read_latest(out_dir)
    if previous is None:
        return {"previous": None, "promoted": True, "reason": "no previous bundle", "heldout_units": len(heldout),
                "previous_macro_f1": None, "new_macro_f1": new_macro_f1}
    if not heldout:
        return {"previous": previous.name, "promoted": True, "reason": "no held-out data to compare on",
                "heldout_units": 0, "previous_macro_f1": None, "new_macro_f1": None}
    try:
        old_model = load_bundle(previous)
        old_metrics, _ = evaluate_model(old_model, heldout)
        old_f1 = old_metrics["macro_f1"]
    except (ArtifactError, TopicModelError, KeyError) as exc:
        logger.warning("previous bundle %s cannot be evaluated (%s); promoting the new one", previous, exc)
        return {"previous": previous.name, "promoted": True, "reason": f"previous bundle unusable: {exc}",
                "heldout_units": len(heldout), "previous_macro_f1": None, "new_macro_f1": new_macro_f1}
    not_worse = new_macro_f1 >= old_f1 - PROMOTION_TOLERANCE
    promoted = not_worse or force
    reason = "not worse on held-out macro-F1" if not_worse else ("worse, but --force" if force else "worse on held-out macro-F1")
    return {"previous": previous.name, "promoted": promoted, "reason": reason, "heldout_units": len(heldout),
            "previous_macro_f1": old_f1, "new_macro_f1": new_macro_f1}


def new_bundle_version(data_sha: str) -> str:
    """``<UTC time>-<data hash>-<random>``: two runs on the same data that
    finish in the same second still get different names."""
    import secrets

    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{data_sha[:8]}-{secrets.token_hex(4)}"
