"""Multi-label theme classifier over paragraph units.

Features per unit, in named blocks (:data:`FEATURE_BLOCKS`): TF-IDF of its
tokens, TF-IDF of character 2–3-grams of its tokens (robust to segmentation
differences), the seeded-LDA topic mixture, word vectors (the TF-IDF-weighted
mean and the maximum of gensim Word2Vec vectors trained with the model), and
per-theme counts of seed keywords. One logistic regression per theme
(one-vs-rest), calibrated with a sigmoid fitted on cross-validated scores, and
a per-theme threshold chosen by cross-validation. The decisions (which themes
pass, which is primary) are made here, in :meth:`TopicClassifier.decide`, so
every caller gets the same answer.

Without labels the classifier still works: themes are scored from the seeded
topics and keywords alone (``mode_ == "unsupervised"``).
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils.validation import check_is_fitted

from .topics import RESIDUAL, SeededLDA

logger = logging.getLogger(__name__)

__all__ = ["TopicClassifier", "identity_analyzer", "best_f1_threshold", "UNSUPERVISED_THRESHOLD"]

UNSUPERVISED_THRESHOLD = 0.5
# Without labels a theme's score is a fixed logistic of its keyword hits (capped)
# and its seeded topic's weight: one hit and a quarter of the unit in the
# theme's topic give 0.5; two hits alone give 0.73.
UNSUPERVISED_KEYWORD_WEIGHT = 2.5
UNSUPERVISED_MAX_KEYWORD_HITS = 3
UNSUPERVISED_TOPIC_WEIGHT = 6.0
UNSUPERVISED_BIAS = -4.0
_MIN_POSITIVES = 3
# The out-of-fold decision value given to a fold whose training part had one class only.
SIGMOID_FLOOR = 10.0


def identity_analyzer(tokens):
    """Analyzer for pre-tokenized documents (a top-level function so it pickles)."""
    return tokens


class CharNgramAnalyzer:
    """Character n-grams inside each token (none across token boundaries).
    A class, not a closure, so the fitted vectorizer pickles."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, tokens):
        grams = []
        for tok in tokens:
            n_chars = len(tok)
            for n in range(self.low, min(self.high, n_chars) + 1):
                grams.extend(tok[i:i + n] for i in range(n_chars - n + 1))
        return grams

    def __eq__(self, other):
        return isinstance(other, CharNgramAnalyzer) and (self.low, self.high) == (other.low, other.high)

    def __repr__(self):
        return f"CharNgramAnalyzer({self.low}, {self.high})"


class TokenGramIndex:
    """Vocabulary ids of the features one token produces (itself, or its
    character n-grams), memoised per token: tokens repeat, n-gram work doesn't."""

    MAX_CACHE = 200_000

    def __init__(self, vectorizer: TfidfVectorizer):
        self.vocab = vectorizer.vocabulary_
        self.analyzer = vectorizer.analyzer
        self.cache: dict[str, tuple[int, ...]] = {}

    def ids(self, token: str) -> tuple[int, ...]:
        found = self.cache.get(token)
        if found is None:
            vocab = self.vocab
            found = tuple(vocab[g] for g in self.analyzer([token]) if g in vocab)
            if len(self.cache) >= self.MAX_CACHE:
                self.cache.clear()
            self.cache[token] = found
        return found


def tfidf_transform(vectorizer: TfidfVectorizer, docs, index: TokenGramIndex | None = None) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` for a fitted TfidfVectorizer whose
    analyzer works token by token (identity or character n-grams within
    tokens), with sublinear tf, idf and l2 norm: the same numbers without
    sklearn's per-call validation, which dominates for a handful of units."""
    index = index or TokenGramIndex(vectorizer)
    ids = index.ids
    indptr, indices, data = [0], [], []
    for doc in docs:
        row: dict[int, int] = {}
        for tok in doc:
            for j in ids(tok):
                row[j] = row.get(j, 0) + 1
        indices.extend(row)
        data.extend(row.values())
        indptr.append(len(indices))
    values = np.asarray(data, dtype=np.float64)
    idx = np.asarray(indices, dtype=np.int64)
    if vectorizer.sublinear_tf:
        values = np.log(values) + 1.0
    values *= vectorizer.idf_[idx]
    indptr = np.asarray(indptr)
    lengths = np.diff(indptr)
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(lengths)))
    norms[norms == 0] = 1.0
    values /= norms[row_of]
    X = sp.csr_matrix((values, idx, indptr), shape=(len(lengths), len(vectorizer.vocabulary_)))
    X.sort_indices()
    return X


def best_f1_threshold(y_true: np.ndarray, proba: np.ndarray, lo: float = 0.1, hi: float = 0.9) -> float:
    """The probability cut-off in [lo, hi] that maximises F1 on (y_true, proba)."""
    y_true = np.asarray(y_true, dtype=bool)
    if not y_true.any():
        return hi
    candidates = np.unique(np.clip(proba, lo, hi))
    best, best_f1 = 0.5, -1.0
    for t in candidates:
        pred = proba >= t
        tp = np.sum(pred & y_true)
        f1 = 2 * tp / (pred.sum() + y_true.sum()) if (pred.sum() + y_true.sum()) else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


FEATURE_BLOCKS = ("words", "chars", "topics", "vectors", "keywords")
"""The feature blocks, in the order they are stacked into ``UnitFeatures.X``.
Everything that needs a block (scoring, evidence) finds it by name through
``TopicClassifier.block_slices_``, never by position."""


@dataclass
class UnitFeatures:
    """Everything computed once per unit, block by block.

    ``words`` (n_units, n_words) and ``chars`` (n_units, n_char_grams) are
    TF-IDF; ``doc_topic`` (n_units, n_topics); ``vectors`` (n_units,
    2 * vector_size) the word-vector mean and max; ``keyword_hits`` (n_units,
    n_themes) raw counts. :meth:`block` gives a block as the classifier sees
    it (scaled); ``X`` stacks them all (built on first use: training needs
    it, scoring does not).
    """

    tokens: list[list[str]]
    words: sp.csr_matrix
    chars: sp.csr_matrix
    doc_topic: np.ndarray
    vectors: np.ndarray
    keyword_hits: np.ndarray
    topic_weight: float
    keyword_weight: float
    _X: sp.csr_matrix | None = None

    @property
    def n_units(self) -> int:
        return self.words.shape[0]

    @property
    def keyword_block(self) -> np.ndarray:
        return np.log1p(self.keyword_hits) * self.keyword_weight

    def block(self, name: str):
        """One feature block by name, as it enters the classifier."""
        if name == "words":
            return self.words
        if name == "chars":
            return self.chars
        if name == "topics":
            return self.doc_topic * self.topic_weight
        if name == "vectors":
            return self.vectors
        if name == "keywords":
            return self.keyword_block
        raise KeyError(f"unknown feature block {name!r}; blocks are {FEATURE_BLOCKS}")

    @property
    def X(self) -> sp.csr_matrix:
        if self._X is None:
            self._X = sp.hstack([sp.csr_matrix(self.block(name)) for name in FEATURE_BLOCKS], format="csr")
        return self._X

    def subset(self, idx) -> "UnitFeatures":
        idx = np.asarray(idx)
        return UnitFeatures([self.tokens[i] for i in idx], self.words[idx], self.chars[idx], self.doc_topic[idx],
                            self.vectors[idx], self.keyword_hits[idx], self.topic_weight, self.keyword_weight,
                            self._X[idx] if self._X is not None else None)


# Words that say where, who, when or how many, not what: jieba's dictionary tags
# for place and person names, numerals, time words, quantifiers and idioms, and
# administrative place names it does not know (博山区, 某某县). They never serve
# as evidence (a theme's own seed keywords always may).
NON_EVIDENCE_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "m", "mq", "t", "q", "i"})
_PLACE_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}[省市县区镇乡]$")
_NOT_A_WORD = re.compile(r"[0-9０-９A-Za-z%％.．]")


def non_evidence_words(vocabulary) -> frozenset[str]:
    """The words of ``vocabulary`` that are not evidence of a theme (see
    :data:`NON_EVIDENCE_TAGS`): dictionary-tagged names, numbers and idioms,
    administrative place names, single characters and tokens with digits or Latin letters."""
    import jieba

    tags = {}
    with jieba.dt.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return frozenset(w for w in vocabulary if len(w) < 2 or tags.get(w) in NON_EVIDENCE_TAGS
                     or _PLACE_SUFFIX.match(w) or _NOT_A_WORD.search(w))


def _l2_rows(a: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return a / norms


class TopicClassifier(BaseEstimator, ClassifierMixin):
    """Themes of paragraph units from their token lists.

    Parameters
    ----------
    themes : ordered theme ids.
    seed_words : theme id → seed keywords (the LDA seeds and keyword features).
    topic_model : an unfitted :class:`SeededLDA`, or None for no topic features.
    C : inverse regularisation of each logistic regression.
    min_df, max_df : TF-IDF vocabulary limits.
    char_ngrams : (min, max) length of the character n-grams, or None for none.
    max_char_features : size of the character n-gram vocabulary.
    topic_weight, keyword_weight : scale of the topic and keyword feature blocks
        relative to the (L2-normalised) TF-IDF block.
    vector_size : dimensions of the Word2Vec vectors trained on the topic
        corpus in :meth:`fit_representation` (0: no word-vector block).
    cv : folds for calibration and threshold selection.
    random_state : seed for everything random.
    """

    def __init__(self, *, themes=(), seed_words=None, topic_model: SeededLDA | None = None, C: float = 8.0,
                 min_df: int = 2, max_df: float = 0.5, char_ngrams: tuple[int, int] | None = (2, 3),
                 max_char_features: int = 50000, topic_weight: float = 1.0, keyword_weight: float = 1.0,
                 vector_size: int = 100, cv: int = 5, random_state: int = 0):
        self.themes = themes
        self.seed_words = seed_words
        self.topic_model = topic_model
        self.C = C
        self.min_df = min_df
        self.max_df = max_df
        self.char_ngrams = char_ngrams
        self.max_char_features = max_char_features
        self.topic_weight = topic_weight
        self.keyword_weight = keyword_weight
        self.vector_size = vector_size
        self.cv = cv
        self.random_state = random_state

    # -- features ---------------------------------------------------------------------------

    def _keyword_hits(self, tokens: list[list[str]]) -> np.ndarray:
        index = {w: k for k, t in enumerate(self.themes) for w in (self.seed_words or {}).get(t, ())}
        hits = np.zeros((len(tokens), len(self.themes)))
        for i, doc in enumerate(tokens):
            for tok in doc:
                k = index.get(tok)
                if k is not None:
                    hits[i, k] += 1
        return hits

    def topic_theme_scores(self, doc_topic: np.ndarray) -> np.ndarray:
        """(n_units, n_themes): the weight of each theme's seeded topic."""
        scores = np.zeros((doc_topic.shape[0], len(self.themes)))
        if self.topic_model_ is None:
            return scores
        for k, theme in enumerate(self.topic_model_.topic_themes_):
            if theme != RESIDUAL:
                scores[:, self.themes.index(theme)] = doc_topic[:, k]
        return scores

    def features(self, tokens: list[list[str]]) -> UnitFeatures:
        """Features of token lists (after fit_topics / fit)."""
        check_is_fitted(self, "vectorizer_")
        if isinstance(tokens, str):
            raise TypeError("expected an iterable of token lists, got str")
        tokens = list(tokens)
        if getattr(self, "_indexes", None) is None:
            self._indexes = (TokenGramIndex(self.vectorizer_),
                             TokenGramIndex(self.char_vectorizer_) if self.char_vectorizer_ is not None else None)
        word_index, char_index = self._indexes
        tfidf = tfidf_transform(self.vectorizer_, tokens, word_index)
        chars = tfidf_transform(self.char_vectorizer_, tokens, char_index) if char_index is not None else sp.csr_matrix((len(tokens), 0))
        doc_topic = self.topic_model_.transform(tokens) if self.topic_model_ is not None else np.zeros((len(tokens), 0))
        hits = self._keyword_hits(tokens)
        return UnitFeatures(tokens, tfidf, chars, doc_topic, self._vectors(tfidf), hits, self.topic_weight,
                            self.keyword_weight)

    def _vectors(self, tfidf: sp.csr_matrix) -> np.ndarray:
        """(n_units, 2 * vector_size): the TF-IDF-weighted mean and the
        elementwise maximum of the units' word vectors, each L2-normalised."""
        emb = getattr(self, "embeddings_", None)
        if emb is None or not emb.shape[1]:
            return np.zeros((tfidf.shape[0], 0))
        # float32 on both sides: a float64 matrix times the float32 table
        # would copy the whole table to float64 on every call
        mean = np.asarray(tfidf.astype(np.float32) @ emb, dtype=np.float64)
        maxed = np.zeros_like(mean)
        nonempty = np.diff(tfidf.indptr) > 0
        if nonempty.any():  # the max over each row's words, all rows at once
            maxed[nonempty] = np.maximum.reduceat(emb[tfidf.indices], tfidf.indptr[:-1][nonempty], axis=0)
        return np.hstack([_l2_rows(mean), _l2_rows(maxed)])

    def _fit_word_vectors(self, corpus: list[list[str]]) -> np.ndarray:
        """Word2Vec (skip-gram) on the corpus, one row per TF-IDF vocabulary
        word (zeros for words it has no vector for). One worker thread, so the
        same corpus and seed give the same vectors."""
        from gensim.models import Word2Vec

        vocab = self.vectorizer_.vocabulary_
        emb = np.zeros((len(vocab), self.vector_size), dtype=np.float32)
        w2v = Word2Vec(sentences=corpus, vector_size=self.vector_size, window=5, min_count=3, sg=1, epochs=8,
                       workers=1, seed=self.random_state)
        for word, j in vocab.items():
            if word in w2v.wv.key_to_index:
                emb[j] = w2v.wv[word]
        logger.info("word vectors: %d of %d vocabulary words from %d units", int((emb != 0).any(1).sum()),
                    len(vocab), len(corpus))
        return emb

    def fit_representation(self, tokens: list[list[str]], topic_tokens: list[list[str]] | None = None,
                           fitted_topic_model: SeededLDA | None = None):
        """Fit the unsupervised parts: TF-IDF vocabulary and the seeded LDA.

        ``topic_tokens`` (unlabeled units, labeled ones included) is what the
        LDA and the TF-IDF idf are fitted on; defaults to ``tokens``. A
        ``fitted_topic_model`` (e.g. chosen by coherence) is used as it is.
        """
        if isinstance(tokens, str):
            raise TypeError("expected an iterable of token lists, got str")
        self.themes = list(self.themes)
        if not self.themes:
            raise ValueError("themes must not be empty")
        corpus = list(topic_tokens) if topic_tokens is not None else list(tokens)
        self.vectorizer_ = TfidfVectorizer(analyzer=identity_analyzer, min_df=self.min_df, max_df=self.max_df,
                                           sublinear_tf=True, dtype=np.float64)
        self.vectorizer_.fit(corpus)
        self._indexes = None
        self.char_vectorizer_ = None
        if self.char_ngrams:
            self.char_vectorizer_ = TfidfVectorizer(analyzer=CharNgramAnalyzer(*self.char_ngrams), min_df=self.min_df,
                                                    max_df=self.max_df, max_features=self.max_char_features,
                                                    sublinear_tf=True, dtype=np.float64)
            self.char_vectorizer_.fit(corpus)
        self.topic_model_ = fitted_topic_model
        if fitted_topic_model is None and self.topic_model is not None:
            from sklearn.base import clone

            self.topic_model_ = clone(self.topic_model).set_params(seed_words=self.seed_words)
            self.topic_model_.fit(corpus)
        self.embeddings_ = self._fit_word_vectors(corpus) if self.vector_size else None
        self.non_evidence_ = non_evidence_words(self.vectorizer_.vocabulary_)
        self.classes_ = np.array(self.themes)
        widths = {"words": len(self.vectorizer_.vocabulary_),
                  "chars": len(self.char_vectorizer_.vocabulary_) if self.char_vectorizer_ is not None else 0,
                  "topics": self.topic_model_.n_topics_ if self.topic_model_ else 0,
                  "vectors": 2 * self.vector_size if self.vector_size else 0,
                  "keywords": len(self.themes)}
        self.block_slices_, start = {}, 0
        for name in FEATURE_BLOCKS:
            self.block_slices_[name] = slice(start, start + widths[name])
            start += widths[name]
        self.n_features_ = start
        return self

    # -- supervised part ---------------------------------------------------------------------

    def _base_estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=2000,
                                  random_state=self.random_state)

    def _fit_theme(self, X, y: np.ndarray, folds) -> tuple[LogisticRegression, LogisticRegression, np.ndarray]:
        """One theme: a logistic regression per fold for out-of-fold decision
        values, a sigmoid fitted to them (Platt scaling: the calibration), and
        the regression refitted on every unit. Returns (regression, sigmoid,
        out-of-fold calibrated scores). The same folds serve calibration and
        the choice of thresholds, so each theme costs len(folds) + 1 fits."""
        decision = np.zeros(len(y))
        for train_idx, test_idx in folds:
            y_train = y[train_idx]
            if 0 < y_train.sum() < len(y_train):
                decision[test_idx] = self._base_estimator().fit(X[train_idx], y_train).decision_function(X[test_idx])
            else:  # this fold's training part has one class only
                decision[test_idx] = -SIGMOID_FLOOR if not y_train.sum() else SIGMOID_FLOOR
        sigmoid = LogisticRegression(C=1e4, solver="lbfgs").fit(decision.reshape(-1, 1), y)
        regression = self._base_estimator().fit(X, y)
        return regression, sigmoid, sigmoid.predict_proba(decision.reshape(-1, 1))[:, 1]

    def fit_classifier(self, feats: UnitFeatures, Y: np.ndarray, groups=None, thresholds=None, folds=None):
        """Fit the calibrated per-theme classifiers on labelled units.

        ``Y`` is the (n_units, n_themes) 0/1 label matrix; ``folds``
        ((train_idx, test_idx) pairs; by default :meth:`cv_folds` over
        ``groups``, the units' articles) serve calibration and thresholds.
        Sets ``cv_proba_`` (n_units, n_themes): the out-of-fold calibrated
        scores of the training units. ``thresholds`` (per theme) may be given;
        otherwise each is the one with the best out-of-fold F1.
        """
        check_is_fitted(self, "vectorizer_")
        Y = np.asarray(Y, dtype=int)
        folds = folds if folds is not None else self.cv_folds(Y.shape[0], groups)
        self.estimators_ = {}
        oof = self._unsupervised_scores(feats.doc_topic, feats.keyword_hits)
        X = feats.X
        for k, theme in enumerate(self.themes):
            y = Y[:, k]
            if y.sum() < _MIN_POSITIVES:
                logger.warning("theme %s has %d positive units; scored from topics and keywords only", theme, y.sum())
                continue
            regression, sigmoid, oof[:, k] = self._fit_theme(X, y, folds)
            self.estimators_[theme] = (regression, sigmoid)
        self.cv_proba_ = oof
        if thresholds is None:
            thresholds = {t: best_f1_threshold(Y[:, k], oof[:, k]) for k, t in enumerate(self.themes)}
        self.thresholds_ = {t: float(thresholds.get(t, UNSUPERVISED_THRESHOLD)) for t in self.themes}
        self.mode_ = "supervised"
        self._compile()
        return self

    def refit_regressions(self, feats: UnitFeatures, Y: np.ndarray, n_jobs: int = 1):
        """Refit each theme's logistic regression on new labels ``Y``
        ((n_units, n_themes) 0/1) over the same features, keeping its
        calibration (the sigmoid) and its threshold: the fast refit of
        ``dangjian train --reuse-topics``, one fit per theme instead of one per
        fold and theme. The representation (vocabularies, LDA, word vectors)
        is not touched. A theme without a calibration (too few positives when
        the classifier was fitted) stays scored from topics and keywords; a
        theme left with too few positives falls back to them too.
        Runs ``n_jobs`` themes at once (threads: liblinear releases the GIL)."""
        from joblib import Parallel, delayed

        check_is_fitted(self, "estimators_")
        Y = np.asarray(Y, dtype=int)
        X = feats.X
        todo = [(k, theme) for k, theme in enumerate(self.themes)
                if theme in self.estimators_ and Y[:, k].sum() >= _MIN_POSITIVES]
        for k, theme in enumerate(self.themes):
            if theme in self.estimators_ and Y[:, k].sum() < _MIN_POSITIVES:
                logger.warning("theme %s has %d positive units; scored from topics and keywords only", theme, Y[:, k].sum())
        # liblinear's dual solver reaches the same regression (decision values
        # equal within 1e-3 on the bundled data) 5-10 times faster than the
        # primal one when there are more features than units, as here.
        regressions = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(self._base_estimator().set_params(dual=True).fit)(X, Y[:, k]) for k, _ in todo)
        self.estimators_ = {theme: (regression, self.estimators_[theme][1])
                            for (_, theme), regression in zip(todo, regressions)}
        self._compile()
        return self

    def _compile(self):
        """Stack the per-theme linear models and their sigmoid calibrations into
        arrays, so scoring is one sparse product for all themes (sklearn's
        per-call input validation costs more than the arithmetic here)."""
        n_themes = len(self.themes)
        self.weights_ = np.zeros((self.n_features_, n_themes))
        self.intercepts_ = np.zeros(n_themes)
        self.calibration_ = np.zeros((n_themes, 2))  # (a, b): p = expit(-(a * f + b))
        self.supervised_ = np.zeros(n_themes, dtype=bool)
        for k, theme in enumerate(self.themes):
            pair = self.estimators_.get(theme)
            if pair is None:
                continue
            regression, sigmoid = pair
            self.weights_[:, k] = regression.coef_.ravel()
            self.intercepts_[k] = regression.intercept_[0]
            self.calibration_[k] = (-sigmoid.coef_[0, 0], -sigmoid.intercept_[0])
            self.supervised_[k] = True

    def cv_folds(self, n_units: int, groups=None, n_splits: int | None = None) -> list:
        """(train_idx, test_idx) folds over units; by ``groups`` (articles) when given."""
        n_splits = n_splits or self.cv
        splitter = GroupKFold(n_splits=n_splits) if groups is not None else \
            KFold(n_splits, shuffle=True, random_state=self.random_state)
        return list(splitter.split(np.zeros((n_units, 1)), None, groups))

    def fit(self, tokens, Y=None, *, groups=None, topic_tokens=None):
        """Fit everything. ``tokens``: token lists of the units; ``Y``: their
        (n_units, n_themes) 0/1 labels, or None to train without labels."""
        self.fit_representation(tokens, topic_tokens)
        if Y is None or not np.asarray(Y).any():
            return self.fit_unsupervised()
        return self.fit_classifier(self.features(tokens), Y, groups)

    def fit_unsupervised(self):
        """No labels: score themes from the seeded topics and keywords alone."""
        check_is_fitted(self, "vectorizer_")
        self.estimators_ = {}
        self.thresholds_ = {t: UNSUPERVISED_THRESHOLD for t in self.themes}
        self.mode_ = "unsupervised"
        return self

    # -- scoring -----------------------------------------------------------------------------

    def _unsupervised_scores(self, doc_topic: np.ndarray, hits: np.ndarray) -> np.ndarray:
        """Theme scores from the seeded topics and keywords alone: a fixed
        logistic of keyword hits and the theme topic's weight. Not calibrated."""
        topic = self.topic_theme_scores(doc_topic)
        z = (UNSUPERVISED_KEYWORD_WEIGHT * np.minimum(hits, UNSUPERVISED_MAX_KEYWORD_HITS)
             + UNSUPERVISED_TOPIC_WEIGHT * topic + UNSUPERVISED_BIAS)
        return 1.0 / (1.0 + np.exp(-z))

    def proba_from_features(self, feats: UnitFeatures) -> np.ndarray:
        check_is_fitted(self, "thresholds_")
        if not feats.n_units:
            return np.zeros((0, len(self.themes)))
        proba = self._unsupervised_scores(feats.doc_topic, feats.keyword_hits)
        if self.estimators_:
            decision = self.intercepts_ + sum(np.asarray(feats.block(name) @ self.weights_[self.block_slices_[name]])
                                              for name in FEATURE_BLOCKS)
            calibrated = 1.0 / (1.0 + np.exp(self.calibration_[:, 0] * decision + self.calibration_[:, 1]))
            proba[:, self.supervised_] = calibrated[:, self.supervised_]
        return proba

    def predict_proba(self, tokens) -> np.ndarray:
        """(n_units, n_themes) theme scores (calibrated when trained with labels)."""
        return self.proba_from_features(self.features(tokens))

    def decide(self, proba: np.ndarray, thresholds: dict | None = None) -> list[tuple[list[int], int | None]]:
        """Per unit: the indices of the themes whose score passes their
        threshold (the fitted ones unless ``thresholds`` is given), highest
        first, and the primary (the top one) or None."""
        if thresholds is None:
            check_is_fitted(self, "thresholds_")
            thresholds = self.thresholds_
        limits = np.array([thresholds[t] for t in self.themes])
        out = []
        for row in proba:
            passing = [int(k) for k in np.argsort(-row) if row[k] >= limits[k]]
            out.append((passing, passing[0] if passing else None))
        return out

    def predict(self, tokens) -> list[list[str]]:
        """Theme ids per unit (may be empty)."""
        return [[self.themes[k] for k in passing] for passing, _ in self.decide(self.predict_proba(tokens))]

    def transform(self, tokens) -> np.ndarray:
        """doc_topic (n_units, n_topics) of the seeded LDA."""
        check_is_fitted(self, "vectorizer_")
        if self.topic_model_ is None:
            raise ValueError("this classifier has no topic model")
        return self.topic_model_.transform(list(tokens))

    def describe_topics(self, top_n: int = 10) -> list[list[str]]:
        check_is_fitted(self, "vectorizer_")
        return self.topic_model_.describe_topics(top_n) if self.topic_model_ is not None else []

    # -- explanations ------------------------------------------------------------------------

    def evidence(self, feats: UnitFeatures, i: int, theme_index: int, top_n: int = 5) -> list[str]:
        """Terms of unit ``i`` with the largest positive contribution to a theme's score.

        Supervised: coefficient × feature value over the unit's TF-IDF terms,
        with each matched seed keyword credited its keyword feature's share.
        Unsupervised: the matched seed keywords, then the unit's terms most
        probable under the theme's topic.
        """
        theme = self.themes[theme_index]
        est = self.estimators_.get(theme)
        terms = self._word_terms()
        seeds = set((self.seed_words or {}).get(theme, ()))
        scored: dict[str, float] = {}
        if est is not None:
            coef = self.weights_[:, theme_index]
            word_coef, char_coef = coef[self.block_slices_["words"]], coef[self.block_slices_["chars"]]
            kw_coef = coef[self.block_slices_["keywords"]][theme_index]
            words, chars = feats.words, feats.chars
            for j, v in zip(words.indices[words.indptr[i]:words.indptr[i + 1]], words.data[words.indptr[i]:words.indptr[i + 1]]):
                c = word_coef[j] * v
                if c > 0:
                    scored[terms[j]] = c
            gram_contrib = {j: char_coef[j] * v for j, v in
                            zip(chars.indices[chars.indptr[i]:chars.indptr[i + 1]], chars.data[chars.indptr[i]:chars.indptr[i + 1]])}
            if gram_contrib:
                # A character n-gram's contribution goes to the tokens it occurs
                # in (each of the token's n-grams in the vocabulary, repeats
                # included, in order: grams outside it would add 0.0).
                gram_ids = self._char_gram_index().ids
                for tok in set(feats.tokens[i]):
                    c = sum(gram_contrib.get(j, 0.0) for j in gram_ids(tok))
                    if c > 0:
                        scored[tok] = scored.get(tok, 0.0) + c
            kw_value = feats.keyword_block[i, theme_index]
            kw_contrib = kw_coef * kw_value if kw_value else 0.0
            if kw_contrib > 0:
                matched = [t for t in feats.tokens[i] if t in seeds]
                for t in matched:
                    scored[t] = scored.get(t, 0.0) + kw_contrib / len(matched)
        else:
            for t in feats.tokens[i]:
                if t in seeds:
                    scored[t] = scored.get(t, 0.0) + 1.0
            if self.topic_model_ is not None and theme in self.topic_model_.topic_themes_:
                k = self.topic_model_.topic_themes_.index(theme)
                token2id = self.topic_model_.dictionary_.token2id
                for t in feats.tokens[i]:
                    j = token2id.get(t)
                    if j is not None:
                        scored[t] = max(scored.get(t, 0.0), float(self.topic_model_.topic_term_[k, j]) * 10)
        excluded = getattr(self, "non_evidence_", frozenset())
        ranked = sorted(((t, c) for t, c in scored.items() if t in seeds or t not in excluded),
                        key=lambda kv: (-kv[1], kv[0]))
        return [t for t, c in ranked[:top_n] if c > 0 and not math.isnan(c)]

    def _word_terms(self):
        if getattr(self, "_terms", None) is None:
            self._terms = self.vectorizer_.get_feature_names_out()
        return self._terms

    def _char_gram_index(self) -> TokenGramIndex:
        if getattr(self, "_indexes", None) is None:
            self._indexes = (TokenGramIndex(self.vectorizer_), TokenGramIndex(self.char_vectorizer_))
        return self._indexes[1]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_terms", None)
        state.pop("_chars", None)
        state.pop("_indexes", None)
        state.pop("cv_proba_", None)  # training-time scores: not part of the model
        return state
