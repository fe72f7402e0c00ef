"""Where ``dangjian label`` runs: engines that turn the inputs into outcomes.

An engine reads the inputs of a :class:`LabelJob`, labels the articles that
are not done yet, and yields, in input order, one outcome per input item:

- a :class:`~dangjian.model.errors.DocumentReadError` for a file or record
  that could not be read;
- :class:`Skipped` for an article already in the output (or repeated);
- a :class:`LabeledArticle`: its rows rendered for the output, or why it
  could not be labelled.

The main process writes the outcomes (:func:`dangjian.service.batch.run_label`),
so every engine gives the same files. Engines load the model only when there
is an article to label.

- :class:`InProcessEngine`: this process (``--workers 1``).
- :class:`ProcessPoolEngine`: worker processes on this machine (``--workers N``).
- :class:`DaskEngine`: a ``dask.distributed`` cluster (``--engine dask``):
  a local cluster, or a real one at ``--scheduler ADDRESS``. The partitions
  are input files and byte ranges of collections
  (:func:`dangjian.model.reading.plan_partitions`); the workers read them and
  load the bundle once each, from a path they can all read.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from dangjian.model.dates import normalise_date
from dangjian.model.errors import DocumentReadError

from .label_inputs import Article, article_from_document, iter_articles

logger = logging.getLogger(__name__)

CARRIED_COLUMNS = ("date", "region", "source")


@dataclass
class LabelJob:
    """What to label and how to render it."""

    paths: Sequence[str]
    model_dir: str
    codec: object  # the output's row codec: render(rows) -> str
    done: set[str] = field(default_factory=set)  # content hashes already in the output
    exclude: Sequence[Path] = ()  # the run's own files, never read as input
    batch_size: int = 8


@dataclass
class Skipped:
    content_hash: str


@dataclass
class LabeledArticle:
    """One article's outcome: its rows as the output's lines, the number of
    rows, and the theme shares the model gave it (kept for the summary, not
    recomputed from rows); or ``error``, why it could not be labelled."""

    content_hash: str
    doc: str
    path: str
    rendered: str | None
    n_rows: int
    shares: dict[str, float] | None
    error: str | None = None


Outcome = DocumentReadError | Skipped | LabeledArticle


class EngineError(RuntimeError):
    """The engine itself failed (a cluster lost, a task that kept killing its
    workers); what was written so far stays, and a re-run resumes from it."""


# -- labelling a chunk (wherever it runs) --------------------------------------------------------------

def article_rows(art: Article, result) -> list[dict]:
    """The output rows of one labelled article (an :class:`ArticleLabels`)."""
    raw_date = art.fields.get("date")
    carried = {  # a date the source gives wins, as YYYY-MM-DD when it can be read as one
        "date": normalise_date(raw_date) or raw_date or result.date,
        "region": art.fields.get("region"),
        "source": art.fields.get("source") or result.source,
    }
    others = {k: v for k, v in art.fields.items() if k not in CARRIED_COLUMNS}
    n_units = len(result.paragraphs)
    return [{"doc": art.doc, "title": result.title, **carried, "index": p.index, "heading": p.heading,
             "text": p.text, "themes": [{"id": t["id"], "score": t["score"]} for t in p.themes],
             "primary": p.primary, "scores": p.scores, "evidence": p.evidence,
             "topics": [{"id": t["id"], "weight": t["weight"]} for t in p.topics],
             "fields": others, "path": art.path, "content_hash": art.content_hash, "n_units": n_units}
            for p in result.paragraphs]


def label_and_render(model, articles: Sequence[Article], codec) -> list[LabeledArticle]:
    """Label a chunk of articles (their units together) and render their rows."""
    results = iter(model.predict_articles((a.text, a.title, a.doc) for a in articles if a.text.strip()))
    out = []
    for art in articles:
        if not art.text.strip():
            out.append(LabeledArticle(art.content_hash, art.doc, art.path, None, 0, None, error="empty text"))
            continue
        result = next(results)
        rows = article_rows(art, result)
        if not rows:
            out.append(LabeledArticle(art.content_hash, art.doc, art.path, None, 0, None,
                                      error="no paragraph left after cleaning"))
            continue
        shares = {t["id"]: t["share"] for t in result.themes}
        out.append(LabeledArticle(art.content_hash, art.doc, art.path, codec.render(rows), len(rows), shares))
    return out


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- engines on this machine ---------------------------------------------------------------------------

class LocalEngine:
    """Reads the inputs in this process and labels chunks of new articles
    with :meth:`map_chunks`; subclasses say where the chunks are labelled."""

    def __init__(self, load_model: Callable[[], object]):
        self.load_model = load_model

    def outcomes(self, job: LabelJob) -> Iterator[Outcome]:
        queue: deque[Outcome | None] = deque()  # None holds the place of the next labelled article
        seen: set[str] = set()

        def new_articles() -> Iterator[Article]:
            for item in iter_articles(job.paths, job.exclude):
                if isinstance(item, DocumentReadError):
                    queue.append(item)
                elif item.content_hash in job.done or item.content_hash in seen:
                    queue.append(Skipped(item.content_hash))
                else:
                    seen.add(item.content_hash)
                    queue.append(None)
                    yield item

        chunks = _chunks(new_articles(), job.batch_size)
        first = next(chunks, None)
        yield from self._drain(queue)
        if first is None:
            return  # nothing to label: the model is never loaded
        self.start(self.load_model())
        for labelled in self.map_chunks(_prepend(first, chunks), job.codec):
            for result in labelled:
                yield from self._drain(queue)
                queue.popleft()  # the placeholder of this article
                yield result
        yield from self._drain(queue)

    @staticmethod
    def _drain(queue: deque) -> Iterator[Outcome]:
        while queue and queue[0] is not None:
            yield queue.popleft()

    def start(self, model) -> None:
        self.model = model

    def map_chunks(self, chunks: Iterator[list[Article]], codec) -> Iterator[list[LabeledArticle]]:
        return (label_and_render(self.model, chunk, codec) for chunk in chunks)

    def close(self) -> None:
        pass


def _prepend(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


class InProcessEngine(LocalEngine):
    """Labels in this process."""


_WORKER_MODELS: dict[str, object] = {}  # per worker process: bundle path -> loaded model


def worker_model(model_dir: str):
    """The model of a worker process, loaded once per bundle path."""
    model = _WORKER_MODELS.get(model_dir)
    if model is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        from dangjian.model.bundle import load_bundle

        model = _WORKER_MODELS[model_dir] = load_bundle(model_dir)
    return model


_FORKED_MODEL = None


def _label_chunk_in_worker(task: tuple[list[Article], object, str]) -> list[LabeledArticle]:
    articles, codec, model_dir = task
    model = _FORKED_MODEL if _FORKED_MODEL is not None else worker_model(model_dir)
    return label_and_render(model, articles, codec)


class ProcessPoolEngine(LocalEngine):
    """Worker processes, each with the model loaded once. Where fork exists the
    workers inherit the loaded model (with jieba already built) at no cost;
    elsewhere each worker loads the bundle itself. Results come back in order."""

    def __init__(self, load_model, model_dir: str, workers: int):
        super().__init__(load_model)
        self.model_dir = str(Path(model_dir).resolve())
        self.workers = workers
        self.pool = None

    def start(self, model) -> None:
        import multiprocessing as mp

        global _FORKED_MODEL
        if "fork" in mp.get_all_start_methods():
            model.text_pipeline.tokenize("预热")  # build jieba once, before forking
            _FORKED_MODEL = model
            self.pool = mp.get_context("fork").Pool(self.workers)
        else:
            self.pool = mp.get_context("spawn").Pool(self.workers)

    def map_chunks(self, chunks, codec):
        return self.pool.imap(_label_chunk_in_worker, ((chunk, codec, self.model_dir) for chunk in chunks))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


# -- a distributed engine ------------------------------------------------------------------------------

def label_partition(partition, model_dir: str, codec, done: set[str], batch_size: int) -> list[Outcome]:
    """A Dask task: read one partition, label its articles that are not done,
    and return their outcomes in order. Pure given its inputs, so a task that
    Dask runs again (after a worker died) returns the same outcomes."""
    from dangjian.model.reading import iter_partition

    outcomes: list[Outcome | None] = []
    todo: list[Article] = []
    slots: list[int] = []
    for item in iter_partition(partition):
        if isinstance(item, DocumentReadError):
            outcomes.append(item)
            continue
        art = article_from_document(item)
        if art.content_hash in done:
            outcomes.append(Skipped(art.content_hash))
            continue
        slots.append(len(outcomes))
        outcomes.append(None)
        todo.append(art)
    if todo:
        model = worker_model(model_dir)
        labelled = [r for chunk in _chunks(iter(todo), batch_size) for r in label_and_render(model, chunk, codec)]
        for slot, result in zip(slots, labelled):
            outcomes[slot] = result
    return outcomes


class DaskEngine:
    """Labels on a ``dask.distributed`` cluster. Without a scheduler address it
    starts a local cluster of ``workers`` processes (one thread each)."""

    def __init__(self, model_dir: str, workers: int = 2, scheduler: str | None = None,
                 partition_bytes: int | None = None):
        self.model_dir = str(Path(model_dir).resolve())
        self.workers = workers
        self.scheduler = scheduler
        self.partition_bytes = partition_bytes
        self.client = self.cluster = None

    def _connect(self):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ValueError("--engine dask needs dask.distributed: pip install 'dangjian-topics[dask]'") from None

        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.WARNING)
            self.client = Client(self.cluster)
        n = len(self.client.scheduler_info().get("workers", {})) or self.workers
        logger.info("dask: %d workers at %s", n, self.client.scheduler.address)
        return n

    def outcomes(self, job: LabelJob) -> Iterator[Outcome]:
        from dangjian.model.reading import PARTITION_BYTES, plan_partitions

        n_workers = self._connect()
        # The done set goes to the workers as the result of a task, not as
        # scattered data: if the worker that holds it dies, the scheduler can
        # compute it again (scattered data would be lost with the worker).
        done = self.client.submit(frozenset, sorted(job.done), pure=False) if job.done else frozenset()
        window = 2 * n_workers + 2  # partitions in flight: results are taken in order, memory stays flat
        in_flight: deque = deque()
        target = self.partition_bytes or PARTITION_BYTES
        for part in plan_partitions(job.paths, job.exclude, target):
            if isinstance(part, DocumentReadError):
                in_flight.append(part)
            else:
                in_flight.append(self.client.submit(label_partition, part, self.model_dir, job.codec, done,
                                                    job.batch_size, pure=False))
            while len(in_flight) > window:
                yield from self._take(in_flight.popleft())
        while in_flight:
            yield from self._take(in_flight.popleft())

    @staticmethod
    def _take(item) -> Iterator[Outcome]:
        if isinstance(item, DocumentReadError):
            yield item
            return
        try:
            outcomes = item.result()
        except Exception as exc:  # noqa: BLE001 - dask raises the task's error or its own (KilledWorker, …)
            raise EngineError(f"dask: {type(exc).__name__}: {exc}") from exc
        yield from outcomes

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
