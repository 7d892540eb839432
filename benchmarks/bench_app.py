"""Server-side time of one rerun of each page, measured with Streamlit's AppTest.

    python benchmarks/bench_app.py            # default settings, 30 reruns per page
    python benchmarks/bench_app.py --quick    # 5 reruns (CI smoke test)
    python benchmarks/bench_app.py --check    # exit code 1 if a page's median exceeds 100 ms

A rerun is what happens after every click: the whole page script runs again. Each page
is first run once (imports, caches warm), then rerun N times; the table shows the median
and the 90th percentile. Reruns of the pages are interleaved (page 1, page 2, ..., page 1,
...) so they share the machine's noise, and a trivial one-line script is timed the same
way as the reference: the difference is the app's own cost, the ratio shows it against
AppTest's fixed overhead. Target: median <= 100 ms per page at the default settings.
Pass query parameters as ``--param heads=8 --param preset=random`` to time other views.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the pages import ui and core from the repository root
from ui.screens import SCREENS  # noqa: E402

PAGES = {url or "home": path for path, url, _, _ in SCREENS}
TARGET_MS = 100.0


def baseline_script():
    import streamlit as st

    st.write("baseline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 reruns per page")
    parser.add_argument("--check", action="store_true", help="exit 1 when a median exceeds the target")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--param", action="append", default=[], help="query parameter name=value")
    args = parser.parse_args()
    repeats = 5 if args.quick else args.repeats
    params = dict(p.split("=", 1) for p in args.param)

    apps = {"(baseline: one st.write)": AppTest.from_function(baseline_script, default_timeout=120)}
    for name, path in PAGES.items():
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        apps[name] = at
    for name, at in apps.items():  # first run: imports, caches
        at.run()
        if at.exception:
            print(f"{name}: {at.exception[0].value}", file=sys.stderr)
            return 2

    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(repeats):
        for name, at in apps.items():
            t0 = time.perf_counter()
            at.run()
            times[name].append((time.perf_counter() - t0) * 1000)

    base = statistics.median(times["(baseline: one st.write)"])
    shown = {k: (v if len(v) <= 40 else f"{len(v.split())} words") for k, v in params.items()}
    print(f"AppTest reruns, {repeats} per page, settings: {shown or 'defaults'}")
    print(f"{'page':<26} {'median ms':>10} {'p90 ms':>8} {'x baseline':>11} {'target':>8}")
    failed = False
    for name, ts in times.items():
        med = statistics.median(ts)
        p90 = sorted(ts)[int(0.9 * (len(ts) - 1))]
        is_page = name in PAGES
        verdict = ("PASS" if med <= TARGET_MS else "FAIL") if is_page else ""
        failed |= is_page and med > TARGET_MS
        print(f"{name:<26} {med:>10.1f} {p90:>8.1f} {med / base:>11.1f} {verdict:>8}")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
