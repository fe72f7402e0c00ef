import json

import pytest

from dangjian.model.errors import DocumentReadError
from dangjian.model.reading import Document, RecordError, decode_bytes, iter_documents
from tests.conftest import DATA

SEEDS_DIR = DATA / "seeds"

TEXT = "博山区深化“联村党委+党支部领办合作社”工作机制，扎实推动村集体经济提质增效。"


def test_decode_utf8_bom_and_gb18030():
    assert decode_bytes(TEXT.encode("utf-8")) == TEXT
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == TEXT
    assert decode_bytes(TEXT.encode("gb18030")) == TEXT
    assert decode_bytes(TEXT.encode("gbk")) == TEXT
    assert decode_bytes(TEXT.encode("utf-16")) == TEXT


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(128, 256)) * 4, "undecodable"),
    ],
)
def test_decode_refuses_bad_bytes(data, reason):
    with pytest.raises(DocumentReadError, match=reason) as info:
        decode_bytes(data, "some/file.txt")
    assert "some/file.txt" in str(info.value)


def test_txt_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode("gb18030"))
    (doc,) = iter_documents(path)
    assert doc == Document(id="a", text=TEXT, path=str(path))


def test_html_file_keeps_visible_article_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>标题</title><style>p{color:red}</style><script>var x='脚本内容';</script></head>"
        "<body><nav>首页 &gt; 新闻</nav><article><h1>文章标题</h1><p>" + TEXT + "</p><p>第二段。</p></article>"
        "<footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    (doc,) = iter_documents(path)
    assert doc.title == "标题"
    assert TEXT in doc.text and "第二段。" in doc.text
    assert "脚本内容" not in doc.text and "color" not in doc.text and "首页" not in doc.text and "版权所有" not in doc.text


def test_jsonl_keeps_id_title_and_other_fields_and_reports_bad_lines(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"id": "n1", "title": "T1", "content": TEXT, "date": "20240101", "region": "山东"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "n3", "text": TEXT}, ensure_ascii=False),
        json.dumps({"id": "n4"}),
        json.dumps(["a"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_documents(path))
    assert isinstance(items[0], Document) and items[0].id == "n1" and items[0].title == "T1"
    assert items[0].fields == {"date": "20240101", "region": "山东"}
    assert isinstance(items[1], RecordError) and items[1].line == 2 and "malformed JSON" in items[1].reason
    assert isinstance(items[2], Document) and items[2].id == "n3"
    assert isinstance(items[3], RecordError) and items[3].line == 4 and "no text" in items[3].reason
    assert isinstance(items[4], RecordError) and "JSON object" in items[4].reason
    assert str(items[1].as_error()).startswith(f"{path}:2:")


def test_json_array_file(tmp_path):
    path = tmp_path / "docs.json"
    path.write_text(json.dumps([{"id": "x", "text": TEXT}, {"id": "y", "content": TEXT}], ensure_ascii=False), encoding="utf-8")
    assert [d.id for d in iter_documents(path)] == ["x", "y"]


def test_malformed_json_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"text": "a"},\n oops]', encoding="utf-8")
    with pytest.raises(DocumentReadError, match=r"bad\.json:2: malformed JSON"):
        list(iter_documents(path))


def test_csv_with_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,title,text,region\nc1,标题一," + TEXT + ",山东\nc2,标题二,第二篇。,河北\n", encoding="utf-8-sig")
    docs = list(iter_documents(path))
    assert [d.id for d in docs] == ["c1", "c2"]
    assert docs[0].fields == {"region": "山东"}


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,title\n1,a\n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match="no text column"):
        list(iter_documents(path))


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(DocumentReadError, match="unsupported file type"):
        list(iter_documents(tmp_path / "a.pdf"))
    with pytest.raises(DocumentReadError, match="no such file"):
        list(iter_documents(tmp_path / "missing.txt"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_jsonl_and_csv_stream_in_any_supported_encoding(tmp_path, encoding):
    line = json.dumps({"id": "n1", "text": TEXT}, ensure_ascii=False) + "\n"
    path = tmp_path / "big.jsonl"
    path.write_bytes((line * 3000).encode(encoding))  # several MiB-sized reads
    docs = list(iter_documents(path))
    assert len(docs) == 3000 and docs[-1].text == TEXT
    csv_path = tmp_path / "c.csv"
    csv_path.write_bytes(("id,text\nc1," + TEXT + "\n").encode(encoding))
    assert [d.text for d in iter_documents(csv_path)] == [TEXT]


def test_jsonl_undecodable_and_empty(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(bytes(range(128, 256)) * 10)
    with pytest.raises(DocumentReadError, match="undecodable"):
        list(iter_documents(bad))
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n  \n")
    with pytest.raises(DocumentReadError, match="empty file"):
        list(iter_documents(empty))


def _record_key(item):
    from dangjian.model.errors import DocumentReadError

    if isinstance(item, DocumentReadError):
        return ("error", item.path, item.line, item.reason)
    return (item.id, item.text, item.title, item.path, sorted((k, str(v)) for k, v in item.fields.items()))


@pytest.mark.parametrize("target_bytes", [1, 300, 1 << 20])
def test_partitions_read_back_exactly_what_the_whole_files_give(tmp_path, target_bytes):
    """Byte ranges of collections (for distributed runs) give the same records,
    ids, line numbers and errors as reading each file whole."""
    from dangjian.model.errors import DocumentReadError
    from dangjian.model.reading import iter_partition, iter_records, plan_partitions

    (tmp_path / "a.csv").write_text('id,title,text\n1,"t1","第一行\n仍是第一条"\n2,t2,第二条\n'
                                    '3,t3,"第三条, 有""引号"""\n4,t4\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id":"x","text":"好"}\n\nbad line\n{"id":"y","text":"两委"}\n'
                                      '{"text":"无编号"}\n', encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,content\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("name\nz\n", encoding="utf-8")
    (tmp_path / "e.jsonl").write_bytes('{"id": "g", "text": "广东省村集体经济"}\n'.encode("gb18030") * 3)
    (tmp_path / "f.jsonl").write_text('{"id": "u", "text": "十六位"}\n', encoding="utf-16")
    (tmp_path / "g.txt").write_text("村党支部书记。", encoding="utf-8")
    paths = [tmp_path, SEEDS_DIR]
    whole = [_record_key(x) for x in iter_records(paths)]
    got = []
    for part in plan_partitions(paths, target_bytes=target_bytes):
        items = [part] if isinstance(part, DocumentReadError) else iter_partition(part)
        got += [_record_key(x) for x in items]
    assert got == whole
    assert sum(1 for k in whole if k[0] == "error") == 3
