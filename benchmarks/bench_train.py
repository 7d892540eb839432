"""Speed of core's training step and of ``core.train_block`` against PyTorch autograd.

Run from the repository root (the script puts the root on ``sys.path`` itself)::

    python benchmarks/bench_train.py            # full run
    python benchmarks/bench_train.py --quick    # fewer repeats and seeds (CI smoke test, a few seconds)
    python benchmarks/bench_train.py --check    # exit code 1 if a target fails
    python benchmarks/bench_train.py --default-malloc   # leave glibc's malloc settings alone

The case is the default training of the lesson: the task "neighbours" (two readouts), a
vocabulary of 10 words of width 16 (``core.random_vocabulary``), 2 heads (d_k = 8), batches
of 64 sentences of 8 words, the attention sublayer alone (MultiHead, Add & Norm, readout),
post-norm.

Step: one training step, forward + backward + Adam update, on the same batch and weights.
core runs what ``train_block`` runs each step (``core.train._train_step``: the forward pass, the
loss, the batch's accuracy from the same logits, the backward pass and ``core.train._adam``). torch (float64, CPU) runs ``nn.MultiheadAttention(bias=False,
batch_first=True)`` (need_weights=False, torch's fastest path) + ``nn.LayerNorm`` + one
``nn.Linear`` holding both readouts, ``F.cross_entropy(ignore_index=-1)``, ``zero_grad``,
``loss.backward()`` and ``torch.optim.Adam.step()``. Before timing, the loss and every gradient
of the two are checked equal (rtol 1e-9): a wrong answer is never timed. torch is timed with its
default thread count and with one thread; the ratio uses the faster of the two. The contenders
are timed interleaved, the order rotating every repeat, so they share the machine's noise;
each sample is the mean of ``inner`` steps, the table shows medians.

Training: ``train_block(vocab, "neighbours", n_heads=2, rng=np.random.default_rng(seed))`` with
its defaults, one run per seed after one untimed warm-up run (also printed: the first training
in a process pays for fresh memory pages). Its median is compared with the target and with
DEFAULT_STEPS torch steps (the torch step median times the number of steps), in the same run.

Held-out pass: what measuring the held-out accuracy during training would cost, once: the
forward pass on HELD_OUT sentences and the argmax (``core.train._model_pass``), in ms and in
training steps (train_block does it once, after the last step).

Memory: a step allocates arrays of ~200 KB; with glibc's defaults those sit near its mmap and
trim thresholds, and whether they are page-faulted in afresh on every step depends on what
the process allocated before (the same training measured 1.0 ms and 0.6 ms a step). By default
the script raises glibc's trim and mmap thresholds (mallopt, for both libraries alike), as
bench_core.py does; ``--default-malloc`` keeps the defaults.

The machine's cores are shared with other jobs: the load average is printed before and after,
and speeds are quoted as ratios to torch measured in the same run.

Translator (core.translator): the default translator of the toy English -> Portuguese pair
(1 layer each side, d_model 32, 4 heads, d_ff 64, batches of 32 sentence pairs, Adam lr 3e-3,
post-norm). Step: ``core.translator._step`` (forward, loss, batch exact match, backward, one
Adam update of the flat parameter vector) against the same model in torch
(``tests/torch_translator_reference.py``: nn.Embedding, nn.TransformerEncoder/Decoder with
norm=None and attention biases frozen at zero, nn.Linear, F.cross_entropy, Adam.step()), on the
same batch and weights, checked equal first (loss and every gradient, rtol 1e-9), timed
interleaved as above. Training: ``train_translator(rng=np.random.default_rng(seed))`` with its
defaults, time and held-out exact match per seed (three seeds; one with --quick), after one
untimed warm-up run. With --quick torch runs the step with one thread only.

Targets: step ratio core/torch <= 1.0; training median <= 3.0 s. Translator: step ratio <= 1.0;
training median <= 5.0 s with median held-out exact match >= 0.95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _machine import keep_freed_memory, load_average

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import core  # noqa: E402
import core.translator as tr  # noqa: E402
from core.backward import _config, _loss_and_gradients, params_from_arrays, trainable_arrays  # noqa: E402
from core.toy_language import choices_of  # noqa: E402
from core.train import (  # noqa: E402
    DEFAULT_BATCH,
    DEFAULT_LR,
    DEFAULT_STEPS,
    HELD_OUT,
    _accuracy,
    _adam,
    _model_pass,
    _train_step,
    sample_sentences,
)

WORDS = ("the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "park")
D, H, T, TASK = 16, 2, 8, "neighbours"
STEP_TARGET = 1.0
TRAIN_TARGET = 3.0
TRANSLATOR_STEP_TARGET = 1.0
TRANSLATOR_TIME_TARGET = 5.0
TRANSLATOR_ACCURACY_TARGET = 0.95


def time_interleaved(fns: dict, repeats: int, inner: int) -> dict[str, list[float]]:
    """Seconds per call, one entry per repeat, for each name -> (setup, fn); the order rotates every
    repeat. ``setup`` runs untimed before each sample (torch's thread count is set there)."""
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            setup, fn = fns[name]
            setup()
            fn()  # untimed: wakes the library's threads and caches after the other contenders ran
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - t0) / inner)
    return times


def step_contenders(vocab: core.Vocabulary, rng: np.random.Generator) -> dict:
    """core's and torch's training step on one batch with the same weights, checked equal first."""
    task = core.TASKS[TASK]
    K, V = task.n_targets, len(vocab)
    params = core.init_encoder_block(D, H, 4 * D, rng)
    readout = core.init_readout(D, V, rng, n_targets=K)
    ids = sample_sentences(V, DEFAULT_BATCH, T, rng)
    x = vocab.vectors[ids] + core.sinusoidal_positional_encoding(T, D)  # (B, T, D)
    targets = core.task_targets(task, ids)  # (K, B, T)
    cfg = _config(params, T, None, None, False, False, 1e-5, None)
    w = trainable_arrays(params, readout, False)
    loss, grads = _loss_and_gradients(x, w, targets, cfg)
    _, state = _adam(w, grads, None, DEFAULT_LR, 0.9, 0.999, 1e-8)  # a step with moments, as most are

    # torch: in_proj_weight (3D, D) = [W_Q; W_K; W_V] is core's fused W_QKV (D, 3D) transposed
    mha = torch.nn.MultiheadAttention(D, H, bias=False, batch_first=True, dtype=torch.float64)
    norm1 = torch.nn.LayerNorm(D, dtype=torch.float64)
    head = torch.nn.Linear(D, K * V, dtype=torch.float64)  # both readouts: weight (K·V, D)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.from_numpy(w["w_qkv"].T.copy()))
        mha.out_proj.weight.copy_(torch.from_numpy(w["w_o"].T.copy()))
        head.weight.copy_(torch.from_numpy(w["w_r"].transpose(0, 2, 1).reshape(K * V, D).copy()))
        head.bias.copy_(torch.from_numpy(w["b_r"].reshape(K * V).copy()))
    modules = (mha, norm1, head)
    opt = torch.optim.Adam([p for m in modules for p in m.parameters()], lr=DEFAULT_LR)
    xt = torch.from_numpy(x)
    tt = torch.from_numpy(targets.astype(np.int64)).reshape(-1)

    def torch_loss():
        out = norm1(xt + mha(xt, xt, xt, need_weights=False)[0])  # (B, T, D)
        logits = head(out).reshape(DEFAULT_BATCH, T, K, V).permute(2, 0, 1, 3)  # (K, B, T, V)
        return F.cross_entropy(logits.reshape(-1, V), tt, ignore_index=-1)

    # Correctness first: the same loss and gradients.
    t_loss = torch_loss()
    t_loss.backward()
    np.testing.assert_allclose(loss, t_loss.item(), rtol=1e-12)
    expected = {
        "w_qkv": mha.in_proj_weight.grad.numpy().T,
        "w_o": mha.out_proj.weight.grad.numpy().T,
        "gamma1": norm1.weight.grad.numpy(),
        "beta1": norm1.bias.grad.numpy(),
        "w_r": head.weight.grad.numpy().reshape(K, V, D).transpose(0, 2, 1),
        "b_r": head.bias.grad.numpy().reshape(K, V),
    }
    for name, g in expected.items():
        np.testing.assert_allclose(grads[name], g, rtol=1e-9, atol=1e-13 * np.abs(g).max(), err_msg=name)
    opt.zero_grad(set_to_none=True)

    def run_core(x=x, w=w, targets=targets, cfg=cfg, state=state):
        return _train_step(x, w, targets, cfg, state, DEFAULT_LR)

    def run_torch():
        opt.zero_grad(set_to_none=True)
        torch_loss().backward()
        opt.step()

    block, head_params = params_from_arrays(w, params)
    held_out = sample_sentences(V, HELD_OUT, T, rng)
    held_out_targets = core.task_targets(task, held_out)

    def run_held_out():
        logits, _ = _model_pass(block, head_params, False, False, vocab, held_out, None)
        return _accuracy(logits, held_out_targets)

    threads = torch.get_num_threads()
    return {
        "held-out pass": (lambda: None, run_held_out),
        "core": (lambda: None, run_core),
        f"torch ({threads} threads)": (lambda: torch.set_num_threads(threads), run_torch),
        "torch (1 thread)": (lambda: torch.set_num_threads(1), run_torch),
    }, threads


def translator_contenders(rng: np.random.Generator, quick: bool) -> dict:
    """core's and torch's translator training step on one batch with the same weights, checked equal first.

    ``quick``: torch with one thread only (with its default thread count on a busy 2-core machine
    a step took 50x longer, and --quick must stay a quick smoke test)."""
    threads = torch.get_num_threads()
    sys.path.insert(0, str(ROOT / "tests"))
    from torch_translator_reference import core_gradient_names, torch_batch, torch_translator

    torch.set_num_threads(threads)  # the test references pin torch to one thread when imported
    lexicon = core.TOY_LEXICON
    model, arrays, net = torch_translator(rng=rng)
    tables = tr._tables(lexicon, *tr.vocabularies(lexicon))
    batch = tr._encode(choices_of(rng.choice(lexicon.n_sentences, tr.TRANSLATOR_BATCH, replace=False), lexicon), tables)
    source, decoder_input, targets = batch

    # Correctness first: the same loss and gradients.
    logits, tape = tr._forward(arrays, model, source, decoder_input)
    loss, ce = tr._cross_entropy_forward(logits, targets[None])
    grads = tr._backward(tr._cross_entropy_backward(ce), tape, arrays, model, source, decoder_input)
    tb = torch_batch(batch)
    t_loss = net.loss(*tb)
    t_loss.backward()
    np.testing.assert_allclose(loss, t_loss.item(), rtol=1e-12)
    for name, g in core_gradient_names(net, model.d_model, model.heads[0]).items():
        np.testing.assert_allclose(grads[name], g, rtol=1e-9, atol=1e-13 * np.abs(g).max(), err_msg=name)

    theta = model.flatten(arrays)
    _, state = _adam({"theta": theta}, {"theta": model.flatten(grads)}, None, tr.TRANSLATOR_LR, 0.9, 0.999, 1e-8)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=tr.TRANSLATOR_LR)

    def run_core():
        return tr._step(theta, model, batch, state, tr.TRANSLATOR_LR)

    def run_torch():
        opt.zero_grad(set_to_none=True)
        net.loss(*tb).backward()
        opt.step()

    fns = {"core": (lambda: None, run_core)}
    if not quick:
        fns[f"torch ({threads} threads)"] = (lambda: torch.set_num_threads(threads), run_torch)
    fns["torch (1 thread)"] = (lambda: torch.set_num_threads(1), run_torch)
    return fns, threads


def bench_translator(repeats: int, inner: int, seeds: tuple[int, ...], quick: bool) -> list[str]:
    """The translator's rows: one step against torch, then the default training per seed. -> failed targets."""
    fns, threads = translator_contenders(np.random.default_rng(0), quick)
    time_interleaved(fns, repeats=2, inner=inner)  # warm-up
    times = time_interleaved(fns, repeats=repeats, inner=inner)
    torch.set_num_threads(threads)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    torch_name = min((n for n in med if n.startswith("torch")), key=med.get)
    ratio = med["core"] / med[torch_name]
    print(
        f"\ntranslator, one training step: batch {tr.TRANSLATOR_BATCH} sentence pairs, 1 layer each side, "
        "d_model 32, 4 heads, d_ff 64, median"
    )
    for name, m in med.items():
        print(f"  {name:<20} {fmt(m)}")
    step_ok = ratio <= TRANSLATOR_STEP_TARGET
    print(
        f"  core / {torch_name}: {ratio:.2f}x (target <= {TRANSLATOR_STEP_TARGET:.1f}x) {'PASS' if step_ok else 'FAIL'}"
    )

    t0 = time.perf_counter()
    core.train_translator(rng=np.random.default_rng(99))
    cold = time.perf_counter() - t0
    runs = []
    for seed in seeds:
        t0 = time.perf_counter()
        result = core.train_translator(rng=np.random.default_rng(seed))
        runs.append((seed, time.perf_counter() - t0, result.accuracy))
    time_median = statistics.median(t for _, t, _ in runs)
    accuracy_median = statistics.median(a for _, _, a in runs)
    print(
        f"\ntrain_translator defaults ({tr.DEFAULT_TRANSLATOR_STEPS} steps of {tr.TRANSLATOR_BATCH} pairs, Adam lr {tr.TRANSLATOR_LR})"
    )
    print(f"  warm-up run (first translator training in this process): {fmt(cold)}")
    for seed, t, acc in runs:
        print(f"  seed {seed}: {fmt(t)}  held-out exact match {acc:.3f}")
    time_ok = time_median <= TRANSLATOR_TIME_TARGET
    accuracy_ok = accuracy_median >= TRANSLATOR_ACCURACY_TARGET
    print(
        f"  median {fmt(time_median)} (target <= {TRANSLATOR_TIME_TARGET:.1f} s) {'PASS' if time_ok else 'FAIL'}; "
        f"median held-out exact match {accuracy_median:.3f} (target >= {TRANSLATOR_ACCURACY_TARGET:.2f}) "
        f"{'PASS' if accuracy_ok else 'FAIL'}"
    )
    torch_steps = tr.DEFAULT_TRANSLATOR_STEPS * med[torch_name]
    print(
        f"  {tr.DEFAULT_TRANSLATOR_STEPS} torch steps would take {fmt(torch_steps)}: "
        f"training median / torch steps = {time_median / torch_steps:.2f}x"
    )
    checks = (("translator step ratio", step_ok), ("translator time", time_ok), ("translator accuracy", accuracy_ok))
    return [what for what, ok in checks if not ok]


def content_study(vocab_seeds: range, train_seeds: range) -> None:
    """The task "highest" (the lesson's heads that look by content): held-out accuracy per head count,
    and the share of its weight the most content-bound head puts on the sentence's highest word
    (averaged over queries and 256 held-out sentences)."""
    print(f"\ntask highest, {len(vocab_seeds)} vocabularies x {len(train_seeds)} seeds, train_block defaults")
    for heads in (1, 2):
        runs = []
        for vs in vocab_seeds:
            vocab = core.random_vocabulary(WORDS, D, vs)
            for ts in train_seeds:
                result = core.train_block(vocab, "highest", n_heads=heads, rng=np.random.default_rng(ts))
                ids = core.train.sample_sentences(len(vocab), 256, result.length, np.random.default_rng(5))
                _, weights = core.train._pass(result, vocab, ids, None)  # (B, H, T, T)
                on = ids == ids.max(axis=1, keepdims=True)
                share = (weights * on[:, None, None, :]).sum(axis=-1).mean(axis=(0, 2)).max()
                runs.append((result.accuracy, share))
        acc, share = np.array(runs).T
        print(
            f"  {heads} head{'s' if heads > 1 else ''}: held-out accuracy {acc.min():.3f}-{acc.max():.3f} "
            f"(median {np.median(acc):.3f}, {int((acc >= 0.95).sum())} of {len(acc)} runs >= 0.95); "
            f"weight on the highest word {share.min():.2f}-{share.max():.2f} (median {np.median(share):.2f})"
        )


def translator_heads_study(seeds: tuple[int, ...], sentences: int) -> None:
    """One head against several on cross-attention (a lesson step if the numbers differ): per head count,
    the held-out exact match, how fast the batch exact match rises (its mean over the first 150 steps, the
    first step at 90%), and on ``sentences`` held-out sentences with an adjective, how often the step writing
    a Portuguese adjective puts its largest weight (the heads' mean) on the English adjective."""
    print(f"\ntranslator heads, {len(seeds)} seeds, train_translator defaults otherwise")
    for heads in (1, 2, 4):
        rows = []
        for seed in seeds:
            result = core.train_translator(rng=np.random.default_rng(seed), n_heads=heads)
            curve = np.asarray(result.accuracies)
            first = int(np.argmax(curve >= 0.9)) + 1 if (curve >= 0.9).any() else None
            adjectives = {f for forms in result.lexicon.adjectives.values() for f in forms}
            hits = tried = 0
            for words in result.held_out:
                out = core.translate(result, words)
                steps = [t for t, w in enumerate(out.words) if w in adjectives]
                if not steps or not out.correct:
                    continue
                mean = out.cross_weights[-1].mean(axis=0)  # (T_out, S), the last layer's heads averaged
                for t in steps:
                    hits += out.source[int(np.argmax(mean[t]))] in result.lexicon.adjectives
                    tried += 1
                if tried >= sentences:
                    break
            rows.append((result.accuracy, curve[:150].mean(), first, hits / max(tried, 1)))
        acc, early, firsts, aligned = zip(*rows, strict=True)
        print(
            f"  {heads} head{'s' if heads > 1 else ''}: held-out {', '.join(f'{a:.3f}' for a in acc)}; "
            f"batch exact match over steps 1-150 {', '.join(f'{e:.2f}' for e in early)}; "
            f"first step at 90% {', '.join(str(f) for f in firsts)}; "
            f"adjective step on the English adjective {', '.join(f'{a:.2f}' for a in aligned)}"
        )


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f} ms" if seconds < 1.0 else f"{seconds:8.2f} s "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and seeds (CI smoke test)")
    parser.add_argument("--check", action="store_true", help="exit with code 1 if a target fails")
    parser.add_argument("--default-malloc", action="store_true", help="keep glibc's malloc thresholds")
    args = parser.parse_args(argv)
    malloc = "glibc defaults" if args.default_malloc else "freed memory kept (mallopt)"
    if not args.default_malloc and not keep_freed_memory():
        malloc = "defaults (mallopt not available)"
    repeats, inner = (7, 10) if args.quick else (31, 20)
    seeds = (0, 1) if args.quick else (0, 1, 2, 3, 4)

    print(
        f"numpy {np.__version__}, torch {torch.__version__}, float64 CPU, {os.cpu_count()} cores, "
        f"load average {load_average()}{', --quick' if args.quick else ''}; malloc: {malloc}"
    )
    vocab = core.random_vocabulary(WORDS, D, 0)
    fns, threads = step_contenders(vocab, np.random.default_rng(0))
    time_interleaved(fns, repeats=2, inner=inner)  # warm-up
    times = time_interleaved(fns, repeats=repeats, inner=inner)
    torch.set_num_threads(threads)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    held_out = med.pop("held-out pass")
    torch_name = min((n for n in med if n.startswith("torch")), key=med.get)
    ratio = med["core"] / med[torch_name]
    print(f"\none training step: B={DEFAULT_BATCH} T={T} D={D} H={H}, task {TASK} (2 readouts of 10 words), median")
    for name, m in med.items():
        print(f"  {name:<20} {fmt(m)}")
    step_ok = ratio <= STEP_TARGET
    print(f"  core / {torch_name}: {ratio:.2f}x (target <= {STEP_TARGET:.1f}x) {'PASS' if step_ok else 'FAIL'}")
    print(
        f"  held-out accuracy pass ({HELD_OUT} sentences, forward only): {fmt(held_out)} "
        f"= {held_out / med['core']:.1f} core steps"
    )

    t0 = time.perf_counter()
    core.train_block(vocab, TASK, n_heads=H, rng=np.random.default_rng(99))
    cold = time.perf_counter() - t0
    runs = []
    for seed in seeds:
        t0 = time.perf_counter()
        result = core.train_block(vocab, TASK, n_heads=H, rng=np.random.default_rng(seed))
        runs.append((seed, time.perf_counter() - t0, result.accuracy))
    train_median = statistics.median(t for _, t, _ in runs)
    torch_steps = DEFAULT_STEPS * med[torch_name]
    print(f"\ntrain_block defaults ({DEFAULT_STEPS} steps of {DEFAULT_BATCH} sentences), task {TASK}, {H} heads")
    print(f"  warm-up run (first training in this process): {fmt(cold)}")
    for seed, t, acc in runs:
        print(f"  seed {seed}: {fmt(t)}  held-out accuracy {acc:.3f}")
    train_ok = train_median <= TRAIN_TARGET
    print(f"  median {fmt(train_median)} (target <= {TRAIN_TARGET:.1f} s) {'PASS' if train_ok else 'FAIL'}")
    print(
        f"  {DEFAULT_STEPS} torch steps would take {fmt(torch_steps)}: "
        f"training median / torch steps = {train_median / torch_steps:.2f}x"
    )
    content_study(range(1) if args.quick else range(4), range(1) if args.quick else range(4))
    translator_heads_study((0,) if args.quick else (0, 1, 2), 20 if args.quick else 100)
    translator_failed = bench_translator(repeats, inner, (0,) if args.quick else (0, 1, 2), args.quick)
    print(f"\nload average after the run: {load_average()}")
    failed = [what for what, ok in (("step ratio", step_ok), ("training time", train_ok)) if not ok]
    failed += translator_failed
    if failed:
        print(f"targets missed: {', '.join(failed)}")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
