"""A seeded LDA topic model over paragraph tokens (gensim).

One topic per codebook theme gets a strong ``eta`` prior on that theme's seed
keywords (and a near-zero prior for those words everywhere else); the other
``n_residual`` topics are free. LDA sees raw counts (bag of words), never
TF-IDF weights.

Shapes: ``doc_topic`` is (n_docs, n_topics); ``topic_term`` is (n_topics, n_terms).
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

logger = logging.getLogger(__name__)

__all__ = ["SeededLDA", "RESIDUAL", "topic_diversity"]

RESIDUAL = "residual"


def _check_token_lists(docs) -> list[list[str]]:
    if isinstance(docs, str):
        raise TypeError("expected an iterable of token lists, got str")
    docs = list(docs)
    for doc in docs[:1]:
        if isinstance(doc, str):
            raise TypeError("expected token lists (list[str]) per document, got str")
    return docs


def topic_diversity(topic_words: Sequence[Sequence[str]], top_n: int = 25) -> float:
    """Share of unique words among all topics' top-n words (1.0 = no overlap)."""
    words = [w for topic in topic_words for w in list(topic)[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


class SeededLDA(BaseEstimator, TransformerMixin):
    """LDA whose first topics are seeded by theme keywords.

    Parameters
    ----------
    seed_words : mapping theme id → keywords. Topic ``i`` (for the i-th theme
        in order) is that theme's topic; topics after them are residual.
    n_residual : number of unseeded topics.
    seed_strength : ``eta`` pseudo-count of a seed word in its own topic.
    off_seed_eta : ``eta`` of a seed word in every other topic (near zero).
    no_below, no_above, keep_n : ``Dictionary.filter_extremes`` settings.
    passes, iterations, chunksize : gensim training settings.
    random_state : fixes gensim's initialisation, so fits are repeatable.
    """

    def __init__(self, *, seed_words=None, n_residual: int = 6, seed_strength: float = 500.0,
                 off_seed_eta: float = 1e-4, no_below: int = 5, no_above: float = 0.3, keep_n: int = 20000,
                 passes: int = 4, iterations: int = 50, chunksize: int = 2000, random_state: int = 0):
        self.seed_words = seed_words
        self.n_residual = n_residual
        self.seed_strength = seed_strength
        self.off_seed_eta = off_seed_eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.random_state = random_state

    # -- fitting ----------------------------------------------------------------------------

    def _eta(self, dictionary, themes: list[str]) -> np.ndarray:
        n_topics = len(themes) + self.n_residual
        eta = np.full((n_topics, len(dictionary)), 1.0 / n_topics)
        token2id = dictionary.token2id
        for k, theme in enumerate(themes):
            for word in (self.seed_words or {}).get(theme, ()):
                j = token2id.get(word)
                if j is None:
                    continue
                eta[:, j] = self.off_seed_eta
                eta[k, j] = self.seed_strength
        return eta

    def fit(self, docs, y=None):
        """Fit on token lists (one list of tokens per paragraph unit)."""
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        docs = _check_token_lists(docs)
        if self.n_residual < 0:
            raise ValueError(f"n_residual must be >= 0, got {self.n_residual}")
        themes = list(self.seed_words or {})
        if not themes and self.n_residual == 0:
            raise ValueError("need seed_words or n_residual > 0 to have any topic")
        dictionary = Dictionary(docs)
        dictionary.filter_extremes(no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n)
        # Seed words that survive in the corpus at all must stay in the vocabulary.
        missing = [w for t in themes for w in self.seed_words[t] if w not in dictionary.token2id]
        if missing:
            full = Dictionary(docs)
            present = [w for w in missing if w in full.token2id]
            if present:
                dictionary.add_documents([present])
        dictionary.compactify()
        if len(dictionary) == 0:
            raise ValueError("empty vocabulary after filtering; lower no_below or give more documents")
        corpus = [dictionary.doc2bow(doc) for doc in docs]
        eta = self._eta(dictionary, themes)
        lda = LdaModel(corpus=corpus, id2word=dictionary, num_topics=eta.shape[0], eta=eta, alpha="symmetric",
                       passes=self.passes, iterations=self.iterations, chunksize=self.chunksize,
                       random_state=self.random_state, eval_every=None, dtype=np.float64)
        self.dictionary_ = dictionary
        self.lda_ = lda
        self.n_topics_ = eta.shape[0]
        self.topic_themes_ = themes + [RESIDUAL] * self.n_residual
        self.n_seed_words_in_vocab_ = int(sum((eta[k] == self.seed_strength).sum() for k in range(len(themes))))
        self._set_inference_cache()
        logger.info("seeded LDA: %d topics (%d seeded) over %d documents, %d terms, %d seed words in vocabulary",
                    self.n_topics_, len(themes), len(corpus), len(dictionary), self.n_seed_words_in_vocab_)
        return self

    def _set_inference_cache(self):
        self.topic_term_ = self.lda_.get_topics()  # (n_topics, n_terms), rows sum to 1
        self.exp_elog_beta_ = np.asarray(self.lda_.expElogbeta, dtype=np.float64)  # (n_topics, n_terms)
        self.alpha_ = np.asarray(self.lda_.alpha, dtype=np.float64)

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- inference --------------------------------------------------------------------------

    def counts(self, docs) -> "sp.csr_matrix":
        """Bag-of-words counts (n_docs, n_terms) in the model's vocabulary."""
        import scipy.sparse as sp

        token2id = self.dictionary_.token2id
        indptr, indices, data = [0], [], []
        for doc in docs:
            row: dict[int, int] = {}
            for tok in doc:
                j = token2id.get(tok)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            indices.extend(row)
            data.extend(row.values())
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
                             shape=(len(docs), len(token2id)))

    def transform(self, docs) -> np.ndarray:
        """doc_topic (n_docs, n_topics): each row the topic mixture of one document.

        Variational inference (the E-step of gensim's LdaModel.inference),
        vectorised over the whole batch and started from a fixed point instead
        of gensim's random draw, so the same text always gets the same
        mixture, whatever was inferred before it. An empty document gets the
        prior mixture.
        """
        import scipy.sparse as sp
        from scipy.special import digamma

        check_is_fitted(self, "lda_")
        docs = _check_token_lists(docs)
        n_docs, n_topics = len(docs), self.n_topics_
        if not n_docs:
            return np.zeros((0, n_topics))
        X = self.counts(docs)
        rows = np.repeat(np.arange(n_docs), np.diff(X.indptr))
        cts = X.data
        beta_cols = np.ascontiguousarray(self.exp_elog_beta_[:, X.indices].T)  # (nnz, n_topics)
        # Sums over each document's terms as one sparse product: (n_docs, nnz).
        row_sum = sp.csr_matrix((np.ones(len(cts)), np.arange(len(cts)), X.indptr), shape=(n_docs, len(cts)))
        alpha = self.alpha_
        gamma = np.ones((n_docs, n_topics))
        active = np.ones(n_docs, dtype=bool)
        for _ in range(self.iterations):
            exp_elog_theta = np.exp(digamma(gamma) - digamma(gamma.sum(axis=1, keepdims=True)))
            phinorm = np.einsum("ik,ik->i", exp_elog_theta[rows], beta_cols) + 1e-100
            new_gamma = alpha + exp_elog_theta * np.asarray(row_sum @ (beta_cols * (cts / phinorm)[:, None]))
            # Each document stops on its own (as in gensim), so its mixture
            # does not depend on the other documents in the batch.
            change = np.abs(new_gamma - gamma).mean(axis=1)
            gamma[active] = new_gamma[active]
            active &= change >= 1e-3
            if not active.any():
                break
        return gamma / gamma.sum(axis=1, keepdims=True)

    def describe_topics(self, top_n: int = 10) -> list[list[str]]:
        """The top_n words of every topic, most probable first."""
        check_is_fitted(self, "lda_")
        id2token = self.dictionary_.id2token or {v: k for k, v in self.dictionary_.token2id.items()}
        out = []
        for row in self.topic_term_:
            top = np.argsort(-row)[:top_n]
            out.append([id2token[int(j)] for j in top])
        return out

    def seed_word_share(self, top_n: int = 20) -> dict[str, float]:
        """For each seeded topic: the share of its top_n words that are its seed words."""
        check_is_fitted(self, "lda_")
        shares = {}
        for k, words in enumerate(self.describe_topics(top_n)):
            theme = self.topic_themes_[k]
            if theme == RESIDUAL:
                continue
            seeds = set(self.seed_words.get(theme, ()))
            shares[theme] = sum(w in seeds for w in words) / len(words)
        return shares

    def best_seed_word_share(self, seed_words: dict, top_n: int = 20) -> dict[str, float]:
        """For each theme: the largest share of its seed words among the top_n
        words of any one topic (for comparing a seeded with an unseeded fit)."""
        check_is_fitted(self, "lda_")
        topics = self.describe_topics(top_n)
        return {theme: max(sum(w in set(seeds) for w in words) / len(words) for words in topics)
                for theme, seeds in seed_words.items()}

    def coherence(self, docs, top_n: int = 10, measures=("c_v", "c_npmi")) -> dict:
        """Topic coherence (gensim CoherenceModel) of the fitted topics on ``docs``."""
        from gensim.models.coherencemodel import CoherenceModel

        check_is_fitted(self, "lda_")
        docs = _check_token_lists(docs)
        topics = self.describe_topics(top_n)
        result = {}
        for measure in measures:
            cm = CoherenceModel(topics=topics, texts=docs, dictionary=self.dictionary_, coherence=measure,
                                topn=top_n, processes=1)
            # A top word pair that never co-occurs gives log(0) inside gensim;
            # such a pair scores as gensim defines it, without a warning.
            with np.errstate(divide="ignore", invalid="ignore"):
                per_topic = cm.get_coherence_per_topic()
            result[measure] = {"mean": float(np.mean(per_topic)), "per_topic": [float(x) for x in per_topic]}
        return result
