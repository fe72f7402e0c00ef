"""The review store on a real SQLite file: migrations, idempotent loading,
the queue's order and filters, the conflict check, two processes writing."""
import multiprocessing
import sqlite3

import pytest

from dangjian.model.errors import (CorrectionConflictError, IncompatibleStoreError, InvalidCorrectionError,
                                   ReviewStoreError, UnknownUnitError)
from dangjian.model.review_queue import UnitReview, correction_worth
from dangjian.model.review_store import MIGRATIONS, SCHEMA_VERSION, ReviewStore, parse_timestamp

THEMES = ("governance", "collective_economy", "organization")
THRESHOLDS = {"governance": 0.5, "collective_economy": 0.4, "organization": 0.6}


def review(text, scores, keywords=(), version="m1"):
    assigned = [t for t in THEMES if scores[t] >= THRESHOLDS[t]]
    assigned.sort(key=lambda t: -scores[t])
    return UnitReview(text=text, model_version=version,
                      themes=[{"id": t, "name": t, "score": scores[t]} for t in assigned],
                      primary=assigned[0] if assigned else None, scores=scores,
                      evidence={t: ["词"] for t in assigned}, keyword_themes=list(keywords),
                      candidate_themes=sorted(set(assigned) | set(keywords)),
                      worth=correction_worth(scores, THRESHOLDS, assigned, keywords))


def unit(text, article="a1", index=0, source="乡村干部报网"):
    return {"text": text, "key": f"{article}-p{index}", "article": article, "source": source}


CLEAR = {"governance": 0.99, "collective_economy": 0.01, "organization": 0.02}
BORDERLINE = {"governance": 0.51, "collective_economy": 0.45, "organization": 0.1}
NOTHING = {"governance": 0.01, "collective_economy": 0.02, "organization": 0.01}


@pytest.fixture
def store(tmp_path):
    s = ReviewStore.open(tmp_path / "review.sqlite", THEMES)
    s.add_units([(unit("清楚的治理段落。", "a1", 0), review("清楚的治理段落。", CLEAR, ["governance"])),
                 (unit("模棱两可的段落。", "a1", 1), review("模棱两可的段落。", BORDERLINE)),
                 (unit("无主题的段落。", "a2", 0, "人民网"), review("无主题的段落。", NOTHING))])
    return s


def test_review_store_open_creates_a_wal_file_at_the_current_schema(tmp_path):
    path = tmp_path / "sub" / "review.sqlite"
    store = ReviewStore.open(path, THEMES)
    assert path.is_file()
    assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"units", "predictions", "corrections", "loads"} <= tables


def test_review_store_migrates_an_older_schema_and_keeps_its_data(tmp_path):
    path = tmp_path / "review.sqlite"
    with sqlite3.connect(path) as conn:  # a store as version 1 wrote it
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO units (text, text_hash, key, article, source, added_utc) "
                     "VALUES ('旧段落', 'h', 'a-p0', 'a', NULL, '2026-01-01T00:00:00.000000Z')")
    store = ReviewStore.open(path, THEMES)
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT text FROM units").fetchall() == [("旧段落",)]
        assert conn.execute("SELECT COUNT(*) FROM loads").fetchone()[0] == 0
    assert ReviewStore.open(path, THEMES).schema_version() == SCHEMA_VERSION  # opening again changes nothing


def test_review_store_refuses_a_newer_schema_and_a_file_that_is_no_database(tmp_path):
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(IncompatibleStoreError, match="schema version"):
        ReviewStore.open(newer, THEMES)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ReviewStoreError):
        ReviewStore.open(junk, THEMES)
    assert junk.read_bytes() == b"not a database at all" * 100  # never overwritten


def test_review_store_adding_the_same_units_again_adds_nothing(store):
    again = store.add_units([(unit("清楚的治理段落。"), review("清楚的治理段落。", CLEAR, ["governance"])),
                             (unit("无主题的段落。", "a2"), review("无主题的段落。", NOTHING))])
    assert (again.n_rows, again.n_units_added, again.n_predictions_added) == (2, 0, 0)
    assert store.progress() == {"reviewed": 0, "queued": 3}
    newer = store.add_units([(unit("清楚的治理段落。"), review("清楚的治理段落。", NOTHING, version="m2"))])
    assert (newer.n_units_added, newer.n_predictions_added) == (0, 1)
    first = next(u for u in store.queue() if u["text"] == "清楚的治理段落。")
    assert first["model_version"] == "m2" and first["themes"] == []  # the latest prediction counts


def test_review_queue_puts_the_borderline_unit_first_and_filters(store):
    texts = [u["text"] for u in store.queue()]
    assert texts[0] == "模棱两可的段落。"
    assert set(texts) == {"清楚的治理段落。", "模棱两可的段落。", "无主题的段落。"}
    assert [u["text"] for u in store.queue(limit=1)] == ["模棱两可的段落。"]
    assert {u["text"] for u in store.queue(theme="governance")} == {"清楚的治理段落。", "模棱两可的段落。"}
    assert [u["text"] for u in store.queue(article="a2")] == ["无主题的段落。"]
    assert [u["text"] for u in store.queue(source="人民网")] == ["无主题的段落。"]
    assert store.queue(theme="organization") == []
    with pytest.raises(InvalidCorrectionError, match="unknown theme"):
        store.queue(theme="nonsense")


def test_review_correction_leaves_the_queue_and_conflicts_give_an_error(store):
    target = store.queue()[0]
    assert target["version"] == 0
    made = store.add_correction(target["id"], ["collective_economy", "governance"], "collective_economy",
                                version=0, reviewer="王", note="主要讲合作社")
    assert made["version"] == 1 and made["labels"] == ["collective_economy", "governance"]
    assert made["prediction"]["themes"] == ["governance", "collective_economy"]
    assert target["id"] not in [u["id"] for u in store.queue()]
    assert store.progress() == {"reviewed": 1, "queued": 3}
    # a second reviewer who read version 0 must not overwrite the first
    with pytest.raises(CorrectionConflictError) as caught:
        store.add_correction(target["id"], ["governance"], "governance", version=0, reviewer="李")
    assert caught.value.current == 1 and caught.value.latest["reviewer"] == "王"
    # against the current version it is accepted, and the latest wins
    store.add_correction(target["id"], ["governance"], "governance", version=1, reviewer="李")
    latest = store.corrections(latest_only=True)
    assert [(c["reviewer"], c["labels"]) for c in latest] == [("李", ["governance"])]
    assert len(store.corrections()) == 2


@pytest.mark.parametrize("labels, primary, code", [
    (["nonsense"], "nonsense", "unknown_theme"),
    (["governance"], "organization", "invalid_primary"),
    (["governance"], None, "invalid_primary"),
    ([], "governance", "invalid_primary"),
    ("governance", "governance", "invalid_labels"),
    (["governance", "governance"], "governance", "invalid_labels"),
])
def test_review_correction_invalid_inputs_are_refused(store, labels, primary, code):
    target = store.queue()[0]
    with pytest.raises(InvalidCorrectionError) as caught:
        store.add_correction(target["id"], labels, primary)
    assert caught.value.code == code
    assert store.corrections() == []


def test_review_correction_of_an_unknown_unit_is_refused(store):
    with pytest.raises(UnknownUnitError):
        store.add_correction(99999, [], None)


def test_review_corrections_since(store):
    ids = [u["id"] for u in store.queue()]
    first = store.add_correction(ids[0], [], None)
    second = store.add_correction(ids[1], ["governance"], "governance")
    assert [c["id"] for c in store.corrections(since=first["created_utc"])] == [second["id"]]
    assert len(store.corrections(since="2000-01-01")) == 2
    assert store.corrections(since="2999-01-01T00:00:00+08:00") == []
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


def _correct_in_process(path, unit_id, reviewer, barrier, results):
    store = ReviewStore(path, THEMES)
    barrier.wait()
    try:
        store.add_correction(unit_id, ["governance"], "governance", version=0, reviewer=reviewer)
        results.put(("ok", reviewer))
    except CorrectionConflictError as exc:
        results.put(("conflict", exc.current))


def _load_in_process(path, start, barrier):
    store = ReviewStore(path, THEMES)
    barrier.wait()
    for i in range(start, start + 40):
        store.add_units([(unit(f"段落{i}", "b", i), review(f"段落{i}", BORDERLINE))])


def test_review_store_two_processes_writing_at_once(store):
    ctx = multiprocessing.get_context("spawn")
    # two reviewers confirm the same unit at the same moment: one wins, the other gets a conflict
    target = store.queue()[0]["id"]
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_correct_in_process, args=(str(store.path), target, name, barrier, results))
             for name in ("甲", "乙")]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert [o[0] for o in outcomes] == ["conflict", "ok"]
    assert outcomes[0][1] == 1
    assert len(store.corrections()) == 1
    # two loaders writing units at once lose nothing
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_load_in_process, args=(str(store.path), start, barrier)) for start in (0, 20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert store.progress()["queued"] == 3 + 60  # 段落0..段落59, the overlap added once
