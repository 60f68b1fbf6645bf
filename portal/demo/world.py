"""What every app builds its part of the demo world with: one seeded random generator, the pools,
the dates, the sizes per unit of `--scale`, the tenants of the demo logins and the row counts.

The apps' builders all draw from the one `World.rng`, in the fixed order `demo.builder` calls
them in, so the same seed, scale and as-of date give the same data. Rows go in with
`bulk_create`, a batch of employers at a time, which keeps memory flat at a million members.
"""

import calendar
import datetime
import random
import time
from decimal import Decimal

from portal.dates import add_months
from portal.demo.cast import Tenants
from portal.demo.pools import Pools

# Rows per INSERT; a batch of employers holds about half as many subscribers.
BATCH = 5000
# Months of history: coverage, bills, payments and commission statements.
MONTHS = 18
# Per unit of --scale: 2,000 subscribers with ~0.9 dependents each, about 3,800 members.
EMPLOYERS_PER_SCALE = 20
SUBSCRIBERS_PER_SCALE = 2000
PROVIDER_ORGS_PER_SCALE = 10
CLAIMS_PER_MEMBER = 0.5
AUTHORIZATIONS_PER_MEMBER = 0.1
# broker@ writes the first BROKER_BOOK_SHARE[0] of every BROKER_BOOK_SHARE[1] employers after
# the cast's own, so their book grows with the scale: about 5,000 groups at --scale 265 (a
# million members), the book the benchmarks page through.
BROKER_BOOK_SHARE = (2, 5)
# The first employer after the cast's is a large one in broker@'s book, with this many
# subscribers per unit of scale over five suffixes: at --scale 265 its parent group has about
# 100,000 members, the parent-group export the benchmarks time.
LARGE_EMPLOYER_SUBSCRIBERS_PER_SCALE = 200


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def quarters(cents: float) -> int:
    """Cents rounded to a multiple of 25.

    SQLite keeps decimals as binary floats, where a sum of cents like 0.10 + 0.20 misses 0.30 and
    the invoice's balance check fails; quarters are exact in binary, so bills add up anywhere.
    """
    return round(cents / 25) * 25


def dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class World:
    """The state the apps' builders share while the demo world is built."""

    def __init__(self, *, seed: int, scale: float, as_of: datetime.date, log=print):
        self.rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
        self.pools = Pools(seed)
        self.scale = scale
        self.as_of = as_of
        self.this_month = as_of.replace(day=1)
        self.periods = [add_months(self.this_month, i - MONTHS + 1) for i in range(MONTHS)]
        self.log = log
        self.started = time.monotonic()
        self.tenants = Tenants()
        self.counts = {}

    def say(self, message):
        self.log(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    def count(self, model, rows):
        key = model._meta.verbose_name_plural
        self.counts[key] = self.counts.get(key, 0) + len(rows)

    def insert(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.count(model, rows)
        return rows

    def person(self, gender=None):
        """(gender, first name, last name) of a fictional person."""
        gender = gender or self.rng.choice("FM")
        return gender, self.pools.first_name(self.rng, gender), self.rng.choice(self.pools.last)

    def first_of_month_between(self, start, end):
        return add_months(start, self.rng.randint(0, max(0, months_between(start, end))))
