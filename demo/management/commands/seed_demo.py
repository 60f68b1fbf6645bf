"""Build the demo carrier: `manage.py seed_demo [--scale N] [--if-empty]`.

The default (scale 1) is about 20 employers and 2,000 subscribers (3,800 members with their
dependents) with the documented demo logins; `--scale 265` is about a million members for
benchmarks. The demo logins and the tenants they belong to are the same at every scale, and so
is the contracted broker who has not registered yet. `demo.builder` says what is built in what
order; each app's `demo.py` builds its part.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.builder import build_world
from enrollment.models import Plan
from portal.demo import DEFAULT_SEED, PASSWORD, cast
from portal.demo.world import World


class Command(BaseCommand):
    help = "Build a deterministic fictional carrier with the demo logins (password in README)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiplies employers, members, claims and the rest; 1 is about 2,000 subscribers "
            "(3,800 members), 265 about a million members. Fractions (e.g. 0.05) make a tiny world for tests.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data is current to (YYYY-MM-DD); today if not given. "
            "The same seed, scale and date give the same data.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has plans (for `make demo`).",
        )

    def handle(self, *args, scale, seed, as_of, if_empty, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if Plan.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; seed_demo left it alone.")
                return
            raise CommandError("The database already has plans: seed an empty database.")

        started = time.monotonic()
        world = World(
            seed=seed,
            scale=scale,
            as_of=as_of or timezone.localdate(),
            log=lambda line: self.stdout.write(line),
        )
        # One transaction: a failed run leaves nothing half-built behind, and SQLite is far
        # faster without a commit per batch.
        with transaction.atomic():
            build_world(world)

        for name, count in sorted(world.counts.items()):
            if "relationship" not in name:
                self.stdout.write(f"  {count:>10,} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo carrier built in {time.monotonic() - started:.1f}s. "
                f"Logins ({PASSWORD}): {', '.join(cast.LOGINS)}"
            )
        )
        self.stdout.write(
            "To try broker self-registration, the contracted broker with no login yet: "
            f"NPN {cast.UNREGISTERED_NPN}, Tax ID {fein(cast.UNREGISTERED_TAX_ID)} "
            f"(refused as inactive: NPN {cast.INACTIVE_NPN}, Tax ID {fein(cast.INACTIVE_TAX_ID)})."
        )


def fein(tax_id: str) -> str:
    """Nine digits the way people type a Tax ID: 12-3456789."""
    return f"{tax_id[:2]}-{tax_id[2:]}"
