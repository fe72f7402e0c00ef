"""Model bundles: one directory per trained model, with a readable manifest.

Layout of ``models/<version>/``::

    model.json      manifest: format, schema_version, model_version, created_utc,
                    git_commit, segmenter (jieba or jieba-next, see
                    model/tokenizer.py), training_data {path, sha256, n_units, ...},
                    parameters, package_versions, metrics, files {name: sha256}
    pipeline.pickle the ThemeModel (text pipeline + classifier + codebook), pickle
                    protocol 5 (bundles before it: pipeline.joblib, still read)
    topics.json     every LDA topic's mapped theme and top words
    themes.yaml     the codebook the model was trained with
    user_dict.txt   the jieba user words it tokenizes with
    report.md/.json the training report (when training wrote one)

``load_bundle`` reads and checks ``model.json`` *before* unpickling anything:
its shape, format and schema version, that every file it lists is a plain
name inside the bundle, present, and has the listed checksum. Checksums catch
corruption and accidental edits, not an attacker: whoever can write the
bundle can rewrite its manifest too. joblib is pickle, and unpickling runs
code, so load only bundles you trust.

Signing closes that gap where bundles travel: when ``DANGJIAN_BUNDLE_KEY`` is
set, ``save_bundle`` writes ``model.sig``, an HMAC-SHA256 of ``model.json``
with that key, and ``load_bundle`` refuses any bundle whose signature is
missing or wrong before it unpickles anything.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import platform
import shutil
import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

from .errors import ArtifactError, IncompatibleArtifactError

logger = logging.getLogger(__name__)

__all__ = ["save_bundle", "load_bundle", "read_manifest", "resolve_bundle", "package_versions",
           "FORMAT", "SCHEMA_VERSION", "MANIFEST"]

FORMAT = "dangjian-topics-bundle"
SCHEMA_VERSION = 2  # 2: classes under dangjian.*, word-vector block, (regression, sigmoid) pairs
MANIFEST = "model.json"
SIGNATURE = "model.sig"
PIPELINE = "pipeline.pickle"
# Bundles written before: the same object in joblib's container. joblib.load
# unpickles in pure Python (0.58 s for the default bundle); pickle.load of
# the same object with protocol 5 takes 0.06 s: that is most of loading a bundle.
LEGACY_PIPELINE = "pipeline.joblib"
KEY_VARIABLE = "DANGJIAN_BUNDLE_KEY"
_REQUIRED_KEYS = {"format", "schema_version", "model_version", "created_utc", "files", "package_versions"}
_CHECKED_PACKAGES = ("scikit-learn", "gensim", "numpy", "scipy", "joblib")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_RECORDED_PACKAGES = ("scikit-learn", "gensim", "jieba", "jieba-next", "opencc-python-reimplemented", "numpy", "scipy",
                      "joblib")


def package_versions(names=_RECORDED_PACKAGES) -> dict[str, str]:
    """Python's version and those of ``names`` (by default every package a bundle records)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_commit() -> str | None:
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def resolve_bundle(path: str | Path) -> Path:
    """The bundle directory ``path`` names (following a ``latest`` symlink)."""
    path = Path(path)
    if not path.exists():
        raise ArtifactError(f"{path}: no model bundle here (train one with `dangjian train`)")
    resolved = path.resolve()
    if not resolved.is_dir():
        raise ArtifactError(f"{path}: not a bundle directory")
    return resolved


def read_manifest(path: str | Path) -> dict:
    """Read and validate a bundle's ``model.json`` without unpickling anything."""
    directory = resolve_bundle(path)
    manifest_path = directory / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: missing {MANIFEST}; not a dangjian-topics bundle") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{manifest_path}: unreadable manifest: {exc}") from None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{manifest_path}: manifest must be a JSON object")
    missing = _REQUIRED_KEYS - set(manifest)
    if missing:
        raise ArtifactError(f"{manifest_path}: manifest lacks {sorted(missing)}")
    _check_manifest_shape(manifest, manifest_path)
    if manifest["format"] != FORMAT:
        raise IncompatibleArtifactError(f"{manifest_path}: format {manifest['format']!r}, expected {FORMAT!r}")
    if manifest["schema_version"] != SCHEMA_VERSION:
        raise IncompatibleArtifactError(
            f"{manifest_path}: bundle schema_version {manifest['schema_version']!r}, this version of "
            f"dangjian-topics reads schema_version {SCHEMA_VERSION}; retrain with `dangjian train`")
    return manifest


def _check_manifest_shape(manifest: dict, manifest_path: Path) -> None:
    """The types the loader relies on, and file names that stay inside the bundle."""
    files = manifest["files"]
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise ArtifactError(f"{manifest_path}: 'files' must be an object of file name to sha256, got {type(files).__name__}")
    for name in files:
        if not name or name != Path(name).name or name in (".", "..") or "\\" in name:
            raise ArtifactError(f"{manifest_path}: file name {name!r} is not a plain name inside the bundle")
    versions = manifest["package_versions"]
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        raise ArtifactError(f"{manifest_path}: 'package_versions' must be an object of package to version string")
    for key in ("model_version", "created_utc"):
        if not isinstance(manifest[key], str):
            raise ArtifactError(f"{manifest_path}: {key!r} must be a string")


def _bundle_key() -> bytes | None:
    key = os.environ.get(KEY_VARIABLE)
    return key.encode("utf-8") if key else None


def _signature(manifest_bytes: bytes, key: bytes) -> str:
    return hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()


def verify_signature(directory: Path) -> None:
    """With a key in ``DANGJIAN_BUNDLE_KEY``: the bundle's ``model.sig`` must be
    the HMAC of its ``model.json``. Without a key there is nothing to check."""
    key = _bundle_key()
    if key is None:
        return
    sig_path = directory / SIGNATURE
    try:
        signature = sig_path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: unsigned bundle ({SIGNATURE} missing) and {KEY_VARIABLE} is set; "
                            f"refusing to load it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{sig_path}: unreadable signature: {exc}") from None
    expected = _signature((directory / MANIFEST).read_bytes(), key)
    if not hmac.compare_digest(signature, expected):
        raise ArtifactError(f"{directory}: signature does not match {MANIFEST} under the key in {KEY_VARIABLE}; "
                            f"the bundle was changed or signed with another key")


def save_bundle(model, out_dir: str | Path, *, metrics: dict | None = None, parameters: dict | None = None,
                training_data: dict | None = None, report: dict | None = None, report_md: str | None = None,
                model_version: str | None = None) -> Path:
    """Write ``model`` as a bundle directory ``out_dir`` (atomically: built in
    a temporary directory beside it, then renamed). Never mutates ``model``."""
    import yaml

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ArtifactError(f"{out_dir}: already exists; bundles are never overwritten")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        with open(tmp / PIPELINE, "wb") as fh:  # uncompressed: loads fastest
            pickle.dump(model, fh, protocol=5)
        (tmp / "topics.json").write_text(json.dumps(model.describe_topics(20), ensure_ascii=False, indent=1), encoding="utf-8")
        (tmp / "themes.yaml").write_text(yaml.safe_dump(model.codebook.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        tok = model.text_pipeline.tokenizer
        (tmp / "user_dict.txt").write_text(
            "".join(" ".join(str(x) for x in entry if x is not None) + "\n" for entry in tok.user_words), encoding="utf-8")
        if report is not None:
            (tmp / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        if report_md is not None:
            (tmp / "report.md").write_text(report_md, encoding="utf-8")
        manifest = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "model_version": model_version or out_dir.name,
            "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "git_commit": _git_commit(),
            "mode": model.mode,
            "themes": model.codebook.ids,
            # which implementation segmented the training text (both give jieba 0.42.1's tokens)
            "segmenter": model.text_pipeline.tokenizer.segmenter if model.text_pipeline.tokenizer else None,
            "training_data": training_data or {},
            "parameters": parameters or {},
            "package_versions": package_versions(),
            "metrics": metrics or {},
            "signature": {
                "input": "raw article text (str) or paragraph unit texts (list[str])",
                "output": "paragraphs with themes [{id, name, score}], primary, evidence, topics; article theme shares",
            },
            "files": {p.name: sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()},
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        (tmp / MANIFEST).write_bytes(manifest_bytes)
        key = _bundle_key()
        if key is not None:
            (tmp / SIGNATURE).write_text(_signature(manifest_bytes, key) + "\n", encoding="ascii")
        try:
            os.rename(tmp, out_dir)
        except OSError as exc:  # another process wrote the same name meanwhile
            raise ArtifactError(f"{out_dir}: cannot create the bundle: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("saved model bundle %s", out_dir)
    return out_dir


def verify_bundle(path: str | Path) -> tuple[Path, dict]:
    """Check a bundle without unpickling anything: its manifest's shape, its
    signature when a key is set, and every listed file's checksum. Returns
    the bundle directory and its manifest; raises ArtifactError."""
    directory = resolve_bundle(path)
    manifest = read_manifest(directory)
    verify_signature(directory)
    files = manifest["files"]
    pipeline = next((name for name in (PIPELINE, LEGACY_PIPELINE) if name in files), None)
    if pipeline is None:
        raise ArtifactError(f"{directory}: manifest lists no {PIPELINE}")
    for name, digest in files.items():
        file = directory / name
        if file.resolve().parent != directory:
            raise ArtifactError(f"{directory}: {name} in {MANIFEST} points outside the bundle")
        if not file.is_file():
            raise ArtifactError(f"{directory}: missing {name} listed in {MANIFEST}")
        if sha256_file(file) != digest:
            raise ArtifactError(f"{file}: checksum differs from {MANIFEST}; the bundle was modified or is corrupt")
    return directory, manifest


def bundle_codebook(path: str | Path):
    """The codebook a verified bundle was trained with (its ``themes.yaml``),
    without loading the model."""
    from .codebook import load_codebook

    directory, manifest = verify_bundle(path)
    themes = directory / "themes.yaml"
    return load_codebook(themes if "themes.yaml" in manifest["files"] else None)


def load_bundle(path: str | Path):
    """Load a bundle after checking its manifest and file checksums."""
    from .theme_model import ThemeModel

    directory, manifest = verify_bundle(path)
    pipeline = next(name for name in (PIPELINE, LEGACY_PIPELINE) if name in manifest["files"])
    current = package_versions(_CHECKED_PACKAGES)  # only what is compared: each look-up scans site-packages
    for name in _CHECKED_PACKAGES:
        saved = manifest["package_versions"].get(name)
        if saved and saved != current.get(name):
            warnings.warn(f"{directory}: trained with {name} {saved}, running {current.get(name)}", UserWarning, stacklevel=2)
    try:
        if pipeline == PIPELINE:
            with open(directory / pipeline, "rb") as fh:
                model = pickle.load(fh)
        else:
            import joblib

            model = joblib.load(directory / pipeline)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the bundle is unusable
        raise ArtifactError(f"{directory / pipeline}: cannot load: {type(exc).__name__}: {exc}") from None
    if not isinstance(model, ThemeModel):
        raise ArtifactError(f"{directory / pipeline}: holds {type(model).__name__}, not a ThemeModel")
    model.metadata = manifest
    return model
