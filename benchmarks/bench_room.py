"""A room of users: N browser sessions against one server, each making a series of interactions.

    python benchmarks/bench_room.py                          # 10 users x 10 interactions
    python benchmarks/bench_room.py --users 20 --interactions 10
    python benchmarks/bench_room.py --think 0.5                # a room that clicks 4 times faster
    python benchmarks/bench_room.py --quick                  # 3 users, every step once, shorter pauses
    python benchmarks/bench_room.py --trainers 3             # 3 of the 10 users train heads meanwhile
    python benchmarks/bench_room.py --lesson                 # 10 users follow the guided lesson together
    python benchmarks/bench_room.py --check                  # exit 1 unless p95 < 2 s as well

An error (below) always makes the exit code 1: it is a bug, whatever the machine's load.

One ``streamlit run app.py`` (tests/browser/helpers.py), one headless Chromium with one
browser context per user (its own cookies: its own Streamlit session), all driven from one
asyncio loop with Playwright's async API. Every user opens /multi-head at the same moment (the
room opens the host's link: timed apart, as "first load"), then makes its interactions one
after another with a pause (uniform 0 to 2 x --think seconds, default mean 2 s, seeded per user:
a learner looks at what changed before the next click), cycling
through: more heads (ArrowRight on the focused slider), the sidebar link to Self-attention,
tutorial mode, the link to Vocabulary, a new sentence typed and entered (a different one per
user, so the server computes something new), the link to Multi-head, more heads, paper mode,
the link to Feed-forward, the link back to Multi-head. With ``--trainers N``, the first N users
train heads instead: open /train on ten words of width 16 with a seed of their own (so the
server trains every time), press Train, look at Multi-head with the trained weights, and again;
the p95 target is judged on the others, who browse while the training runs.

With ``--lesson``, a workshop: every user opens /lesson?step=1 at the same moment (the host's
link; the first load), then goes through the ten steps with the same pauses: on each step picks
the first option ("A. ..."), presses Reveal (the verdict and the chart that shows the answer)
and Next (the next step; the last step has none): 29 interactions, timed by kind (pick, reveal,
next) and by step. The steps about trained heads (8 and 9) train once per server: the first user
to get there trains, the others wait for that training and share it. --interactions and
--trainers do not apply.

An interaction is timed in the page, from the key or mouse press to the end of the script run
it caused with every chart drawn, or to the last chart paint after it if later (an interaction is
over when no chart has been painted for 150 ms; benchmarks/_browser.py). Errors: an
exception element on the page, an uncaught page error, or no redraw within --timeout seconds.

The server: its CPU time (/proc/<pid>/stat utime + stime) over the interactions divided by the
script runs they caused (the ``script_finished`` messages the pages received), and its memory
(VmRSS sampled every 0.2 s, and VmHWM, the kernel's peak). The browsers run on the same 2 cores
as the server, so the times are pessimistic: a real room brings its own CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time

from _browser import BENCH_JS, CHROMIUM, H, cpu_by_kind, cpu_seconds, loadavg, median, memory_kib, p95, server_pid

TARGET_P95_MS = 2000.0
QUIET_MS = 150.0  # no chart painted for this long after the run: the interaction is over
SEED_WORDS = ("the", "cat", "sat", "on")  # the seed vocabulary: a typed sentence must use these
MODE_LABELS = {"paper": "Paper (Vaswani et al. 2017)", "tutorial": "Tutorial (the article's code)"}
MAIN = "[data-testid='stMain']"


def user_sentence(user: int) -> str:
    rng = random.Random(1000 + user)
    return " ".join(rng.choice(SEED_WORDS) for _ in range(rng.randint(5, 9)))


# (name, action) in the order a user makes them; each action redraws every chart of the page.
STEPS = (
    "heads +1",
    "go to Self-attention",
    "mode: tutorial",
    "go to Vocabulary",
    "type a sentence",
    "go to Multi-head",
    "heads +1",
    "mode: paper",
    "go to Feed-forward",
    "go to Multi-head",
)
# A learner who trains heads: opens /train on ten words of width 16 (a seed of their own, so the
# server trains each time), presses Train, looks at Multi-head, and again.
TRAIN_STEPS = ("open /train", "press Train", "go to Multi-head")
TRAIN_QUERY = "preset=random&dim=16&sentence=the+cat+sat+on+a+mat+dog+ran+to+park&weights=trained"
# The guided lesson (pages/7_lesson.py): on each step pick the first option, Reveal, Next (the last has no Next).
LESSON_COUNT = 10  # ui.lesson.COUNT
LESSON_KINDS = ("pick", "reveal", "next")
LESSON_STEPS = tuple(
    f"step {n}: {kind}"
    for n in range(1, LESSON_COUNT + 1)
    for kind in LESSON_KINDS
    if (n, kind) != (LESSON_COUNT, "next")
)
LESSON_BUTTONS = {"reveal": "Reveal", "next": "Next"}  # the catalogue's English (ui/i18n.py)
RADIO_OPTION = f"{MAIN} [data-testid='stRadioOption']"
VERDICT = f"{MAIN} [data-testid='stAlertContentSuccess'], {MAIN} {H.WARNING}"  # right, or wrong with the answer
# "Drawn" for the lesson: any number of charts (a step may have none before its answer), each drawn.
WANT_ANY = """() => { window.__bench.want = {get charts() {
  return document.querySelectorAll("[data-testid='stVegaLiteChart']").length; }}; }"""


class User:
    def __init__(self, index: int, browser, base: str, timeout_s: float, trains: bool = False, lesson: bool = False):
        self.index, self.browser, self.base, self.timeout_ms = index, browser, base, timeout_s * 1000
        self.trains = trains
        self.steps = LESSON_STEPS if lesson else TRAIN_STEPS if trains else STEPS
        self.start_path = "/lesson?step=1" if lesson else "/multi-head"
        self.times: list[tuple[str, float]] = []
        self.server_ms: list[float] = []  # press -> the run's script_finished seen by Playwright
        self.finished_at = 0.0
        self.errors: list[str] = []
        self.runs = 0
        self.first_load_ms: float | None = None

    def _on_frame(self, payload) -> None:
        if isinstance(payload, bytes | bytearray) and len(payload) < 256 and H._run_ended(payload):
            self.runs += 1
            self.finished_at = time.perf_counter()

    async def open(self) -> None:
        self.context = await self.browser.new_context(viewport=H.VIEWPORT)
        self.context.set_default_timeout(self.timeout_ms)
        await self.context.add_init_script(H._COUNT_RUNS_JS)
        await self.context.add_init_script(BENCH_JS)
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on(
            "websocket",
            lambda ws: ws.on("framereceived", self._on_frame) if ws.url.endswith("/_stcore/stream") else None,
        )

    async def _drawn(self, runs_before: int | None = None) -> float:
        """Wait until the run is over, every chart drawn and no chart painted for QUIET_MS; the time of
        the later of "drawn" and the last chart paint, in ms from the press (or from navigation start).

        Not every chart changes with every action (tutorial mode draws no head count), so "every chart
        painted again" cannot be the condition; a quiet period after the run catches late redraws."""
        page = self.page
        deadline = time.perf_counter() + self.timeout_ms / 1000
        while runs_before is not None and self.runs <= runs_before:  # the run this action caused is over
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no script_finished within {self.timeout_ms / 1000:.0f} s")
            await asyncio.sleep(0.02)
        left_ms = max(1.0, (deadline - time.perf_counter()) * 1000)
        try:
            b = await page.evaluate("([q, t]) => window.__benchSettled(q, t)", [QUIET_MS, left_ms])
        except Exception:
            state = await page.evaluate(H._READY_JS, [1, True])
            raise TimeoutError(f"not drawn within {self.timeout_ms / 1000:.0f} s: {state}") from None
        if await page.locator(H.EXCEPTION).count():
            self.errors.append(f"exception element on {page.url}")
        origin = b["keyAt"] or 0.0
        return max(b["readyAt"], b["lastPaint"] if b["lastPaint"] > origin else 0.0) - origin

    async def first_load(self) -> None:
        t0 = time.perf_counter()
        try:
            await self.page.goto(f"{self.base}{self.start_path}", wait_until="commit")
            await self.page.evaluate("() => { window.__bench.want = {charts: -1, afterKey: false}; }")
            self.first_load_ms = await self._drawn()
        except Exception as exc:  # a timeout or a closed page: an error of the run, not of the benchmark
            self.errors.append(f"first load: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            self.first_load_ms = (time.perf_counter() - t0) * 1000

    async def act(self, step: str) -> None:
        page = self.page
        sidebar = page.locator(H.SIDEBAR)
        lesson = step.startswith("step ")
        await page.evaluate(WANT_ANY if lesson else "() => { window.__bench.want = {charts: -1, afterKey: false}; }")
        runs_before, t_press = self.runs, time.perf_counter()
        if step == "heads +1":
            await page.locator(H.key("w_heads")).get_by_role("slider").focus()
            await page.keyboard.press("ArrowRight")
        elif step.startswith("go to "):
            await sidebar.get_by_role("link", name=step.removeprefix("go to ")).click()
        elif step.startswith("mode: "):
            await sidebar.get_by_text(MODE_LABELS[step.removeprefix("mode: ")]).click()
        elif step == "open /train":
            self.trainings = getattr(self, "trainings", 0) + 1
            seed = 1000 * (self.index + 1) + self.trainings
            await page.goto(f"{self.base}/train?{TRAIN_QUERY}&seed={seed}", wait_until="commit")
            await page.get_by_role("button", name="Train", exact=True).wait_for()  # no chart before training
            self.times.append((step, (time.perf_counter() - t_press) * 1000))
            return
        elif step == "press Train":
            await page.get_by_role("button", name="Train", exact=True).click()
        elif step == "type a sentence":
            box = page.locator(f"{H.key('w_sentence')} input")
            await box.fill(user_sentence(self.index))
            await box.press("Enter")
        elif lesson and step.endswith(": pick"):
            await page.locator(RADIO_OPTION).first.click()
        elif lesson:
            kind = step.rsplit(": ", 1)[1]
            await page.locator(MAIN).get_by_role("button", name=LESSON_BUTTONS[kind]).click()
        else:
            raise ValueError(step)
        self.times.append((step, await self._drawn(runs_before)))
        self.server_ms.append((self.finished_at - t_press) * 1000)
        if lesson:
            await self.check_lesson(step)

    async def check_lesson(self, step: str) -> None:
        """After Reveal a verdict is shown; after Next the URL names the next step (not timed)."""
        n, kind = int(step.split()[1].rstrip(":")), step.rsplit(": ", 1)[1]
        if kind == "reveal" and not await self.page.locator(VERDICT).count():
            self.errors.append(f"{step}: no verdict after Reveal")
        if kind == "next" and f"step={n + 1}" not in self.page.url.split("?", 1)[-1].split("&"):
            self.errors.append(f"{step}: the URL is {self.page.url}, not step {n + 1}")

    async def run(self, n: int, think_s: float, start: asyncio.Event) -> None:
        await start.wait()
        rng = random.Random(self.index)
        for i in range(n):
            await asyncio.sleep(rng.uniform(0, 2 * think_s))
            step = self.steps[i % len(self.steps)]
            try:
                await self.act(step)
            except Exception as exc:
                self.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0]}")

    async def close(self) -> None:
        await self.context.close()


async def sample_memory(pid: int, stop: asyncio.Event, out: list[int]) -> None:
    while not stop.is_set():
        out.append(memory_kib(pid)["VmRSS"])
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except TimeoutError:
            pass


async def room(
    base: str,
    pid: int,
    users: int,
    interactions: int,
    think_s: float,
    timeout_s: float,
    trainers: int = 0,
    lesson: bool = False,
) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=H.LAUNCH_ARGS, headless=True)
        rss: list[int] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(pid, stop, rss))
        rss_idle = memory_kib(pid)["VmRSS"]
        # one visit first: the server imports its libraries on the first run; users are measured from there
        warm = User(-1, browser, base, timeout_s, lesson=lesson)
        await warm.open()
        await warm.first_load()
        await warm.close()
        rss_warm = memory_kib(pid)["VmRSS"]
        people = [User(i, browser, base, timeout_s, trains=i < trainers, lesson=lesson) for i in range(users)]
        await asyncio.gather(*(u.open() for u in people))
        load_kinds0, load_cpu0 = cpu_by_kind(), cpu_seconds(pid)
        t_load = time.perf_counter()
        await asyncio.gather(*(u.first_load() for u in people))
        load_s = time.perf_counter() - t_load
        load_cpu = cpu_seconds(pid) - load_cpu0
        load_kinds = {k: v - load_kinds0.get(k, 0.0) for k, v in cpu_by_kind().items()}
        rss_loaded = memory_kib(pid)["VmRSS"]
        runs0 = sum(u.runs for u in people)
        kinds0 = cpu_by_kind()
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        start = asyncio.Event()
        tasks = [asyncio.create_task(u.run(interactions, think_s, start)) for u in people]
        start.set()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(pid) - cpu0
        kinds1 = cpu_by_kind()
        cpu_kinds = {k: kinds1[k] - kinds0.get(k, 0.0) for k in kinds1}
        runs = sum(u.runs for u in people) - runs0
        stop.set()
        await sampler
        mem = memory_kib(pid)
        await asyncio.gather(*(u.close() for u in people))
        await browser.close()
    return {
        "people": people,
        "load_s": load_s,
        "load_cpu": load_cpu,
        "load_kinds": load_kinds,
        "wall": wall,
        "cpu": cpu,
        "cpu_kinds": cpu_kinds,
        "runs": runs,
        "rss_idle": rss_idle,
        "rss_warm": rss_warm,
        "rss_loaded": rss_loaded,
        "rss_peak": max([*rss, mem["VmRSS"]]),
        "rss_end": mem["VmRSS"],
        "hwm": mem["VmHWM"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between interactions, s")
    parser.add_argument("--timeout", type=float, default=30.0, help="an interaction slower than this is an error")
    parser.add_argument("--check", action="store_true", help="exit 1 unless p95 < 2 s as well")
    parser.add_argument("--quick", action="store_true", help="3 users x 10 interactions, 0.5 s mean pause")
    parser.add_argument("--trainers", type=int, default=0, help="this many of the users train heads on /train")
    parser.add_argument("--lesson", action="store_true", help="every user follows the guided lesson, /lesson")
    args = parser.parse_args()
    if args.lesson and args.trainers:
        parser.error("--lesson and --trainers do not go together")
    if args.quick:
        args.users, args.interactions, args.think = 3, len(STEPS), 0.5
        args.trainers = min(args.trainers, 1)
    if args.lesson:
        args.interactions = len(LESSON_STEPS)

    print(f"load average before: {loadavg()}; {os.cpu_count()} CPUs")
    with H.streamlit_server() as server:
        pid = server_pid(server)
        r = asyncio.run(
            room(server, pid, args.users, args.interactions, args.think, args.timeout, args.trainers, args.lesson)
        )
    print(f"load average after:  {loadavg()}")

    people = r["people"]
    trainers = [u for u in people if u.trains]
    browsing = [u for u in people if not u.trains]
    times = [ms for u in browsing for _, ms in u.times]  # the room's target is for those who browse
    errors = [f"user {u.index}: {e}" for u in people for e in u.errors]
    loads = [u.first_load_ms for u in people if u.first_load_ms is not None]
    by_step: dict[str, list[float]] = {}
    for u in people:
        for step, ms in u.times:
            by_step.setdefault(step, []).append(ms)
    n_inter = len(browsing) * args.interactions
    n_trained = len(trainers) * args.interactions
    trained_times = [ms for u in trainers for _, ms in u.times]
    ok = not errors and len(times) == n_inter and p95(times) < TARGET_P95_MS

    what = f"the lesson ({args.interactions} interactions)" if args.lesson else f"{args.interactions} interactions"
    print(f"\n{args.users} users x {what}, one server, one Chromium, 2 cores shared")
    print(f"{'':<44} {'value':>12} {'target':>10}")
    print(f"{'errors':<44} {len(errors):>12} {0:>10}  {'PASS' if not errors else 'FAIL'}")
    print(f"{'interactions timed (browsing users)':<44} {len(times):>12} {n_inter:>10}")
    if trainers:
        print(f"{'interactions timed (users training heads)':<44} {len(trained_times):>12} {n_trained:>10}")
    print(f"{'time per interaction, median':<44} {median(times):>9,.0f} ms")
    verdict = "PASS" if p95(times) < TARGET_P95_MS else "FAIL"
    print(f"{'time per interaction, p95':<44} {p95(times):>9,.0f} ms {TARGET_P95_MS:>7,.0f} ms  {verdict}")
    print(f"{'time per interaction, max':<44} {max(times, default=float('nan')):>9,.0f} ms")
    server = [ms for u in people for ms in u.server_ms]
    print(f"{'  of which press -> script_finished, med/p95':<44} {median(server):>6,.0f} / {p95(server):,.0f} ms")
    print(f"{'first load, all users at once: median / max':<44} {median(loads):>6,.0f} / {max(loads):,.0f} ms")
    per_user = r["load_cpu"] / args.users
    print(f"{'  server CPU for those first loads':<44} {r['load_cpu']:>10.2f} s  ({per_user:.2f} s a user)")
    browsers = sum(v for k, v in r["load_kinds"].items() if k.startswith("chromium"))
    print(f"{'  browsers CPU for those first loads':<44} {browsers:>10.1f} s")
    print(f"{'interactions per second (whole room)':<44} {len(times) / r['wall']:>12.2f}")
    print(f"{'script runs (script_finished received)':<44} {r['runs']:>12}")
    print(
        f"{'server CPU during the interactions':<44} {r['cpu']:>10.2f} s  ({100 * r['cpu'] / r['wall']:.0f}% of one core)"
    )
    per_run = 1000 * r["cpu"] / max(1, r["runs"])
    print(f"{'server CPU per script run':<44} {per_run:>9.0f} ms")
    print(f"{'server RSS: started / 1 visit / N loads / peak / end':<44} ", end="")
    print(
        " / ".join(f"{r[k] / 1024:.0f}" for k in ("rss_idle", "rss_warm", "rss_loaded", "rss_peak", "rss_end")) + " MB"
    )
    print(f"{'server VmHWM (peak RSS)':<44} {r['hwm'] / 1024:>9.0f} MB")
    per_user = (r["rss_peak"] - r["rss_warm"]) / 1024 / args.users
    print(f"{'RSS growth per user (peak - 1 visit) / users':<44} {per_user:>9.1f} MB")
    kinds = sorted(r["cpu_kinds"].items(), key=lambda kv: -kv[1])
    total = sum(v for _, v in kinds)
    print(f"\nwhere the 2 cores went during the interactions ({total:.1f} CPU-s in {r['wall']:.1f} s):")
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in kinds if v >= 0.05))
    print("\nper interaction (median / max ms):")
    for step in dict.fromkeys((*STEPS, *TRAIN_STEPS)):
        ts = by_step.get(step, [])
        if ts:
            print(f"  {step:<22} {median(ts):>7,.0f} / {max(ts):>7,.0f}   (n={len(ts)})")
    for kind in LESSON_KINDS if args.lesson else ():
        ts = [ms for step, v in by_step.items() if step.endswith(f": {kind}") for ms in v]
        print(f"  {kind:<22} {median(ts):>7,.0f} / {max(ts):>7,.0f}   (n={len(ts)})")
    if args.lesson:
        print("\nper lesson step (median / max ms):")
        print(f"  {'':<8}" + "".join(f"{kind:>19}" for kind in LESSON_KINDS))
        for n in range(1, LESSON_COUNT + 1):
            cells = [by_step.get(f"step {n}: {kind}", []) for kind in LESSON_KINDS]
            row = "".join(f"{median(ts):>9,.0f} / {max(ts):>7,.0f}" if ts else f"{'-':>19}" for ts in cells)
            print(f"  step {n:<3}{row}")
    slowest = sorted(((ms, step) for u in browsing for step, ms in u.times), reverse=True)[: max(1, len(times) // 10)]
    print("\nthe slowest tenth: " + ", ".join(f"{step} {ms:,.0f}" for ms, step in slowest))
    if errors:
        print("\nerrors:")
        for e in errors[:30]:
            print(f"  {e}")
    complete = not errors and len(times) == n_inter and len(trained_times) == n_trained
    return 0 if complete and (ok or not args.check) else 1


if __name__ == "__main__":
    sys.exit(main())
