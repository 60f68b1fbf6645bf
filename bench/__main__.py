"""`python -m bench [--list] [--rebuild] [name ...]` (what `make bench` runs).

PostgreSQL only: the figures are meant to hold for production, and SQLite plans differ.

1. Database. `portal_bench_<scale>` on the server of DATABASE_URL, or on
   postgres://postgres@127.0.0.1:5432 when DATABASE_URL is unset (BENCH_DATABASE_URL names a
   database outright). It is built with `manage.py migrate` and `seed_demo --scale` and then
   marked with a comment on the database; a later run finds the mark and reuses it (after a
   `migrate`, in case the code gained migrations). An unmarked database, say from an interrupted
   build, is dropped and built again, as is any with --rebuild.
2. Scenarios. Every module of this package is imported and registers its scenarios; names given
   on the command line pick those whose name contains one of them. Each scenario is timed
   interleaved with its baseline (see bench/__init__.py), after a few warm-up calls.
3. Results. A table of runs, median, p95 and ratio to the baseline's median, also written to
   bench/results/latest.json.

Environment: BENCH_SCALE (default 26, about 100k members; 265 is about a million and takes
ten minutes or so to build), BENCH_EXPORT_ROWS (rows per export scenario, default 20000),
BENCH_REPEAT_FACTOR (multiplies every scenario's number of runs, default 1).
"""

import argparse
import datetime
import gc
import importlib
import json
import os
import pkgutil
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SEED = 2026


def database_url(scale: float) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    if server.scheme not in ("postgres", "postgresql"):
        sys.exit(
            "bench runs on PostgreSQL only: set DATABASE_URL to a postgres:// server, or unset it."
        )
    name = f"portal_bench_{scale:g}".replace(".", "_")
    return urlunsplit(server._replace(path=f"/{name}"))


def manage(url: str, *args: str):
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(url: str, scale: float, rebuild: bool) -> str:
    """Build the scale database unless a finished one is there; returns what was done."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    mark = f"carrier portal bench: seed_demo --scale {scale:g} --seed {SEED}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row and row[0] == mark and not rebuild:
            manage(url, "migrate", "--no-input", "-v", "0")
            return f"reused {name}"
        if row:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    started = time.monotonic()
    print(f"Building {name} (seed_demo --scale {scale:g}); this takes a while once.", flush=True)
    manage(url, "migrate", "--no-input", "-v", "0")
    manage(url, "seed_demo", "--scale", f"{scale:g}", "--seed", str(SEED), "--skip-checks")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(mark))
        )
    return f"built {name} in {time.monotonic() - started:.0f}s"


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(name, baseline, samples, baseline_median=None, description=""):
    median = statistics.median(samples)
    return {
        "name": name,
        "baseline": baseline,
        "runs": len(samples),
        "median_ms": round(median * 1000, 3),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 3),
        "ratio": round(median / baseline_median, 2) if baseline_median else 1.0,
        "description": description,
    }


def measure(scenario, baseline, ctx, factor):
    """Time `scenario` and `baseline` alternately; returns both lists of seconds."""
    run, reference = scenario.setup(ctx), baseline.setup(ctx)
    for _ in range(scenario.warmup):
        reference()
        run()
    gc.collect()
    timings, reference_timings = [], []
    for _ in range(max(2, round(scenario.repeat * factor))):
        started = time.perf_counter()
        reference()
        reference_timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return timings, reference_timings


def print_table(rows):
    header = f"{'scenario':<30} {'baseline':<18} {'runs':>5} {'median ms':>10} {'p95 ms':>10} {'x base':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['name']:<30} {row['baseline'] or '-':<18} {row['runs']:>5} "
            f"{row['median_ms']:>10.2f} {row['p95_ms']:>10.2f} {row['ratio']:>7.2f}"
        )


def main():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help="run only scenarios whose name contains one of these"
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--rebuild", action="store_true", help="build the scale database afresh")
    args = parser.parse_args()

    scale = float(os.environ.get("BENCH_SCALE", "26"))
    export_rows = int(os.environ.get("BENCH_EXPORT_ROWS", "20000"))
    factor = float(os.environ.get("BENCH_REPEAT_FACTOR", "1"))
    url = database_url(scale)
    if not args.list:
        print(ensure_database(url, scale, args.rebuild), flush=True)

    # The scenarios run in this process against the scale database, with the test client's
    # host allowed; DEBUG stays off so that Django does not keep every query in memory.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import override_settings

    import bench
    from bench.context import Context

    for module in pkgutil.iter_modules(bench.__path__):
        if module.name != "__main__":
            importlib.import_module(f"bench.{module.name}")
    chosen = [
        s
        for s in bench.SCENARIOS.values()
        if not args.names or any(n in s.name for n in args.names)
    ]
    if args.list:
        for s in bench.SCENARIOS.values():
            print(f"{s.name:<30} vs {s.baseline:<10} {s.description}")
        return

    started_at = datetime.datetime.now(datetime.UTC)
    pooled = {name: [] for name in bench.BASELINES}
    rows = []
    with tempfile.TemporaryDirectory() as tmp, override_settings(ROOT_URLCONF="bench.urls"):
        ctx = Context(scale=scale, export_rows=export_rows, tmpdir=Path(tmp), seed=SEED)
        for scenario in chosen:
            baseline = bench.BASELINES[scenario.baseline]
            print(f"  {scenario.name} ...", flush=True)
            timings, reference = measure(scenario, baseline, ctx, factor)
            pooled[baseline.name] += reference
            rows.append(
                summary(
                    scenario.name,
                    baseline.name,
                    timings,
                    statistics.median(reference),
                    scenario.description,
                )
            )
    baseline_rows = [
        summary(name, None, samples, description=bench.BASELINES[name].description)
        for name, samples in pooled.items()
        if samples
    ]
    print()
    print_table(baseline_rows + rows)

    RESULTS_DIR.mkdir(exist_ok=True)
    result = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "scale": scale,
        "database": urlsplit(url).path.lstrip("/"),
        "export_rows": export_rows,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpu_count": os.cpu_count(),
        "results": baseline_rows + rows,
    }
    path = RESULTS_DIR / "latest.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nWritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
