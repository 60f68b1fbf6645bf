"""Build the demo carrier: `manage.py seed_demo [--scale N] [--if-empty]`.

The default (scale 1) is about 20 employers and 2,000 subscribers (3,800 members with their
dependents) with the documented demo logins; `--scale 265` is about a million members for benchmarks. The demo logins and the tenants they
belong to are the same at every scale. See portal/demo/ for what is built and how.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Plan
from portal.demo import DEFAULT_SEED, PASSWORD
from portal.demo.cast import LOGINS, create_logins
from portal.demo.world import WorldBuilder


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
        builder = WorldBuilder(
            seed=seed,
            scale=scale,
            as_of=as_of or timezone.localdate(),
            log=lambda line: self.stdout.write(line),
        )
        # One transaction: a failed run leaves nothing half-built behind, and SQLite is far
        # faster without a commit per batch.
        with transaction.atomic():
            tenants = builder.build()
            create_logins(tenants)

        for name, count in sorted(builder.counts.items()):
            if "relationship" not in name:
                self.stdout.write(f"  {count:>10,} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo carrier built in {time.monotonic() - started:.1f}s. "
                f"Logins ({PASSWORD}): {', '.join(LOGINS)}"
            )
        )
