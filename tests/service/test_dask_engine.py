"""`dangjian label --engine dask`: the same files as the local engine, on a
real dask.distributed LocalCluster, with resume and a worker killed mid-run."""
import json
import os
import threading
import time

import pytest

from dangjian.service.batch import main, run_label
from tests.conftest import DATA, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(small_trained):
    return str(small_trained[0].bundle)


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield cluster, client


def inputs(tmp_path, n=40):
    lines = (DATA / "raw" / "xwlb_news_sample.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    news = tmp_path / "news.jsonl"
    # a broken record, a repeated article and a record with no text among good ones
    news.write_text("\n".join(lines[:10] + ["{not json", lines[3], '{"id": "x", "text": ""}'] + lines[10:]) + "\n",
                    encoding="utf-8")
    csv_file = tmp_path / "more.csv"
    csv_file.write_text('id,title,text,region\n1,标题一,"村党支部领办合作社，\n带动村集体经济增收。",山东\n'
                        '2,标题二,开展党员积分制管理，量化考核党员表现。,河北\n', encoding="utf-8")
    return [str(news), str(csv_file), str(SEEDS[0])]


def read(path):
    return path.read_text(encoding="utf-8") if path.exists() else None


def test_dask_local_cluster_writes_what_the_local_engine_writes(tmp_path, bundle):
    paths = inputs(tmp_path)
    local, dask = tmp_path / "local.csv", tmp_path / "dask.csv"
    args = ["--model", bundle, "--no-progress"]
    assert main(paths + ["-o", str(local), "--summary", str(tmp_path / "ls.csv")] + args) == 1  # the broken record
    assert main(paths + ["-o", str(dask), "--summary", str(tmp_path / "ds.csv"), "--engine", "dask",
                         "--workers", "2"] + args) == 1
    assert read(dask) == read(local)
    assert read(tmp_path / "ds.csv") == read(tmp_path / "ls.csv")
    errors = [json.loads(line) for line in read(tmp_path / "dask.csv.errors.jsonl").splitlines()]
    assert errors == [json.loads(line) for line in read(tmp_path / "local.csv.errors.jsonl").splitlines()]
    assert [e["line"] for e in errors] == [11, 13]


def test_dask_on_a_running_cluster_resumes_and_survives_a_killed_worker(tmp_path, bundle, cluster):
    _, client = cluster
    paths = inputs(tmp_path, n=120)
    reference = tmp_path / "reference.jsonl"
    run_label(paths, reference, bundle, progress=False)
    out = tmp_path / "dask.jsonl"
    # resume: a first run over part of the input, then the whole
    run_label(paths[1:], out, bundle, progress=False, engine="dask", scheduler=client.scheduler.address)
    killed = []
    size_before = out.stat().st_size

    def kill_a_worker_once_rows_appear():
        deadline = time.time() + 120
        while time.time() < deadline:
            if out.stat().st_size > size_before + 5_000:
                worker = sorted(client.scheduler_info()["workers"])[0]
                try:
                    client.run(os._exit, 1, workers=[worker])
                except Exception:  # noqa: BLE001 - the worker dies while answering
                    pass
                killed.append(worker)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_a_worker_once_rows_appear, daemon=True)
    watcher.start()
    stats = run_label(paths, out, bundle, progress=False, engine="dask", scheduler=client.scheduler.address,
                      partition_bytes=4000)
    watcher.join(timeout=5)
    assert stats.skipped >= 3  # the CSV and seed articles of the first run, and the repeat
    got = [json.loads(line) for line in read(out).splitlines()]
    want = [json.loads(line) for line in read(reference).splitlines()]
    key = lambda r: (r["content_hash"], r["index"])  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, want))  # nothing lost, nothing twice
    assert sorted(got, key=key) == sorted(want, key=key)
    assert killed, "the test did not get to kill a worker"
