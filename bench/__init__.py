"""Benchmarks on a PostgreSQL database built by `seed_demo --scale` (`make bench`).

A scenario is registered with `@scenario(name, baseline=...)`: a function that takes the run's
`Context` and returns a no-argument callable, the thing timed. Setup (logging in, picking member
IDs) happens before the callable is returned and is not timed. Each scenario runs interleaved with
its baseline, one call of each in turn, so that a noisy machine slows both alike and the ratio
holds even when the absolute figures wander. Add a module to this package and its scenarios are
picked up; see bench/__main__.py for how the database is built and what is printed.
"""

from collections.abc import Callable
from dataclasses import dataclass

BASELINES = {}
SCENARIOS = {}


@dataclass
class Scenario:
    name: str
    setup: Callable
    baseline: str | None
    repeat: int
    warmup: int
    description: str


def _register(registry, name, *, baseline=None, repeat=100, warmup=5):
    def register(setup):
        if name in BASELINES or name in SCENARIOS:
            raise ValueError(f"Benchmark {name!r} is registered twice.")
        description = (setup.__doc__ or "").strip().splitlines()[0] if setup.__doc__ else ""
        registry[name] = Scenario(name, setup, baseline, repeat, warmup, description)
        return setup

    return register


def baseline(name, *, repeat=100, warmup=5):
    """Register a bare reference measurement that scenarios are compared with."""
    return _register(BASELINES, name, repeat=repeat, warmup=warmup)


def scenario(name, *, baseline, repeat=100, warmup=5):
    """Register a scenario, timed against the named baseline."""
    return _register(SCENARIOS, name, baseline=baseline, repeat=repeat, warmup=warmup)
