"""An intertopic distance map, the way pyLDAvis draws one (Sievert & Shirley 2014).

Topics are placed in two dimensions by the distance between their word
distributions: the Jensen-Shannon distance (base 2, so in [0, 1]) between every
pair of topic rows, then classical multidimensional scaling (principal
coordinate analysis). Words are ranked per topic by *relevance*
``λ·log p(w|t) + (1-λ)·log(p(w|t)/p(w))``: λ = 1 ranks by probability in the
topic, lower λ favours words particular to the topic.

Pure numpy/scipy; the report (``dangjian.service.report``) draws it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["TopicMap", "topic_distances", "classical_mds", "relevant_terms", "build_topic_map"]

RELEVANCE_LAMBDAS = (1.0, 0.6, 0.3)
"""The λ values whose top words are kept as candidates, so that a viewer can re-rank
them for any λ in [0, 1] without the whole vocabulary (pyLDAvis' default λ is 0.6)."""


def topic_distances(topic_term: np.ndarray) -> np.ndarray:
    """(n_topics, n_topics) Jensen-Shannon distances, base 2, between the rows
    of ``topic_term`` (each row a distribution over terms)."""
    from scipy.spatial.distance import pdist, squareform

    rows = np.asarray(topic_term, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise ValueError(f"expected a (n_topics, n_terms) matrix, got shape {rows.shape}")
    if (rows < 0).any():
        raise ValueError("topic_term has negative entries; expected probabilities")
    sums = rows.sum(axis=1, keepdims=True)
    if (sums <= 0).any():
        raise ValueError("a topic row sums to zero; expected each row to be a distribution")
    rows = rows / sums
    if rows.shape[0] == 1:
        return np.zeros((1, 1))
    # pdist's Jensen-Shannon uses the natural log; dividing by sqrt(ln 2) gives base 2.
    natural = pdist(rows, metric="jensenshannon")
    return squareform(np.clip(natural / np.sqrt(np.log(2)), 0.0, 1.0))


def classical_mds(distances: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Principal coordinate analysis: (n, n_components) coordinates whose
    Euclidean distances approximate ``distances`` (the top eigenvectors of the
    double-centred squared distance matrix). Axes with no variance are zero."""
    d = np.asarray(distances, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError(f"expected a square distance matrix, got shape {d.shape}")
    n = d.shape[0]
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * centre @ (d ** 2) @ centre
    values, vectors = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(values)[::-1][:n_components]
    coords = np.zeros((n, n_components))
    for j, k in enumerate(order):
        if values[k] > 1e-12:
            vec = vectors[:, k]
            # A deterministic sign: the largest entry positive, so reruns draw the same map.
            vec = vec if vec[np.argmax(np.abs(vec))] >= 0 else -vec
            coords[:, j] = vec * np.sqrt(values[k])
    return coords


def relevant_terms(topic_term: np.ndarray, topic_weights: np.ndarray, top_n: int = 30,
                   lambdas: Sequence[float] = RELEVANCE_LAMBDAS) -> list[list[tuple[int, float, float]]]:
    """Per topic: candidate terms ``(term index, p(w|t), p(w))``, the union of
    the ``top_n`` most relevant terms at each λ in ``lambdas``, ordered by
    relevance at the first λ. ``p(w) = Σ_t p(t) p(w|t)`` with ``p(t)`` the
    normalised ``topic_weights``."""
    phi = np.asarray(topic_term, dtype=np.float64)
    phi = phi / phi.sum(axis=1, keepdims=True)
    weights = np.asarray(topic_weights, dtype=np.float64)
    if weights.shape != (phi.shape[0],) or (weights < 0).any():
        raise ValueError(f"expected {phi.shape[0]} non-negative topic weights, got {weights.tolist()}")
    p_topic = weights / weights.sum() if weights.sum() > 0 else np.full(phi.shape[0], 1.0 / phi.shape[0])
    p_word = p_topic @ phi
    tiny = 1e-300
    log_phi = np.log(phi + tiny)
    log_lift = log_phi - np.log(p_word + tiny)
    out = []
    for k in range(phi.shape[0]):
        chosen: list[int] = []
        for lam in lambdas:
            relevance = lam * log_phi[k] + (1 - lam) * log_lift[k]
            top = np.argpartition(-relevance, min(top_n, len(relevance) - 1))[:top_n]
            chosen.extend(int(j) for j in top[np.argsort(-relevance[top])] if int(j) not in chosen)
        first = lambdas[0] * log_phi[k] + (1 - lambdas[0]) * log_lift[k]
        chosen.sort(key=lambda j: -first[j])
        out.append([(j, float(phi[k, j]), float(p_word[j])) for j in chosen])
    return out


@dataclass(frozen=True)
class TopicMap:
    """Where each topic sits (``x``, ``y``), how prevalent it is (``share``, sums
    to 1), its candidate words ``[(word, p(w|t), p(w))]``, and for every
    candidate word of any topic its probability in each topic (``word_topics``:
    word → ``p(w|t)`` per topic), from which a viewer shows how a word spreads
    over the topics."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    share: tuple[float, ...]
    terms: tuple[tuple[tuple[str, float, float], ...], ...]
    word_topics: dict[str, tuple[float, ...]]


def build_topic_map(topic_term: np.ndarray, vocabulary: Sequence[str], topic_weights: Sequence[float] | None = None,
                    top_n: int = 30) -> TopicMap:
    """The intertopic distance map of an LDA's ``topic_term`` matrix (rows =
    topics) over ``vocabulary`` (term index → word). ``topic_weights``: how
    much of the corpus each topic takes (uniform when not given or all zero)."""
    phi = np.asarray(topic_term, dtype=np.float64)
    if len(vocabulary) != phi.shape[1]:
        raise ValueError(f"vocabulary has {len(vocabulary)} words for {phi.shape[1]} topic_term columns")
    n = phi.shape[0]
    weights = np.ones(n) if topic_weights is None else np.asarray(topic_weights, dtype=np.float64)
    if weights.shape != (n,):
        raise ValueError(f"expected {n} topic weights, got {len(weights)}")
    if weights.sum() <= 0:
        weights = np.ones(n)
    coords = classical_mds(topic_distances(phi))
    share = weights / weights.sum()
    terms = relevant_terms(phi, weights, top_n)
    phi = phi / phi.sum(axis=1, keepdims=True)
    candidates = sorted({j for row in terms for j, _, _ in row})
    return TopicMap(x=tuple(float(v) for v in coords[:, 0]), y=tuple(float(v) for v in coords[:, 1]),
                    share=tuple(float(v) for v in share),
                    terms=tuple(tuple((vocabulary[j], p, pw) for j, p, pw in row) for row in terms),
                    word_topics={vocabulary[j]: tuple(float(v) for v in phi[:, j]) for j in candidates})
