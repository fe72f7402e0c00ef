"""Choosing the seeded topic model: fit a few candidate numbers of topics and
keep the most coherent (c_v + NPMI), with diversity and a seeding check."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dangjian.model.topics import SeededLDA

    from .train import TrainConfig

logger = logging.getLogger(__name__)


def fit_lda(tokens, seed_words, n_residual, config: TrainConfig) -> SeededLDA:
    from dangjian.model.topics import SeededLDA

    return SeededLDA(seed_words=seed_words, n_residual=n_residual, seed_strength=config.seed_strength,
                     passes=config.lda_passes, iterations=config.lda_iterations,
                     random_state=config.random_state).fit(tokens)


DIVERSITY_TOP_WORDS = 25  # topic diversity: share of unique words among each topic's top 25
SEED_SHARE_TOP_WORDS = 20  # how many of a seeded topic's top 20 words are its seeds
REPORT_TOPIC_WORDS = 15  # words per topic in the training report


def score_lda(lda: SeededLDA, tokens) -> dict:
    from dangjian.model.topics import topic_diversity

    coherence = lda.coherence(tokens)
    return {"n_topics": lda.n_topics_, "c_v": coherence["c_v"]["mean"], "c_npmi": coherence["c_npmi"]["mean"],
            "c_v_per_topic": coherence["c_v"]["per_topic"], "c_npmi_per_topic": coherence["c_npmi"]["per_topic"],
            "diversity": topic_diversity(lda.describe_topics(DIVERSITY_TOP_WORDS)),
            "seed_word_share": lda.seed_word_share(SEED_SHARE_TOP_WORDS)}


def choose_topic_model(tokens, seed_words, config: TrainConfig) -> tuple[SeededLDA, list[dict]]:
    """Fit the candidate Ks (in parallel) and keep the most coherent (c_v + NPMI)."""
    from joblib import Parallel, delayed

    n_themes = len(seed_words)
    if config.n_topics is not None:
        if config.n_topics < n_themes:
            raise ValueError(f"--topics must be at least the number of themes ({n_themes}), got {config.n_topics}")
        residuals = [config.n_topics - n_themes]
    else:
        residuals = list(config.residual_candidates)

    def fit_and_score(n_residual):
        lda = fit_lda(tokens, seed_words, n_residual, config)
        return lda, score_lda(lda, tokens)

    def fit_unseeded(n_topics):
        # The seeding check: the same data and K without seeds.
        lda = fit_lda(tokens, {}, n_topics, config)
        return lda.best_seed_word_share(seed_words, 20)

    jobs = [delayed(fit_and_score)(r) for r in residuals] + [delayed(fit_unseeded)(n_themes + residuals[0])]
    *results, unseeded_share = Parallel(n_jobs=min(config.n_jobs, len(jobs)))(jobs)
    scores = [s for _, s in results]
    best = max(range(len(results)), key=lambda i: scores[i]["c_v"] + scores[i]["c_npmi"])
    for i, s in enumerate(scores):
        s["chosen"] = i == best
        s["unseeded_seed_word_share"] = unseeded_share
        s["unseeded_n_topics"] = n_themes + residuals[0]
        logger.info("LDA K=%d: c_v %.3f, NPMI %.3f, diversity %.2f%s", s["n_topics"], s["c_v"], s["c_npmi"],
                    s["diversity"], " (chosen)" if i == best else "")
    return results[best][0], scores
