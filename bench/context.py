import random
from functools import cached_property

from django.test import Client

from enrollment.models import Member
from portal.accounts.models import User


class Context:
    """What scenarios share: logged-in clients, sample members, a scratch folder."""

    def __init__(self, *, scale, export_rows, tmpdir, seed=2026):
        self.scale = scale
        self.export_rows = export_rows
        self.tmpdir = tmpdir
        self.rng = random.Random(seed)
        self._clients = {}

    def client_for(self, email):
        """A test client logged in as `email` (one per user, so its session is reused)."""
        if email not in self._clients:
            client = Client()
            client.force_login(User.objects.get(email=email))
            self._clients[email] = client
        return self._clients[email]

    @cached_property
    def sample_members(self):
        """About 500 members spread over the whole table, as (member_id, dob, last_name)."""
        bounds = Member.objects.order_by("pk").values_list("pk", flat=True)
        first, last = bounds.first(), bounds.last()
        pks = [self.rng.randint(first, last) for _ in range(600)]
        rows = list(Member.objects.filter(pk__in=pks).values_list("member_id", "dob", "last_name"))
        self.rng.shuffle(rows)
        return rows

    def cycle(self, items):
        """An endless round of `items`, so each timed call asks for something different."""
        while True:
            yield from items
