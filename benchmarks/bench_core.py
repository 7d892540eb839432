"""Speed of ``core.multi_head_attention`` and ``core.encoder_block`` against PyTorch.

Run from the repository root (the script puts the root on ``sys.path`` itself)::

    python benchmarks/bench_core.py            # full run, prints the table
    python benchmarks/bench_core.py --quick    # fewer repeats (CI smoke test)
    python benchmarks/bench_core.py --check    # exit code 1 if a target fails
    python benchmarks/bench_core.py --default-malloc   # leave glibc's malloc settings alone

The reference is ``torch.nn.MultiheadAttention(D, H, bias=False, dtype=torch.float64)`` on
CPU with the same weights, called as ``m(x, x, x, need_weights=True,
average_attn_weights=False)`` under ``torch.inference_mode()``: like ``core`` it returns the
per-head attention weights, so this is the fair comparison. Torch with ``need_weights=False``
is timed as an extra, informative column (no target).

The encoder row times ``core.encoder_block`` (post-norm, the paper's order) against
``torch.nn.TransformerEncoderLayer(D, H, F, dropout=0.0, activation="relu", batch_first=True,
dtype=torch.float64)`` in eval mode under ``torch.inference_mode()``, holding the same weights
(its attention biases, which core has not, set to zero). There torch takes its fused
inference path (``torch._transformer_encoder_layer_fwd``), which does not materialise the
attention weights; core returns every intermediate (weights, residual sums, norms, FFN
hidden layer), so this row is the harder comparison.

Method: each case first checks that core and torch agree (``assert_allclose``, rtol 1e-9,
outputs and per-head weights), so a wrong answer is never timed. Then, after a warm-up, the
contenders are timed interleaved (core, torch, torch without weights, core, ...; the order
rotates every repeat) so they share the machine's noise, and the table shows medians over
the repeats (each repeat is the mean of ``inner`` calls). ratio = core median / torch median
(need_weights=True). In the large case every timed call follows a 0.15 s pause and one
untimed call of the same contender: numpy's OpenBLAS threads keep spinning ~0.1 s after a
call (and torch's OpenMP threads spin too), so with 2 cores a strict core/torch alternation
times each library while the other one's idle threads still burn a core; that made torch
look about twice as slow as it is (see ``time_interleaved``).

Memory: a large-case call of core returns ~42 MB of fresh arrays (q/k/v, scores, weights,
concat, output), torch ~18 MB. With glibc's defaults, free() hands memory back to the kernel
once more than ~32 MB sits free at the top of the heap, so the next call page-faults it in
again (~1.5-2.5 us a page on this VM, up to ~10 ms a call); which library hits that depends
on how their frees interleave in the shared heap, and the large-case ratio swung from 0.7 to
1.4 between identical runs. So by default the script raises glibc's trim and mmap thresholds
(mallopt, for both libraries alike) and times the arithmetic; ``--default-malloc`` keeps the
defaults. Minor page faults per call are printed either way.

Both libraries use all cores (numpy through OpenBLAS, torch through its own thread pool);
the load average is printed before and after, since on a busy machine multi-threaded BLAS
slows down a lot and the large-case ratio gets noisy. core's element-wise work (softmax,
layer norms) runs on the calling thread only. Splitting the heads' softmax between two Python
threads was tried on this 2-core machine and was slower (per 512x512 head after a gemm: 424 us
split, 401 us on one thread; with OPENBLAS_NUM_THREADS=1, 236 us split): after each call
OpenBLAS keeps its worker thread busy-waiting on the other core for ~0.1 s (user time, no
yield), so the second Python thread gets at best a share of that core, and the whole
per-head loop came out 10-30% slower.

Targets: small case (T=8, D=16, H=4) ratio <= 0.5; large case (T=512, D=512, H=8) ratio
<= 1.0 (aim 0.8); encoder (T=512, D=512, H=8, F=2048) ratio <= 1.0. Last, the float64
matrix-multiply throughput of this machine (np.matmul, 1024x1024 @ 1024x1024, median
GFLOP/s, timed interleaved with the large case) and the share of it that the large cases reach.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _machine import keep_freed_memory, load_average

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import core  # noqa: E402

MATMUL_N = 1024


@dataclass(frozen=True)
class Case:
    name: str
    T: int
    D: int
    H: int
    F: int | None  # d_ff: an encoder block; None: multi-head attention alone
    target: float  # PASS if core/torch <= target
    aim: float | None  # a stricter goal, reported but not enforced
    repeats: int
    inner: int  # calls per timed sample
    quick_repeats: int
    quick_inner: int
    settle: float  # seconds of sleep before each timed sample, see time_interleaved
    with_peak: bool  # also time the 1024x1024 matmul, interleaved with this case


SMALL = Case(
    "small T=8 D=16 H=4",
    T=8,
    D=16,
    H=4,
    F=None,
    target=0.5,
    aim=None,
    repeats=51,
    inner=200,
    quick_repeats=9,
    quick_inner=50,
    settle=0.0,
    with_peak=False,
)
LARGE = Case(
    "large T=512 D=512 H=8",
    T=512,
    D=512,
    H=8,
    F=None,
    target=1.0,
    aim=0.8,
    repeats=31,
    inner=1,
    quick_repeats=5,
    quick_inner=1,
    settle=0.15,
    with_peak=True,
)
ENCODER = Case(
    "encoder T=512 D=512 H=8 F=2048",
    T=512,
    D=512,
    H=8,
    F=2048,
    target=1.0,
    aim=None,
    repeats=21,
    inner=1,
    quick_repeats=5,
    quick_inner=1,
    settle=0.15,
    with_peak=False,
)
CASES = (SMALL, LARGE, ENCODER)


def attention_flops(T: int, D: int, H: int, d_k: int, d_v: int) -> int:
    """Multiply-adds x 2 of one pass: QKV projection, scores, weights @ V, output projection."""
    return 2 * T * D * H * (2 * d_k + d_v) + 2 * H * T * T * d_k + 2 * H * T * T * d_v + 2 * T * H * d_v * D


def encoder_flops(T: int, D: int, H: int, d_k: int, d_v: int, F: int) -> int:
    """Multiply-adds x 2 of one encoder block: attention, then the two FFN matmuls."""
    return attention_flops(T, D, H, d_k, d_v) + 2 * 2 * T * D * F


def make_torch_module(params: core.MultiHeadParams) -> torch.nn.MultiheadAttention:
    """torch MHA holding the same weights as ``params`` (torch needs d_k = d_v = D // H)."""
    H, D, _ = params.w_q.shape
    m = torch.nn.MultiheadAttention(D, H, bias=False, dtype=torch.float64)
    # core: Q = x @ W where W (D, H*d_k) has head h in columns h*d_k..; torch: Q = x @ in_proj_weight[:D].T
    fused = [w.transpose(1, 0, 2).reshape(D, H * w.shape[2]) for w in (params.w_q, params.w_k, params.w_v)]
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.from_numpy(np.concatenate(fused, axis=1).T.copy()))
        m.out_proj.weight.copy_(torch.from_numpy(params.w_o.T.copy()))
    return m.eval()


def make_torch_encoder(params: core.EncoderBlockParams) -> torch.nn.TransformerEncoderLayer:
    """torch's encoder layer (post-norm, ReLU, no dropout) holding the weights of ``params``."""
    a, ff = params.attention, params.feed_forward
    m = torch.nn.TransformerEncoderLayer(
        a.d_model, a.n_heads, ff.d_ff, dropout=0.0, activation="relu", batch_first=True, dtype=torch.float64
    )
    attention = make_torch_module(a)
    with torch.no_grad():
        m.self_attn.in_proj_weight.copy_(attention.in_proj_weight)
        m.self_attn.in_proj_bias.zero_()  # core's attention has no biases
        m.self_attn.out_proj.weight.copy_(attention.out_proj.weight)
        m.self_attn.out_proj.bias.zero_()
        m.linear1.weight.copy_(torch.from_numpy(ff.w1.T.copy()))  # nn.Linear stores (out, in)
        m.linear1.bias.copy_(torch.from_numpy(ff.b1.copy()))
        m.linear2.weight.copy_(torch.from_numpy(ff.w2.T.copy()))
        m.linear2.bias.copy_(torch.from_numpy(ff.b2.copy()))
        for norm, ln in ((m.norm1, params.norm1), (m.norm2, params.norm2)):
            norm.weight.copy_(torch.from_numpy(ln.gamma.copy()))
            norm.bias.copy_(torch.from_numpy(ln.beta.copy()))
    return m.eval()


def time_interleaved(
    fns: dict, repeats: int, inner: int, settle: float = 0.0
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per call and minor page faults per call, one entry per repeat, for each named
    function; the order rotates every repeat.

    With ``settle`` > 0, each timed sample is preceded by ``sleep(settle)`` and one untimed call
    of the same function. Reason: after a call, OpenBLAS (numpy) keeps its worker threads
    spinning for about 2**28 cycles (~0.1 s) and torch's OpenMP threads spin too; on a 2-core
    machine a strict core/torch/core/... alternation makes each library run while the other's
    threads still burn a core (torch measured ~2x slower than alone). The pause lets them park,
    the untimed call wakes the library's own threads and caches, as in a run of repeated calls.
    """
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    faults: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn = fns[name]
            if settle > 0:
                time.sleep(settle)
                fn()
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - t0) / inner)
            faults[name].append((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / inner)
    return times, faults


def busy() -> bool:
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1)
    except OSError:
        return False


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def attention_contenders(case: Case, rng: np.random.Generator) -> tuple[dict, int]:
    """core and torch (with and without weights) on one multi-head attention pass, checked first."""
    params = core.init_multi_head(case.D, case.H, rng)
    x = rng.normal(size=(case.T, case.D))
    m = make_torch_module(params)
    xt = torch.from_numpy(x)

    # Correctness first: never time a wrong answer.
    res = core.multi_head_attention(x, params)
    with torch.inference_mode():
        out_t, w_t = m(xt, xt, xt, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(res.output, out_t.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{case.name}: output")
    np.testing.assert_allclose(res.weights, w_t.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{case.name}: weights")

    def run_core(x=x, params=params):
        return core.multi_head_attention(x, params)

    def run_torch(m=m, xt=xt):
        with torch.inference_mode():
            return m(xt, xt, xt, need_weights=True, average_attn_weights=False)

    def run_torch_nw(m=m, xt=xt):
        with torch.inference_mode():
            return m(xt, xt, xt, need_weights=False)

    fns = {"core": run_core, "torch": run_torch, "torch_nw": run_torch_nw}
    return fns, attention_flops(case.T, case.D, case.H, params.d_k, params.d_v)


def encoder_contenders(case: Case, rng: np.random.Generator) -> tuple[dict, int]:
    """core.encoder_block and torch's TransformerEncoderLayer on one block, checked first."""
    params = core.init_encoder_block(case.D, case.H, case.F, rng)
    x = rng.normal(size=(case.T, case.D))
    m = make_torch_encoder(params)
    xt = torch.from_numpy(x)[None]  # (1, T, D): batch_first, one sequence

    res = core.encoder_block(x, params)
    with torch.inference_mode():
        out_t = m(xt)[0]
    np.testing.assert_allclose(res.output, out_t.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{case.name}: output")

    def run_core(x=x, params=params):
        return core.encoder_block(x, params)

    def run_torch(m=m, xt=xt):
        with torch.inference_mode():
            return m(xt)

    a = params.attention
    return {"core": run_core, "torch": run_torch}, encoder_flops(case.T, case.D, case.H, a.d_k, a.d_v, case.F)


def run(quick: bool) -> tuple[list[dict], float]:
    rng = np.random.default_rng(0)
    rows = []
    matmul_gflops = float("nan")
    for case in CASES:
        setup = attention_contenders if case.F is None else encoder_contenders
        fns, flops = setup(case, rng)
        if case.with_peak:  # the machine's matmul peak, measured interleaved with this case
            a = rng.normal(size=(MATMUL_N, MATMUL_N))
            b = rng.normal(size=(MATMUL_N, MATMUL_N))
            c = np.empty_like(a)
            fns["matmul"] = lambda a=a, b=b, c=c: np.matmul(a, b, out=c)

        repeats = case.quick_repeats if quick else case.repeats
        inner = case.quick_inner if quick else case.inner
        time_interleaved(fns, repeats=max(2, repeats // 5), inner=inner)  # warm-up
        times, faults = time_interleaved(fns, repeats=repeats, inner=inner, settle=case.settle)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        ratio = med["core"] / med["torch"]
        if case.with_peak:
            matmul_gflops = 2 * MATMUL_N**3 / med["matmul"] / 1e9
        nw = med.get("torch_nw", float("nan"))
        rows.append(
            {
                "case": case,
                "core": med["core"],
                "torch": med["torch"],
                "torch_nw": nw,
                "ratio": ratio,
                "ratio_nw": med["core"] / nw,
                "passed": ratio <= case.target,
                "flops": flops,
                "faults": {name: statistics.median(f) for name, f in faults.items()},
            }
        )
    return rows, matmul_gflops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI smoke test)")
    parser.add_argument("--check", action="store_true", help="exit with code 1 if a target fails")
    parser.add_argument(
        "--default-malloc", action="store_true", help="keep glibc's malloc trim/mmap thresholds (see the docstring)"
    )
    args = parser.parse_args(argv)
    malloc = "glibc defaults" if args.default_malloc else "freed memory kept (mallopt)"
    if not args.default_malloc and not keep_freed_memory():
        malloc = "defaults (mallopt not available)"

    print(
        f"numpy {np.__version__}, torch {torch.__version__} (threads {torch.get_num_threads()}), "
        f"float64 CPU, {os.cpu_count()} cores, load average {load_average()}{', --quick' if args.quick else ''}"
    )
    print(f"malloc: {malloc}")
    busy_before = busy()
    rows, peak = run(args.quick)

    width = max(len(c.name) for c in CASES)
    header = (
        f"{'case':<{width}} {'core':>11} {'torch':>11} {'core/torch':>10} {'target':>8} {'':>4}   "
        f"{'torch nw=False':>14} {'core/nw':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        case = r["case"]
        nw = (
            f"{fmt_time(r['torch_nw']):>14} {r['ratio_nw']:>7.2f}x"
            if "torch_nw" in r["faults"]
            else f"{'-':>14} {'-':>8}"
        )
        print(
            f"{case.name:<{width}} {fmt_time(r['core'])} {fmt_time(r['torch'])} {r['ratio']:>9.2f}x "
            f"{'<= ' + format(case.target, '.1f') + 'x':>8} {'PASS' if r['passed'] else 'FAIL':>4}   {nw}"
        )
    print("(encoder: torch's fused inference path, which returns no attention weights; so no nw=False column)")
    print()
    print(f"np.matmul float64 {MATMUL_N}x{MATMUL_N} @ {MATMUL_N}x{MATMUL_N}: {peak:.1f} GFLOP/s (median)")
    for r in rows:
        if r["case"] is SMALL:
            continue
        core_gf = r["flops"] / r["core"] / 1e9
        torch_gf = r["flops"] / r["torch"] / 1e9
        print(
            f"{r['case'].name}: {r['flops'] / 1e9:.3f} GFLOP per pass; "
            f"core {core_gf:.1f} GFLOP/s = {core_gf / peak:.0%} of peak, "
            f"torch {torch_gf:.1f} GFLOP/s = {torch_gf / peak:.0%} of peak"
        )

    for r in rows:
        f = r["faults"]
        nw = f", torch nw=False {f['torch_nw']:.0f}" if "torch_nw" in f else ""
        print(
            f"{r['case'].name}: minor page faults per call (median): core {f['core']:.0f}, torch {f['torch']:.0f}{nw}"
        )
    for r in rows:
        aim = r["case"].aim
        if aim is not None:
            print(f"{r['case'].name}: aim {aim:.1f}x {'met' if r['ratio'] <= aim else 'not met'} ({r['ratio']:.2f}x)")
    print(f"load average after the run: {load_average()}")
    if busy_before or busy():
        print(
            "warning: the machine was busy (1-minute load average above the core count); multi-threaded "
            "BLAS slows down a lot when a core is taken, so the large-case numbers are not reliable"
        )
    failed = [r["case"].name for r in rows if not r["passed"]]
    if failed:
        print(f"targets missed: {', '.join(failed)}")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
