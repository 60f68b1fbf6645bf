"""Time and peak memory of drawing one document in a fresh process, against the worker's limit.

Run in a subprocess so that its peak resident memory is that of one document drawn in a process
that has loaded Django and the renderer, as a worker child has. The peak is read from /proc
(VmHWM) rather than getrusage(): ru_maxrss keeps the parent's size across the exec. Celery
replaces a worker child whose resident memory exceeds CELERY_WORKER_MAX_MEMORY_PER_CHILD (KB)
once its task ends, so a document that needs more than that on its own would be drawn by a
child that is over the limit throughout.
"""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = """
import importlib, re, sys, tempfile, time
import django
django.setup()

def named(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)

def kb(field):
    with open("/proc/self/status") as status:
        return int(re.search(field + r":\\s+(\\d+) kB", status.read()).group(1))

build, render, size = named(sys.argv[1]), named(sys.argv[2]), int(sys.argv[3])
content = build(size)
before = kb("VmHWM")
started = time.perf_counter()
with tempfile.TemporaryFile() as out:
    render(content, out)
elapsed = time.perf_counter() - started
print(before, kb("VmHWM"), round(elapsed, 2))
"""


def peak_memory(build, render, size):
    """(KB resident before, peak KB, seconds) of `render(build(size), file)` in a fresh process;
    `build` and `render` are "module:function" names."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, build, render, str(size)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    before, peak, seconds = result.stdout.split()
    return int(before), int(peak), float(seconds)


def as_is(value):
    """A `build` for peak_memory that builds nothing: the bare writes take the id itself."""
    return value


def generate(report_and_job, out):
    """A `render` for peak_memory: a report's generate() for its job, as the worker runs it."""
    report, job = report_and_job
    report.generate(job, out, lambda done, total: None)


def check_memory(label, build, render, size):
    """Print one fresh-process drawing's time and peak memory; raise past the worker's limit."""
    limit = settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    before, peak, seconds = peak_memory(build, render, size)
    verdict = "within limit" if peak <= limit else "OVER THE LIMIT"
    print(
        f"    {label}: {seconds:.2f} s in a fresh process, peak RSS {peak // 1024} MB "
        f"({before // 1024} MB before the render, {(peak - before) // 1024} MB for it); "
        f"worker limit {limit // 1024} MB: {verdict}",
        flush=True,
    )
    if peak > limit:
        raise RuntimeError(
            f"{label} peaked at {peak} KB, over the worker's "
            f"CELERY_WORKER_MAX_MEMORY_PER_CHILD of {limit} KB."
        )
