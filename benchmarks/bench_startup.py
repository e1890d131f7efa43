"""Time from start to an interactive dashboard on the large database, against an empty Textual app.

Method: each run is a fresh Python process (so imports count, as they do for `oncall`).
The parent starts the child and stops the clock when the child prints READY. The child
builds the app the way `oncall --db PATH` does (parse the command line, start the log,
`make_app(settings, scheduler=True)`: open the database, resolve the user) and runs it
headless at 120x36 until the first screen is composed, read and painted and the event
loop is idle (`pilot.pause()`); it also checks that the queue shows rows. Four apps,
runs alternating: `textual.app.App()` (empty); the dashboard's layout built from
Textual's stock widgets (two DataTables, a Footer with as many keys, labels) with
made-up text and no database (what the console's LineTable and one-widget footer are
measured against); the console without its scheduler (the shell and the queue alone);
the console as `oncall` runs it. The fastest run of each is compared
(target: at most 1.5x the empty app), medians shown. The console loads its scheduler
(APScheduler, reminders, escalations) 0.2 s after the first paint, in a thread: the
child of `oncall` also reports when the scheduler is running.

    .venv/bin/python -m benchmarks.bench_startup [--db PATH] [--scale 1.0] [--runs 7]

Without --db the large database (benchmarks/make_large_db.py, 20,000 alerts at scale 1)
is built in a temporary folder first.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any import of Textual or oncall: imports are measured

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import ClassVar  # noqa: E402

TARGET = 1.5
KINDS = ("empty", "widgets", "dashboard", "oncall")
"""An empty App; the dashboard's layout in Textual's stock widgets, with no data; the
console without its scheduler (the shell and the queue alone); the console as `oncall`
runs it."""


def _widgets_app() -> object:
    """The dashboard's layout in stock DataTables and Footer, made-up text, no database."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.widgets import DataTable, Footer, Label, Static

    class Widgets(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding(k, "bell", k.upper()) for k in "acrewxyz"]

        def compose(self) -> ComposeResult:
            yield Static("status")
            yield Label("queue")
            queue: DataTable[str] = DataTable(cursor_type="row")
            queue.add_columns(*[f"column {n}" for n in range(8)])
            queue.add_rows([[f"cell {r}.{c}" for c in range(8)] for r in range(24)])
            yield queue
            yield Label("episodes")
            episodes: DataTable[str] = DataTable()
            episodes.add_columns("a", "b", "c", "d")
            yield episodes
            yield Footer()

    return Widgets()


async def _child(kind: str, db: str, login: str) -> None:
    from textual.app import App

    if kind == "empty":
        app: App[None] = App()
    elif kind == "widgets":
        app = _widgets_app()  # type: ignore[assignment]
    else:  # what `oncall --db PATH` does before `app.run()`
        from oncall import cli
        from oncall.commands.common import settings_for

        argv = ["--db", db]
        args = cli.build_parser(argv).parse_args(argv)
        cli._start_logging(args)
        app = cli.make_app(settings_for(args), actor=login, scheduler=kind == "oncall")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        if kind in ("dashboard", "oncall"):
            from oncall.ui.screens.dashboard import DashboardScreen

            assert isinstance(app.screen, DashboardScreen)
            assert app.screen.queue.row_count > 0, "the queue shows no rows"
        print(f"READY {time.perf_counter() - T0:.4f}", flush=True)
        if kind == "oncall":  # the scheduler loads after the first paint: when is it running?
            from oncall.ui.app import OnCallApp

            assert isinstance(app, OnCallApp)
            while app.scheduling is None or app.scheduling.scheduler is None:
                await asyncio.sleep(0.005)
            ready = app.scheduling.scheduler.ready
            if ready is not None:
                await ready
            print(f"SCHEDULER {time.perf_counter() - T0:.4f}", flush=True)


def _run_child(kind: str, db: Path, login: str) -> tuple[float, float, float]:
    """(wall seconds from process start to READY, seconds measured inside the child,
    wall seconds to the scheduler running: 0 when the app has none)."""
    command = [sys.executable, "-m", "benchmarks.bench_startup", "--child", kind]
    command += ["--db", str(db), "--login", login]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("READY"):
                wall = time.perf_counter() - started
                inside = float(line.split()[1])
                break
        else:
            raise RuntimeError(f"the {kind} app never became ready")
        scheduled = 0.0
        for line in child.stdout:
            if line.startswith("SCHEDULER"):
                scheduled = wall + float(line.split()[1]) - inside
        child.wait()
    return wall, inside, scheduled


def _clinician(db: Path) -> str:
    from oncall.store.db import connect

    store = connect(db)
    try:
        rows = store.query(
            "SELECT login FROM staff WHERE active = 1 AND role = 'clinician' ORDER BY id LIMIT 1"
        )
        queued = store.query("SELECT COUNT(*) FROM alerts WHERE status IN ('new','acknowledged')")
    finally:
        store.close()
    print(f"database {db}: {queued[0][0]:,} alerts in the queue; acting as {rows[0][0]}")
    return str(rows[0][0])


def _compile_bytecode() -> None:
    """Write oncall's bytecode first, as any installed copy has after its first run.

    An editable install (`pip install -e .`) compiles nothing, and with
    PYTHONDONTWRITEBYTECODE set (as on some CI and sandbox machines) every start would
    compile all of the console's modules again: 25-30 ms that no user's second start pays.
    Textual's bytecode was written by pip when it was installed.
    """
    import compileall

    import oncall

    compileall.compile_dir(str(Path(oncall.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Build or open the large database, time both apps, print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing large database")
    parser.add_argument("--scale", type=float, default=1.0, help="size when building one")
    parser.add_argument("--runs", type=int, default=7, help="runs of each app (default 7)")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--login", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_child(args.child, str(args.db), args.login))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            from benchmarks.make_large_db import build

            built = build(Path(folder) / "large.db", scale=args.scale)
            print(f"built {built.path} in {built.seconds:.1f} s: {built.counts}")
            db = built.path
        login = _clinician(db)
        _compile_bytecode()
        # Not counted: warms the page cache, and lets the scheduler catch up once on what
        # fell due while no console ran (escalations of the generated overdue alerts).
        _run_child("oncall", db, login)
        times: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in KINDS}
        for _ in range(args.runs):
            for kind in KINDS:
                times[kind].append(_run_child(kind, db, login))
    # On a shared machine other work only ever adds time: the fastest run is the least
    # disturbed one, so the ratio is taken of the minimums; medians are shown too.
    wall = {kind: min(t[0] for t in runs) for kind, runs in times.items()}
    median = {kind: statistics.median(t[0] for t in runs) for kind, runs in times.items()}
    inside = {kind: min(t[1] for t in runs) for kind, runs in times.items()}
    for kind in KINDS:
        spread = ", ".join(f"{run[0]:.2f}" for run in times[kind])
        print(
            f"{kind:>9}: fastest {wall[kind]:.3f} s from process start "
            f"({inside[kind]:.3f} s after the interpreter started), median {median[kind]:.3f} s;"
            f" runs: {spread}"
        )
    for kind in ("dashboard", "oncall"):
        ratio = wall[kind] / wall["empty"]
        print(
            f"{kind:>9}: {ratio:.2f}x the empty app (target at most {TARGET}x),"
            f" medians {median[kind] / median['empty']:.2f}x;"
            f" {wall[kind] / wall['widgets']:.2f}x the stock widgets without data"
        )
    scheduled = [run[2] for run in times["oncall"]]
    print(
        f"   oncall: scheduler running (jobs rebuilt) {min(scheduled):.3f} s after process start"
        f" at the fastest, median {statistics.median(scheduled):.3f} s (it loads after the"
        " first paint, in a thread)"
    )
    ratio = wall["oncall"] / wall["empty"]
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
