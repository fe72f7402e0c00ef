import numpy as np
import pytest

from dangjian.model.topic_map import build_topic_map, classical_mds, relevant_terms, topic_distances


def test_topic_distances_are_jensen_shannon_in_unit_range():
    phi = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    d = topic_distances(phi)
    assert d.shape == (4, 4)
    assert np.allclose(np.diag(d), 0)
    assert d[0, 1] == pytest.approx(1.0)  # disjoint supports: the largest distance
    assert d[0, 2] == pytest.approx(0.0)
    assert 0 < d[0, 3] < 1 and np.allclose(d, d.T)


def test_topic_distances_refuse_what_is_not_a_distribution():
    with pytest.raises(ValueError):
        topic_distances(np.array([[0.0, 0.0], [0.5, 0.5]]))
    with pytest.raises(ValueError):
        topic_distances(np.array([[-0.5, 1.5]]))


def test_classical_mds_recovers_planar_distances():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0], [1.0, 1.0]])
    d = np.linalg.norm(points[:, None] - points[None], axis=2)
    coords = classical_mds(d)
    d2 = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    assert np.allclose(d, d2, atol=1e-8)


def test_relevant_terms_favour_particular_words_at_low_lambda():
    # word 0 is frequent everywhere; word 2 is particular to topic 0
    phi = np.array([[0.6, 0.1, 0.3, 0.0], [0.6, 0.3, 0.0, 0.1]])
    at_one = relevant_terms(phi, np.array([1.0, 1.0]), top_n=1, lambdas=(1.0,))
    at_zero = relevant_terms(phi, np.array([1.0, 1.0]), top_n=1, lambdas=(0.0,))
    assert at_one[0][0][0] == 0
    assert at_zero[0][0][0] == 2
    word, p_wt, p_w = relevant_terms(phi, np.array([1.0, 1.0]), top_n=4, lambdas=(1.0,))[0][0]
    assert p_wt == pytest.approx(0.6) and p_w == pytest.approx(0.6)


def test_build_topic_map_places_similar_topics_close():
    rng = np.random.default_rng(0)
    base = rng.dirichlet(np.ones(50), size=3)
    phi = np.vstack([base[0], base[0] * 0.95 + base[1] * 0.05, base[2]])
    tmap = build_topic_map(phi, [f"w{j}" for j in range(50)], [3, 1, 0])
    xy = np.c_[tmap.x, tmap.y]
    assert np.linalg.norm(xy[0] - xy[1]) < np.linalg.norm(xy[0] - xy[2])
    assert sum(tmap.share) == pytest.approx(1.0) and tmap.share[2] == 0
    assert all(len(words) >= 30 for words in tmap.terms)
    assert tmap.terms[0][0][0].startswith("w")
    word = tmap.terms[2][0][0]
    assert tmap.word_topics[word] == pytest.approx(tuple(phi[:, int(word[1:])] / phi.sum(axis=1)))
    assert {w for row in tmap.terms for w, _, _ in row} == set(tmap.word_topics)
    with pytest.raises(ValueError):
        build_topic_map(phi, ["a"], None)
