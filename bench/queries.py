"""Lookups the portal's pages are built on, timed on their own."""

from django.db import connection
from django.db.models.functions import Lower

from bench import scenario
from enrollment.models import Member


def eligibility_by_name(dob, prefix):
    # The shape enrollment/migrations/0002's (dob, lower(last_name) text_pattern_ops) index serves.
    return (
        Member.objects.alias(last=Lower("last_name"))
        .filter(dob=dob, last__startswith=prefix.lower())
        .values_list("member_id", "first_name", "last_name")[:50]
    )


def uses_index(queryset, index_name):
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return any(index_name in line for (line,) in cursor.fetchall())


@scenario("eligibility-last-name-dob", baseline="bare-view", repeat=300)
def eligibility_last_name_dob(ctx):
    """Members by date of birth and a 3-letter last-name prefix (ORM query, no request)."""
    lookups = [(dob, last[:3]) for _, dob, last in ctx.sample_members]
    if not uses_index(eligibility_by_name(*lookups[0]), "member_dob_last_name_idx"):
        raise RuntimeError("The eligibility lookup does not use member_dob_last_name_idx.")
    rounds = ctx.cycle(lookups)

    def run():
        if not list(eligibility_by_name(*next(rounds))):
            raise RuntimeError("the eligibility lookup found nobody it should have")

    return run
