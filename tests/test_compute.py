"""The passes the pages show: the article's stack computed once, and the shared cache of passes."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import threading
import time

import numpy as np
import pytest

import core
from ui import budget, compute, state
from ui.i18n import Translator
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


# --- large passes, one at a time ------------------------------------------------------------------

WIDEST = " ".join(f"w{i}" for i in range(state.MAX_TOKENS))


@pytest.mark.parametrize(
    "changes",
    [
        {"sentence": WIDEST, "dim": 128, "heads": 16, "ffn": 4096},
        {"sentence": WIDEST, "dim": 128, "heads": 16, "ffn": 4096, "mode": "tutorial"},
        {"sentence": WIDEST, "dim": 8, "heads": 16},
        {"sentence": WIDEST, "dim": 8, "heads": 2},
        {"sentence": " ".join(WIDEST.split()[:128]), "dim": 128, "heads": 16, "ffn": 4096},
    ],
    ids=["widest", "widest-tutorial", "16-heads", "2-heads", "128-tokens"],
)
def test_a_pass_size_is_known_before_it_is_computed(changes):
    s = random_settings(**changes)
    vocab = vocab_for(s)
    key = compute.PassKey.of(s, vocab)
    fn = compute.paper_pass if s.paper else compute.tutorial_pass
    real = compute.pass_nbytes(fn(key, vocab))
    assert 0.8 <= compute.pass_bytes(key, vocab) / real <= 1.3


def test_the_widest_page_is_a_large_pass_and_the_default_one_is_not():
    wide = random_settings(sentence=WIDEST, dim=128, heads=16, ffn=4096)
    assert compute.pass_bytes(compute.PassKey.of(wide, vocab_for(wide)), vocab_for(wide)) >= compute.LARGE_PASS_BYTES
    small = Settings()
    assert compute.pass_bytes(compute.PassKey.of(small, vocab_for(small)), vocab_for(small)) < 2**20


def test_large_passes_are_computed_one_at_a_time_and_small_ones_never_wait(monkeypatch):
    """Three tabs of the widest page with three seeds, and a small page meanwhile: the large passes run one
    after another (the later ones show that they wait), the small one at once."""
    spans: dict[str, tuple[float, float]] = {}
    first_started = threading.Event()

    def slow(key, vocab):  # stands in for the pass: what matters is when it runs
        name = f"seed {key.settings.seed}" if len(key.settings.tokens) > 100 else "small"
        t0 = time.perf_counter()
        first_started.set()
        time.sleep(0.3 if name != "small" else 0.01)
        spans[name] = (t0, time.perf_counter())
        return np.zeros(1)

    monkeypatch.setattr(compute, "paper_pass", slow)
    waited: list[str] = []

    def waiting_for(name):
        @contextlib.contextmanager
        def shown():
            waited.append(name)
            yield

        return shown

    def visit(settings, name):
        vocab = vocab_for(settings)
        compute._run(compute.PassKey.of(settings, vocab), vocab, waiting_for(name))

    seeds = (9101, 9102, 9103)  # passes no other test computes
    large = [random_settings(sentence=WIDEST, dim=128, heads=16, ffn=4096, seed=seed) for seed in seeds]
    threads = [threading.Thread(target=visit, args=(s, f"seed {s.seed}")) for s in large]
    threads[0].start()
    assert first_started.wait(5)
    for th in threads[1:]:
        th.start()
    visit(random_settings(seed=9104), "small")
    for th in threads:
        th.join(10)
    assert sorted(spans) == sorted([*(f"seed {seed}" for seed in seeds), "small"])
    ordered = sorted(spans[f"seed {seed}"] for seed in seeds)
    for (_, end), (start, _) in itertools.pairwise(ordered):
        assert start >= end, f"two large passes overlapped: {ordered}"
    assert spans["small"][1] < ordered[0][1], f"the small pass waited behind the large ones: {spans}"
    assert sorted(waited) == sorted(f"seed {seed}" for seed in seeds[1:])  # the later tabs say they wait


def test_a_page_waiting_for_a_large_pass_shows_a_spinner_in_its_language(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(compute.st, "spinner", lambda text: shown.append(text) or contextlib.nullcontext())
    monkeypatch.setattr(compute, "paper_pass", lambda key, vocab: np.zeros(1))
    s = random_settings(sentence=WIDEST, dim=128, heads=16, ffn=4096, seed=9105, lang="pt")
    page = threading.Thread(target=compute.current_pass, args=(s, vocab_for(s)))
    with budget.pass_slot():  # another page's large pass is being computed
        page.start()
        deadline = time.perf_counter() + 5
        while not shown and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert page.is_alive()  # it waits for the slot
    page.join(5)
    assert not page.is_alive()
    assert shown == [Translator("pt")("compute.waiting")]
