"""The passes the pages show: the article's stack computed once, and the shared cache of passes."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

import core
from ui import compute, state
from ui.state import Settings


def random_settings(**changes) -> Settings:
    return Settings(**{"preset": "random", "sentence": "a b c a d", "dim": 6, "heads": 3, "seed": 5, **changes})


def vocab_for(settings: Settings) -> core.Vocabulary:
    return state.preset_vocabulary(settings)


def test_the_tutorial_feed_forward_of_one_copy_is_every_copy_of_the_articles_stack():
    s = random_settings(mode="tutorial")
    vocab = vocab_for(s)
    result = compute.tutorial_pass(compute.PassKey.of(s, vocab), vocab)
    article = core.feed_forward(result.stacked, result.ffn_params)  # the article's code: all H·T rows
    T = len(s.tokens)
    assert result.ffn.output.shape == (T, vocab.dim)
    for h in range(s.heads):  # equal up to the last bit BLAS may round differently for another row count
        np.testing.assert_allclose(article.output[h * T : (h + 1) * T], result.ffn.output, rtol=1e-14, atol=0)
        np.testing.assert_allclose(article.hidden[h * T : (h + 1) * T], result.ffn.hidden, rtol=1e-14, atol=0)


@pytest.mark.parametrize("mode", ["paper", "tutorial"])
def test_a_cached_pass_is_shared_read_only_and_not_copied(mode):
    s = random_settings(mode=mode, seed=11)
    vocab = vocab_for(s)
    first = compute.current_pass(s, vocab)
    again = compute.current_pass(s, vocab)
    assert again is first
    arrays = list(compute.arrays(first))
    assert len(arrays) >= 8
    assert not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError, match="read-only"):
        arrays[0][...] = 0


def test_pass_size_counts_each_buffer_once():
    @dataclasses.dataclass(frozen=True)
    class Inner:
        view: np.ndarray

    @dataclasses.dataclass(frozen=True)
    class Outer:
        whole: np.ndarray
        half: np.ndarray
        inner: Inner
        other: np.ndarray

    base = np.zeros(100)  # 800 bytes, seen three times through views
    made = Outer(whole=base, half=base[:50], inner=Inner(base[10:20].reshape(2, 5)), other=np.ones(25))
    assert compute.pass_nbytes(made) == 800 + 200
    s = random_settings(seed=12)
    vocab = vocab_for(s)
    result = compute.paper_pass(compute.PassKey.of(s, vocab), vocab)
    assert compute.pass_nbytes(result) >= result.attention.weights.nbytes + result.attention.scores.nbytes


def test_the_cache_is_bounded_by_bytes(monkeypatch):
    small = compute.cachetools.TTLCache(maxsize=50_000, ttl=60, getsizeof=compute.pass_nbytes)
    monkeypatch.setattr(compute._run, "cache", small)
    vocab = vocab_for(random_settings())
    for seed in range(20):
        compute.current_pass(random_settings(seed=100 + seed), vocab)
        assert small.currsize <= 50_000
    assert 0 < len(small) < 20  # old passes made room for new ones
    big = Settings(preset="random", sentence=" ".join(f"w{i}" for i in range(64)), dim=16, heads=4, seed=1)
    result = compute.current_pass(big, vocab_for(big))  # larger than the whole cache: computed, not kept
    assert compute.pass_nbytes(result) > 50_000
    assert all(v is not result for v in small.values())


def test_concurrent_requests_for_one_pass_compute_it_once(monkeypatch):
    calls = []
    real = compute.paper_pass
    barrier = threading.Barrier(4)

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(compute, "paper_pass", counted)
    s = random_settings(seed=977)
    vocab = vocab_for(s)
    results = []

    def visitor():
        barrier.wait()
        results.append(compute.current_pass(s, vocab))

    threads = [threading.Thread(target=visitor) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1
    assert all(r is results[0] for r in results)


@pytest.mark.parametrize("norm", ["post", "pre", "none"])
@pytest.mark.parametrize("mask", ["none", "causal"])
def test_the_paper_pass_is_the_block_the_settings_name(norm, mask):
    s = random_settings(norm=norm, mask=mask, temp=2.0, seed=21)
    vocab = vocab_for(s)
    r = compute.paper_pass(compute.PassKey.of(s, vocab), vocab)
    T, D = r.x.shape
    np.testing.assert_array_equal(r.x, r.embeddings + core.sinusoidal_positional_encoding(T, D))
    assert r.scale == pytest.approx(1 / (2.0 * np.sqrt(r.params.d_k)), rel=1e-15)
    if mask == "causal":
        assert np.all(r.attention.weights[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] == 0)
    if norm == "none":
        assert r.block is None
        np.testing.assert_array_equal(r.output, core.feed_forward(r.attention.output, r.ffn_params).output)
    else:
        assert r.block.norm_first == (norm == "pre")
        np.testing.assert_array_equal(r.output, r.block.output)


def test_tutorial_mode_ignores_the_papers_settings_in_its_key():
    vocab = vocab_for(random_settings())
    plain = compute.PassKey.of(random_settings(mode="tutorial"), vocab)
    changed = compute.PassKey.of(random_settings(mode="tutorial", pe="none", mask="causal", temp=3.0), vocab)
    assert plain == changed
    assert compute.PassKey.of(random_settings(temp=3.0), vocab) != compute.PassKey.of(random_settings(), vocab)
