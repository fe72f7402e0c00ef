"""HTTP service latency and throughput on loopback, against in-process prediction.

Starts gunicorn with 2 workers (``service.app:create_app()``) on 127.0.0.1,
sends a ~300-character paragraph and a ~3,000-character article to
/v1/classify (sequentially for latency, 2 clients in parallel for
throughput), and measures ``predict_article`` in-process on the same texts in
the same run. Prints requests/s, p50/p99 latency and the HTTP overhead at p50.
Targets: overhead < 20% of in-process p50 for the article; p99 < 3 × p50.
Run by hand; figures go to docs/benchmarks.md. Traffic stays on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def post(conn, body: bytes) -> float:
    t0 = time.perf_counter()
    conn.request("POST", "/v1/classify", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(REPO / "models" / "latest"))
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per payload")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    args = parser.parse_args()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.bundle import load_bundle

    seed = (REPO / "data" / "seeds" / "004_8fa05adcb693d22f.txt").read_text(encoding="utf-8")
    paragraph = "博山区深化“联村党委+党支部领办合作社”工作机制，深入推行党支部领办合作社，结合“双百帮带”“百企联百村”，扎实推动村集体经济提质增效。目前，博山区共成立党支部领办合作社163家、联合社1家，利用中央财政扶持资金策划实施6个项目、覆盖45个经济相对薄弱村，全面消除集体收入10万元以下村，建立起13个联村党委，覆盖81个村、党员3935人，聚合村级资源，进一步助推集体经济稳定增收。通过制定规范村（社区）“四议两公开”工作机制的指导意见，博山区压实包村干部对村级事项的“事前把关”责任，有力提升了村级规范化治理水平。"
    article = (seed * 2)[:3000]
    payloads = {"paragraph (%d chars)" % len(paragraph): paragraph, "article (%d chars)" % len(article): article}

    model = load_bundle(args.model)
    inproc = {}
    for name, text in payloads.items():
        model.predict_article(text)
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            model.predict_article(text)
            times.append(time.perf_counter() - t0)
        inproc[name] = times

    port = free_port()
    env = dict(os.environ, DANGJIAN_MODEL=str(Path(args.model).resolve()))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "dangjian.service.app:create_app()"], cwd=REPO, env=env)
    try:
        deadline = time.time() + 120
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not come up")
            time.sleep(0.5)
        print(f"gunicorn: 2 workers on 127.0.0.1:{port}, model {model.version}")
        print(f"{'payload':<24}{'in-proc p50':>12}{'HTTP p50':>10}{'HTTP p99':>10}{'p99/p50':>9}{'overhead':>10}{'req/s (2 clients)':>19}")
        for name, text in payloads.items():
            body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(10):
                post(conn, body)  # warm both workers' caches
            latencies = [post(conn, body) for _ in range(args.requests)]
            counts = [0, 0]

            def client(i):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                end = time.perf_counter() + args.seconds
                while time.perf_counter() < end:
                    post(c, body)
                    counts[i] += 1

            threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rps = sum(counts) / (time.perf_counter() - t0)
            p50_in = statistics.median(inproc[name])
            p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
            print(f"{name:<24}{p50_in * 1000:>10.1f}ms{p50 * 1000:>8.1f}ms{p99 * 1000:>8.1f}ms{p99 / p50:>9.2f}"
                  f"{100 * (p50 - p50_in) / p50_in:>9.1f}%{rps:>19.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
