"""Defects found by a hostile-input and fault probe (issue 8): one test each,
on real files, the real Flask app, a real gunicorn and real spreadsheets."""
import csv
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dangjian.service.batch import main as label_main
from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.slow

EVIL = ["=HYPERLINK(\"http://x.invalid\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "'quoted"]


@pytest.fixture
def bundle(small_trained):
    return str(small_trained[0].bundle)


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


ARTICLE = "村党支部领办土地股份合作社，发展特色种植产业，村集体经济收入增加到38万元。\n\n网格员走访群众，化解矛盾纠纷。"


# -- 1. an existing file that label did not write is never destroyed ------------------------------

@pytest.mark.parametrize("name,content", [
    ("mine.jsonl", '{"id": "a", "text": "用户自己的数据"}\n'),
    ("mydata.csv", "name,value\n张三,1\n"),
    ("notes.html", "<html><body>我的笔记</body></html>"),
])
def test_label_refuses_to_overwrite_a_foreign_output(tmp_path, bundle, capsys, name, content):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": ARTICLE}])
    target = tmp_path / name
    target.write_text(content, encoding="utf-8")
    before = sha(target)
    if name.endswith(".html"):
        argv = [str(src), "-o", str(tmp_path / "out.jsonl"), "--report", str(target), "--model", bundle, "--no-progress"]
    else:
        argv = [str(src), "-o", str(target), "--model", bundle, "--no-progress"]
    assert label_main(argv) != 0
    assert sha(target) == before
    assert "not written by 'dangjian label'" in capsys.readouterr().err
    # --overwrite is the explicit way to replace it
    assert label_main(argv + ["--overwrite"]) == 0
    assert sha(target) != before


def test_label_refuses_a_foreign_xlsx(tmp_path, bundle):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["budget", 100])
    target = tmp_path / "budget.xlsx"
    wb.save(target)
    before = sha(target)
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": ARTICLE}])
    assert label_main([str(src), "-o", str(target), "--model", bundle, "--no-progress"]) != 0
    assert sha(target) == before


def test_label_still_resumes_its_own_output(tmp_path, bundle):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": ARTICLE}])
    for out in (tmp_path / "o.jsonl", tmp_path / "o.csv"):
        assert label_main([str(src), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
        before = out.read_bytes()
        assert label_main([str(src), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
        assert out.read_bytes() == before


def test_overwrite_with_a_broken_model_keeps_the_file(tmp_path):
    target = tmp_path / "mine.jsonl"
    target.write_text('{"id": 1}\n', encoding="utf-8")
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": "a", "text": ARTICLE}])
    assert label_main([str(src), "-o", str(target), "--model", str(tmp_path / "none"), "--overwrite", "--no-progress"]) == 1
    assert target.read_text(encoding="utf-8") == '{"id": 1}\n'


# -- 2. lone surrogates -------------------------------------------------------------------------

def test_a_lone_surrogate_costs_nothing_in_label(tmp_path, bundle):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "s", "title": "\\udc00", "text": "网格员走访群众\\ud800，化解矛盾纠纷。"}\n'
                   + json.dumps({"id": "ok", "text": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = tmp_path / "summary.csv"
    report = tmp_path / "report.html"
    assert label_main([str(src), "-o", str(out), "--summary", str(summary), "--report", str(report),
                       "--model", bundle, "--no-progress"]) == 0
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert {r["doc"] for r in rows} == {"s", "ok"}
    first = next(r for r in rows if r["doc"] == "s")
    assert first["title"] == "\ufffd" and "\ufffd" in first["text"]
    assert summary.exists() and report.exists()


def test_a_lone_surrogate_in_clean_is_replaced(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "s\\udc00", "text": "网格员走访群众\\ud800，化解矛盾纠纷。"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "dangjian.cli", "clean", str(src)], capture_output=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode()
    record = json.loads(proc.stdout.decode("utf-8"))
    assert record["doc"] == "s\ufffd" and "\ufffd" in record["text"]
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("path,body", [
    ("/v1/classify", '{"text": "网格员走访群众，化解矛盾纠纷。", "title": "\\udc00"}'),
    ("/v1/classify", '{"text": "网格员走访群众\\ud83d，化解矛盾纠纷。"}'),
    ("/v1/classify/batch", '{"documents": [{"id": "\\udc00", "text": "网格员走访群众，化解矛盾纠纷。"}]}'),
])
def test_api_replaces_lone_surrogates(client, path, body):
    r = client.post(path, data=body.encode(), content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "\ufffd" in r.get_data(as_text=True)


# -- 3. formula injection -----------------------------------------------------------------------

def test_spreadsheet_cells_never_become_formulas(tmp_path, bundle):
    from openpyxl import load_workbook

    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"id": e, "title": e, "source": e, "region": e, "text": e + ARTICLE} for e in EVIL])
    xlsx, csv_out, summary = tmp_path / "o.xlsx", tmp_path / "o.csv", tmp_path / "s.csv"
    assert label_main([str(src), "-o", str(xlsx), "--summary", str(summary), "--model", bundle, "--no-progress"]) == 0
    assert label_main([str(src), "-o", str(csv_out), "--model", bundle, "--no-progress"]) == 0
    wb = load_workbook(xlsx)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    paragraphs = wb["段落"]
    header = [c.value for c in paragraphs[1]]
    docs = {paragraphs.cell(row=i, column=header.index("文章") + 1).value for i in range(2, paragraphs.max_row + 1)}
    assert docs == set(EVIL)  # stored as text, unchanged
    assert isinstance(paragraphs.cell(row=2, column=header.index("段落序号") + 1).value, int)  # numbers stay numbers
    for path in (csv_out, summary):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@")), (path.name, cell)
    # a resumed CSV and the corrections import read the guarded cells back exactly
    from dangjian.training.corrections import import_corrections
    from dangjian.model.codebook import load_codebook

    records = import_corrections([csv_out], load_codebook())
    assert {r["article"] for r in records} == set(EVIL)
    firsts = [r for r in records if r["id"].endswith("-p0")]
    assert len(firsts) == len(EVIL) and all(r["text"].startswith(r["article"]) for r in firsts)


# -- 4. a one-paragraph news item -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "央视网消息（新闻联播）：近日，国务院办公厅印发《关于加强互联网领域侵权假冒行为治理的意见》，对打击互联网领域侵权假冒违法行为作出部署。",
    "央视网消息(新闻联播)：针对江西省两名高三学生的遭遇，教育部门迅速开展调查，与会人士高度赞赏处理结果。",
])
def test_one_paragraph_news_item_keeps_its_paragraph(pipeline, text):
    article = pipeline.process(text)
    assert len(article.units) == 1
    assert not article.units[0].text.startswith("央视网")


# -- 5, 6. deep JSON, chunked bodies ------------------------------------------------------------

def test_deeply_nested_json_is_a_400(client):
    body = "[" * 100_000 + "]" * 100_000
    r = client.post("/v1/classify", data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"


def test_deeply_nested_jsonl_record_is_a_record_error(tmp_path, bundle):
    src = tmp_path / "in.jsonl"
    src.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"id": "ok", "text": ARTICLE}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert label_main([str(src), "-o", str(out), "--model", bundle, "--no-progress"]) == 1
    assert [json.loads(l)["doc"] for l in out.read_text(encoding="utf-8").splitlines()][0] == "ok"
    errors = [json.loads(l) for l in (tmp_path / "o.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors[0]["line"] == 1 and "nested" in errors[0]["reason"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chunked_post(port, path, payload: bytes, chunk=65536):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Transfer-Encoding: chunked\r\n\r\n".encode())
        try:
            for i in range(0, len(payload), chunk):
                part = payload[i:i + chunk]
                s.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse and close before the whole body is sent
        # read the response as a client does: headers, then Content-Length bytes
        # (the server says "Connection: close", so the client closes then)
        data = b""
        while True:
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                lengths = [line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if lengths and len(body) >= int(lengths[0]):
                    break
            try:
                got = s.recv(65536)
            except ConnectionResetError:
                break
            if not got:
                break
            data += got
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


@pytest.fixture(scope="module")
def dev_server(small_trained):
    """The real development server (`dangjian serve`) on a free port."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "serve", "--model", str(small_trained[0].bundle),
                             "--port", str(port)], cwd=REPO, stderr=subprocess.PIPE)
    _wait_healthy(port, proc)
    yield port
    proc.terminate()
    proc.wait(10)
    proc.stderr.close()


def _wait_healthy(port, proc, seconds=60):
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def test_chunked_body_over_the_limit_is_a_413_on_the_dev_server(dev_server):
    payload = b'{"text": "' + "村".encode() * (3 * 1024 * 1024) + b'"}'  # 9 MiB
    status, head, body = _chunked_post(dev_server, "/v1/classify", payload)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "request_too_large"
    assert "close" in head.lower()


def test_chunked_body_within_the_limit_is_served(dev_server):
    payload = json.dumps({"text": ARTICLE}, ensure_ascii=False).encode()
    status, _, body = _chunked_post(dev_server, "/v1/classify", payload, chunk=7)
    assert status == 200
    assert json.loads(body)["paragraphs"]


def test_413_closes_the_connection(dev_server):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", dev_server, timeout=30)
    conn.putrequest("POST", "/v1/classify")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(9 * 1024 * 1024))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413
    assert "close" in r.getheader("Connection", "").lower()
    conn.close()


# -- 7. gunicorn with the shipped configuration ----------------------------------------------------

@pytest.fixture(scope="module")
def gunicorn_server(small_trained):
    port = _free_port()
    env = dict(os.environ, DANGJIAN_MODEL=str(small_trained[0].bundle))
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                             "-b", f"127.0.0.1:{port}"], cwd=REPO, env=env, stderr=subprocess.PIPE)
    _wait_healthy(port, proc)
    yield port
    proc.terminate()
    proc.wait(20)
    proc.stderr.close()


def test_gunicorn_serves_health_checks_while_slow_clients_hold_connections(gunicorn_server):
    import urllib.request

    slow = []
    for _ in range(2):  # as many slow clients as workers: each holds one thread only
        s = socket.create_connection(("127.0.0.1", gunicorn_server))
        s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        slow.append(s)
    try:
        ok = 0
        for _ in range(10):
            with urllib.request.urlopen(f"http://127.0.0.1:{gunicorn_server}/healthz", timeout=5) as r:
                ok += r.status == 200
        assert ok == 10
    finally:
        for s in slow:
            s.close()


def test_gunicorn_chunked_body_over_the_limit_is_a_413(gunicorn_server):
    payload = b'{"text": "' + "村".encode() * (3 * 1024 * 1024) + b'"}'
    status, _, body = _chunked_post(gunicorn_server, "/v1/classify", payload)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "request_too_large"


def test_gunicorn_without_a_model_says_one_line(tmp_path):
    env = dict(os.environ, DANGJIAN_MODEL=str(tmp_path / "none"))
    proc = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "-b",
                           f"127.0.0.1:{_free_port()}"], cwd=REPO, env=env, capture_output=True, timeout=60)
    assert proc.returncode != 0
    err = proc.stderr.decode()
    assert "Traceback" not in err and "no model bundle" in err


def test_batch_request_over_the_character_limit_is_a_413(small_model):
    from dangjian.service.app import create_app

    app = create_app({"TESTING": True, "MAX_CHARS_PER_REQUEST": 1000}, model=small_model)
    docs = [{"id": str(i), "text": "村" * 400} for i in range(3)]
    r = app.test_client().post("/v1/classify/batch", json={"documents": docs})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_many_characters"


# -- 8. bundle manifests ------------------------------------------------------------------------

def _copy_bundle(small_trained, tmp_path):
    target = tmp_path / "bundle"
    shutil.copytree(small_trained[0].bundle, target)
    return target


@pytest.mark.parametrize("change", [
    {"files": ["pipeline.joblib"]},
    {"package_versions": ["numpy"]},
    {"files": {"../../etc/hostname": "0" * 64, "pipeline.joblib": "0" * 64}},
    {"files": {"/etc/hostname": "0" * 64}},
    {"model_version": 3},
])
def test_bad_manifest_is_refused_without_a_traceback(small_trained, tmp_path, change):
    from dangjian.model.bundle import load_bundle
    from dangjian.model.errors import ArtifactError

    target = _copy_bundle(small_trained, tmp_path)
    manifest = json.loads((target / "model.json").read_text(encoding="utf-8"))
    manifest.update(change)
    (target / "model.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ArtifactError):
        load_bundle(target)


def test_signed_bundles(small_trained, tmp_path, monkeypatch):
    from dangjian.model.bundle import load_bundle, save_bundle
    from dangjian.model.errors import ArtifactError

    model = load_bundle(small_trained[0].bundle)
    monkeypatch.setenv("DANGJIAN_BUNDLE_KEY", "secret-1")
    signed = save_bundle(model, tmp_path / "signed")
    assert (signed / "model.sig").is_file()
    assert load_bundle(signed).version == "signed"
    monkeypatch.setenv("DANGJIAN_BUNDLE_KEY", "another-key")
    with pytest.raises(ArtifactError, match="signature"):
        load_bundle(signed)
    with pytest.raises(ArtifactError, match="unsigned"):
        load_bundle(small_trained[0].bundle)
    # a rewritten manifest (new checksums) no longer matches the signature
    monkeypatch.setenv("DANGJIAN_BUNDLE_KEY", "secret-1")
    manifest = json.loads((signed / "model.json").read_text(encoding="utf-8"))
    manifest["metrics"] = {"macro_f1": 1.0}
    (signed / "model.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ArtifactError, match="signature"):
        load_bundle(signed)


# -- 9. smaller ones ------------------------------------------------------------------------------

def test_clean_into_a_closed_pipe_is_quiet():
    proc = subprocess.run(f"'{sys.executable}' -m dangjian.cli clean {SEEDS[0]} {SEEDS[1]} {SEEDS[2]} | head -c 10",
                          shell=True, capture_output=True, cwd=REPO)
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


def test_bundle_names_do_not_collide(small_trained, tmp_path):
    from dangjian.training.promotion import new_bundle_version as _new_version

    names = {_new_version("abcdef0123") for _ in range(50)}
    assert len(names) == 50


def test_saving_over_an_existing_bundle_is_an_artifact_error(small_trained, tmp_path):
    from dangjian.model.bundle import load_bundle, save_bundle
    from dangjian.model.errors import ArtifactError

    model = load_bundle(small_trained[0].bundle)
    save_bundle(model, tmp_path / "v1")
    with pytest.raises(ArtifactError):
        save_bundle(model, tmp_path / "v1")


def test_openapi_documents_nullable_title_and_unique_ids(client):
    spec = client.get("/openapi.json").get_json()["components"]["schemas"]
    assert spec["ClassifyRequest"]["properties"]["title"]["nullable"] is True
    assert "unique" in spec["BatchDocument"]["properties"]["id"]["description"]
    r = client.post("/v1/classify", json={"text": ARTICLE, "title": None})
    assert r.status_code == 200
    r = client.post("/v1/classify/batch", json={"documents": [{"id": 1, "text": ARTICLE}, {"id": "1", "text": ARTICLE}]})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "duplicate_id"
