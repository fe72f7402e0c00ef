"""Reading articles from files: .txt, .html/.htm, .jsonl/.json, .csv.

``iter_documents(path)`` yields :class:`Document` records. A file that cannot
be read raises :class:`~model.errors.DocumentReadError` naming the file and
the reason; inside a multi-record file a bad record is yielded as a
:class:`RecordError` (with its line number) so the good records around it
still come through.
"""
from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .chars import replace_surrogates
from .errors import DocumentReadError

logger = logging.getLogger(__name__)

__all__ = ["Document", "RecordError", "iter_documents", "decode_bytes", "SUPPORTED_SUFFIXES", "TEXT_FIELDS"]

SUPPORTED_SUFFIXES = (".txt", ".text", ".html", ".htm", ".jsonl", ".ndjson", ".json", ".csv")
# Files that hold one record per line (streamed; counted by lines)
COLLECTION_SUFFIXES = (".jsonl", ".ndjson", ".csv")
TEXT_FIELDS = ("text", "content", "body", "正文", "内容")
_ID_FIELDS = ("id", "doc_id", "uuid")
_TITLE_FIELDS = ("title", "标题")


@dataclass
class Document:
    """One article: its raw text plus whatever the source told about it."""

    id: str
    text: str
    title: str | None = None
    path: str | None = None
    fields: dict = field(default_factory=dict)  # other fields carried through (date, region, ...)


@dataclass
class RecordError:
    """A record inside a multi-record file that could not be read."""

    path: str
    line: int
    reason: str

    def as_error(self) -> DocumentReadError:
        return DocumentReadError(self.path, self.reason, line=self.line)


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample and not (sample.startswith(b"\xff\xfe") or sample.startswith(b"\xfe\xff")):
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(sample) * 0.05


def decode_bytes(data: bytes, path: object = "<bytes>") -> str:
    """Decode a Chinese text file: UTF-8 (with or without BOM), UTF-16 with BOM,
    or GB18030 (a superset of GBK and GB2312). Anything else is refused."""
    if not data.strip():
        raise DocumentReadError(path, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentReadError(path, f"undecodable: has a UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentReadError(path, "undecodable: has a UTF-16 BOM but invalid UTF-16") from None
    if _looks_binary(data):
        raise DocumentReadError(path, "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DocumentReadError(
            path, f"undecodable: neither UTF-8 nor GB18030 (invalid byte at offset {exc.start})"
        ) from None
    # GB18030 decodes many byte soups; insist that the result reads as Chinese text.
    from .chars import cjk_count

    letters = sum(ch.isalpha() for ch in text)
    if letters and cjk_count(text) < 0.3 * letters:
        raise DocumentReadError(path, "undecodable: not UTF-8, and as GB18030 it is not Chinese text")
    return text


_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """The encoding of a (possibly large) text file, found by streaming through
    it once with incremental decoders: UTF-8 (BOM or not), UTF-16 with BOM,
    else GB18030. Raises DocumentReadError like :func:`decode_bytes`."""
    import codecs

    with _open_binary(path) as fh:
        head = fh.read(_CHUNK)
        if head.startswith(b"\xef\xbb\xbf"):
            candidates = ["utf-8-sig"]
        elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
            candidates = ["utf-16"]
        else:
            if _looks_binary(head):
                raise DocumentReadError(path, "binary file, not text")
            candidates = ["utf-8", "gb18030"]
        blank = True
        for encoding in candidates:
            decoder = codecs.getincrementaldecoder(encoding)()
            fh.seek(0)
            offset = 0
            try:
                while chunk := fh.read(_CHUNK):
                    text = decoder.decode(chunk)
                    blank = blank and not text.strip()
                    offset += len(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                if encoding == candidates[-1]:
                    what = "neither UTF-8 nor GB18030" if len(candidates) > 1 else f"invalid {encoding}"
                    raise DocumentReadError(path, f"undecodable: {what} (invalid byte near offset {offset + exc.start})") from None
                continue
            if blank:
                raise DocumentReadError(path, "empty file")
            if encoding == "gb18030":
                # GB18030 decodes many byte soups; insist that it reads as Chinese.
                from .chars import cjk_count

                sample = head.decode("gb18030", errors="ignore")
                letters = sum(ch.isalpha() for ch in sample)
                if letters and cjk_count(sample) < 0.3 * letters:
                    raise DocumentReadError(path, "undecodable: not UTF-8, and as GB18030 it is not Chinese text")
            return encoding
    raise DocumentReadError(path, "undecodable")


def _read_bytes(path: Path) -> bytes:
    with _open_binary(path) as fh:
        return fh.read()


def _open_binary(path: Path):
    """Open a file for reading bytes; failures become DocumentReadError."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DocumentReadError(path, "no such file") from None
    except IsADirectoryError:
        raise DocumentReadError(path, "is a directory") from None
    except OSError as exc:
        raise DocumentReadError(path, f"cannot read: {exc.strerror or exc}") from None


def _pick(record: dict, names: tuple[str, ...]):
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return name, value
    return None, None


def _record_to_document(record: object, path: Path, line: int, default_id: str) -> Document | RecordError:
    record = replace_surrogates(record)
    if not isinstance(record, dict):
        return RecordError(str(path), line, f"expected a JSON object, got {type(record).__name__}")
    text_key, text = _pick(record, TEXT_FIELDS)
    if text is None:
        return RecordError(str(path), line, f"no text: none of the fields {', '.join(TEXT_FIELDS)} is present and non-empty")
    if not isinstance(text, str):
        return RecordError(str(path), line, f"field {text_key!r} must be a string, got {type(text).__name__}")
    id_key, doc_id = _pick(record, _ID_FIELDS)
    title_key, title = _pick(record, _TITLE_FIELDS)
    used = {text_key, id_key, title_key}
    fields = {k: v for k, v in record.items() if k not in used}
    return Document(
        id=str(doc_id) if doc_id is not None else default_id,
        text=text,
        title=str(title) if title is not None else None,
        path=replace_surrogates(str(path)),
        fields=fields,
    )


def _iter_jsonl(path: Path, lines, first_line: int = 1) -> Iterator[Document | RecordError]:
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(str(path), number, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield RecordError(str(path), number, "malformed JSON: nested too deeply")
            continue
        yield _record_to_document(record, path, number, f"{path.stem}:{number}")


def _iter_json(path: Path, text: str) -> Iterator[Document | RecordError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentReadError(path, f"malformed JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise DocumentReadError(path, "malformed JSON: nested too deeply") from None
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        doc = _record_to_document(record, path, number, f"{path.stem}:{number}")
        if isinstance(doc, RecordError):
            doc.reason = f"record {number}: {doc.reason}"
        yield doc


def _iter_csv(path: Path, stream, fieldnames: list[str] | None = None,
              first_line: int = 1) -> Iterator[Document | RecordError]:
    """Records of a CSV stream; ``fieldnames`` and ``first_line`` (the file
    line the stream starts at) when the stream is a range of a larger file."""
    reader = csv.DictReader(stream, fieldnames=fieldnames)
    if not reader.fieldnames:
        raise DocumentReadError(path, "CSV has no header row")
    if not any(name in reader.fieldnames for name in TEXT_FIELDS):
        raise DocumentReadError(path, f"CSV has no text column (expected one of: {', '.join(TEXT_FIELDS)})")
    shift = first_line - 1
    try:
        for row in reader:
            number = reader.line_num + shift
            if None in row:  # more cells than header names
                yield RecordError(str(path), number, "row has more cells than the header")
                continue
            yield _record_to_document(dict(row), path, number, f"{path.stem}:{number}")
    except csv.Error as exc:
        yield RecordError(str(path), reader.line_num + shift, f"malformed CSV: {exc}")


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible article text of an HTML page (no script/style/nav), and its title."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                     "iframe", "svg", "button", "select"]):
        tag.decompose()
    root = soup.find("article") or soup.body or soup
    block_tags = ["p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "blockquote"]
    for tag in root.find_all(block_tags):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = root.get_text()
    return text, title or None


def iter_documents(path: str | Path) -> Iterator[Document | RecordError]:
    """Documents in one file. Raises DocumentReadError if the file as a whole
    cannot be read; yields RecordError for a bad record inside it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentReadError(path, f"unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    if is_collection(path):
        # Collections can be large: stream them line by line (memory stays flat).
        encoding = detect_encoding(path)
        with open(path, encoding=encoding, newline="" if suffix == ".csv" else None) as stream:
            if suffix == ".csv":
                yield from _iter_csv(path, stream)
            else:
                yield from _iter_jsonl(path, stream)
        return
    text = decode_bytes(_read_bytes(path), path)
    if suffix == ".json":
        yield from _iter_json(path, text)
    elif suffix in (".html", ".htm"):
        body, title = html_to_text(text)
        if not body.strip():
            raise DocumentReadError(path, "no visible text in HTML")
        yield Document(id=replace_surrogates(path.stem), text=body, title=title, path=replace_surrogates(str(path)))
    else:
        yield Document(id=replace_surrogates(path.stem), text=text, path=replace_surrogates(str(path)))


def iter_paths(paths, recursive: bool = True) -> Iterator[Path]:
    """Expand files and directories (recursively) into supported files, sorted."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            pattern = "**/*" if recursive else "*"
            for child in sorted(p.glob(pattern)):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        else:
            yield p


def is_collection(path: str | Path) -> bool:
    """Whether a file holds one record per line (JSON Lines, CSV)."""
    return Path(path).suffix.lower() in COLLECTION_SUFFIXES


def iter_records(paths, exclude=()) -> Iterator[Document | DocumentReadError]:
    """Every document under ``paths`` (files, directories searched recursively),
    in order; a file or record that cannot be read is yielded as a
    :class:`DocumentReadError` (with its line, for a record) instead of being
    raised, so one bad input never stops the others. Files in ``exclude``
    (a run's own outputs, say) are never read."""
    skip = {Path(p).resolve() for p in exclude}
    for path in iter_paths(paths):
        if skip and path.resolve() in skip:
            continue
        try:
            for item in iter_documents(path):
                yield item.as_error() if isinstance(item, RecordError) else item
        except DocumentReadError as exc:
            yield exc


def count_records(paths, exclude=()) -> int:
    """A cheap count of the documents under ``paths`` (for a progress bar):
    the non-empty lines of each collection (less a CSV's header), one for any
    other file. Reads no text beyond counting lines."""
    skip = {Path(p).resolve() for p in exclude}
    total = 0
    for path in iter_paths(paths):
        if skip and path.resolve() in skip:
            continue
        if not is_collection(path):
            total += 1
            continue
        try:
            with open(path, "rb") as fh:
                lines = sum(1 for line in fh if line.strip())
        except OSError:
            total += 1
            continue
        total += max(lines - 1, 0) if path.suffix.lower() == ".csv" else lines
    return total


# -- partitions: pieces of the input that can be read independently (distributed runs) ---------------

@dataclass(frozen=True)
class Partition:
    """A piece of the input one task reads on its own: a whole file
    (``end`` None), or a byte range of a collection that holds whole lines
    (JSON Lines) or whole records (CSV), starting at file line ``first_line``.
    Records keep the ids and line numbers they have when the whole file is read."""

    path: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    encoding: str | None = None


PARTITION_BYTES = 1 << 20  # about this much text per partition of a collection


def _utf16(encoding: str) -> bool:
    return encoding.startswith("utf-16")


def _line_offsets(path: Path, encoding: str, is_csv: bool) -> Iterator[tuple[int, int]]:
    """(byte offset, file line) just after each record: each line of a JSON
    Lines file; each record of a CSV file (a quoted cell may span lines),
    the header included."""
    with _open_binary(path) as fh:
        position = line = 0
        if not is_csv:
            for raw in fh:
                position += len(raw)
                line += 1
                yield position, line
            return

        def lines():
            nonlocal position, line
            for raw in fh:
                position += len(raw)
                line += 1
                yield raw.decode(encoding, errors="replace")

        reader = csv.reader(lines())
        try:
            for _ in reader:
                yield position, line
        except csv.Error:
            return  # the rest is one range: its reader reports the error with its line


def plan_partitions(paths, exclude=(), target_bytes: int = PARTITION_BYTES) -> Iterator[Partition | DocumentReadError]:
    """The partitions of every input under ``paths``, in reading order: each
    collection is cut into byte ranges of about ``target_bytes`` at record
    boundaries; any other file is one partition. Reading the partitions in
    order with :func:`iter_partition` gives exactly what :func:`iter_records`
    gives. A collection that cannot be read is yielded as its error."""
    skip = {Path(p).resolve() for p in exclude}
    for path in iter_paths(paths):
        if skip and path.resolve() in skip:
            continue
        if not is_collection(path):
            yield Partition(str(path))
            continue
        try:
            encoding = detect_encoding(path)
        except DocumentReadError as exc:
            yield exc
            continue
        if _utf16(encoding):  # newline bytes are not line ends there: read it whole
            yield Partition(str(path))
            continue
        is_csv = path.suffix.lower() == ".csv"
        offsets = _line_offsets(path, encoding, is_csv)
        start, first_line = 0, 1
        if is_csv:  # the header belongs to every range (read separately), not to the first one
            start, header_line = next(offsets, (0, 0))
            first_line = header_line + 1
        planned = 0
        for end, line in offsets:
            if end - start >= target_bytes:
                yield Partition(str(path), start, end, first_line, encoding)
                start, first_line, planned = end, line + 1, planned + 1
        size = path.stat().st_size
        if size > start or not planned:  # every collection gets a partition, so its errors are reported
            yield Partition(str(path), start, size, first_line, encoding)


def iter_partition(part: Partition) -> Iterator[Document | DocumentReadError]:
    """The documents of one partition (errors yielded, as by :func:`iter_records`)."""
    path = Path(part.path)
    if part.end is None:
        yield from iter_records([path])
        return
    try:
        with _open_binary(path) as fh:
            fieldnames = None
            if path.suffix.lower() == ".csv":
                header = fh.readline().decode(part.encoding, errors="replace")
                fieldnames = next(csv.reader([header]), None)
            fh.seek(part.start)
            data = fh.read(part.end - part.start)
        encoding = part.encoding if part.start == 0 else part.encoding.replace("utf-8-sig", "utf-8")
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DocumentReadError(path, f"undecodable: invalid byte near offset {part.start + exc.start}") from None
        stream = io.StringIO(text, newline="" if fieldnames is not None else None)
        items = (_iter_csv(path, stream, fieldnames, part.first_line) if fieldnames is not None
                 else _iter_jsonl(path, stream, part.first_line))
        for item in items:
            yield item.as_error() if isinstance(item, RecordError) else item
    except DocumentReadError as exc:
        yield exc
