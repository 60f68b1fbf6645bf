"""Eligibility lookup through the view, as broker@ searches it: last name + date of birth.

The target (issue "Broker portal 2"): p95 under 20 ms server time at a million members. Half
the lookups are members of broker@'s book (a hit), half members of other books (the same
"no match" an outsider's ID gets). The setup prints the query plan of one hit, so a change
that loses the (dob, lower(last_name)) index shows in the output, and refuses to run without it.
"""

from django.db import connection

from bench import scenario
from brokers import access, selectors
from enrollment.models import Member
from portal.accounts.models import User

LOOKUP = "/brokers/eligibility/"
BROKER = "broker@demo.test"
INDEX = "member_dob_last_name_idx"


def _lookups(ctx, user):
    """(member_id, dob, last name, in the book) for the sample members, hits and misses alike."""
    sample = ctx.sample_members
    in_book = set(
        Member.objects.filter(
            member_id__in=[member_id for member_id, _, _ in sample],
            group__in=access.visible_groups(user, "view_roster"),
        ).values_list("member_id", flat=True)
    )
    hits = [(*row, True) for row in sample if row[0] in in_book]
    misses = [(*row, False) for row in sample if row[0] not in in_book]
    count = min(len(hits), len(misses), 200)
    if not count:
        raise RuntimeError("broker@'s book holds none (or all) of the sample members")
    mixed = [row for pair in zip(hits[:count], misses[:count], strict=True) for row in pair]
    return mixed


def _explain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        return [line for (line,) in cursor.fetchall()]


def _check_plan(user, member_id, dob, last_name):
    """Print the plan of the lookup's query: the members, each with whether it is in the book."""
    plan = _explain(*selectors.eligibility_candidates_sql(user, last_name=last_name[:3], dob=dob))
    print(f"\n  Query plan: members by last name {last_name[:3]!r}... + DOB, in broker@'s book?")
    for line in plan:
        print(f"    {line}")
    if not any(INDEX in line for line in plan):
        raise RuntimeError(f"The eligibility lookup does not use {INDEX}.")


def _post(client, data, expect_hit):
    response = client.post(LOOKUP, data)
    if response.status_code != 200:
        raise RuntimeError(f"{LOOKUP} answered {response.status_code}")
    if (b"No match" in response.content) == expect_hit:
        raise RuntimeError(
            f"{LOOKUP} answered {'no match' if expect_hit else 'a match'} for {data}"
        )


@scenario("eligibility-view-last-name-dob", baseline="bare-view", repeat=400)
def eligibility_view_last_name_dob(ctx):
    """Eligibility Lookup as broker@: a 3-letter last-name prefix + DOB, half hits, half misses."""
    user = User.objects.get(email=BROKER)
    lookups = _lookups(ctx, user)
    _check_plan(user, *lookups[0][:3])
    client = ctx.client_for(BROKER)
    rounds = ctx.cycle(
        [
            ({"member": last[:3], "dob": dob.strftime("%m/%d/%Y")}, hit)
            for _, dob, last, hit in lookups
        ]
    )

    def run():
        data, hit = next(rounds)
        # A prefix can match someone else in the book born the same day: only hits are sure.
        _post(client, data, expect_hit=True) if hit else client.post(LOOKUP, data)

    return run


@scenario("eligibility-view-member-id", baseline="bare-view", repeat=400)
def eligibility_view_member_id(ctx):
    """Eligibility Lookup as broker@ by member ID, half hits, half misses."""
    user = User.objects.get(email=BROKER)
    client = ctx.client_for(BROKER)
    rounds = ctx.cycle(
        [({"member": member_id}, hit) for member_id, _, _, hit in _lookups(ctx, user)]
    )

    def run():
        data, hit = next(rounds)
        _post(client, data, expect_hit=hit)

    return run
