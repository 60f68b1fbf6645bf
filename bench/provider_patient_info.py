"""The provider portal's Patient Info and Transactions through their views.

Targets (issue "Provider portal"): eligibility by last name + DOB and by member ID among a
million members, p95 under 20 ms server time, as provideruser@ searches them; claim status for
a Tax ID with 50,000 claims, first page under 2x the bare view, as provider2@ (who holds Claims
Inquiry on their organisation's one Tax ID): timed against the page's own rows query served bare
(bench/urls.py) and against `bare-view`, the cheapest page there is. The seed spreads claims over every Tax ID, so the
setup tops provider2@'s Tax ID up to 50,000 (rows only, kept in the bench database for later
runs). Each setup prints the query plan of the lookup it times and refuses to run without the
index it is meant to use.
"""

import datetime
import random
from decimal import Decimal

from django.db import connection

from bench import baseline, scenario
from enrollment.models import Member
from portal.accounts.models import User
from providers import access, selectors
from providers.models import Claim

SEARCH = "/providers/patients/"
CLAIMS = "/providers/transactions/claims/"
EYES = "provideruser@demo.test"
CLERK = "provider2@demo.test"
CLAIMS_ON_TAX_ID = 50_000
NAME_INDEX = "member_dob_last_name_idx"
CLAIM_INDEX = "claim_tax_id_received_idx"


def _explain(query, label, index):
    sql, params = query.query.sql_with_params() if hasattr(query, "query") else query
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"\n  Query plan: {label}")
    for line in plan:
        print(f"    {line}")
    if not any(index in line for line in plan):
        raise RuntimeError(f"{label} does not use {index}.")


def _post(client, data):
    response = client.post(SEARCH, data)
    if response.status_code != 200:
        raise RuntimeError(f"{SEARCH} answered {response.status_code}")
    # Every sample is a member of the carrier, and any member may be found.
    if b"No member found" in response.content:
        raise RuntimeError(f"{SEARCH} found nobody for {data}")


@scenario("provider-eligibility-last-name-dob", baseline="bare-view", repeat=400)
def eligibility_last_name_dob(ctx):
    """Patient Info as provideruser@: a 3-letter last-name prefix + DOB."""
    sample = ctx.sample_members
    _, dob, last = sample[0]
    _explain(
        selectors.eligibility_members_sql(last_name=last[:3], dob=dob),
        f"members by last name {last[:3]!r}... + DOB, with plan and latest coverage",
        NAME_INDEX,
    )
    client = ctx.client_for(EYES)
    rounds = ctx.cycle(
        [
            {"by": "name", "last_name": last[:3], "dob": dob.strftime("%m/%d/%Y")}
            for _, dob, last in sample
        ]
    )
    return lambda: _post(client, next(rounds))


@scenario("provider-eligibility-member-id", baseline="bare-view", repeat=400)
def eligibility_member_id(ctx):
    """Patient Info as provideruser@ by member ID."""
    client = ctx.client_for(EYES)
    rounds = ctx.cycle([{"by": "member_id", "member_id": m} for m, _, _ in ctx.sample_members])
    return lambda: _post(client, next(rounds))


def _claims_for_tax_id(ctx, tax_id):
    """Top the Tax ID up to CLAIMS_ON_TAX_ID claims of sample members over the last 18 months."""
    missing = CLAIMS_ON_TAX_ID - Claim.objects.filter(tax_id=tax_id).count()
    if missing <= 0:
        return
    rng = random.Random(265)
    member_pks = list(
        Member.objects.filter(member_id__in=[m for m, _, _ in ctx.sample_members]).values_list(
            "pk", flat=True
        )
    )
    today = datetime.date(2026, 11, 1)
    claims = []
    for n in range(missing):
        service = today - datetime.timedelta(days=rng.randint(5, 540))
        claims.append(
            Claim(
                number=f"BENCH{tax_id.pk:04d}{n:08d}",
                member_id=rng.choice(member_pks),
                tax_id=tax_id,
                service_from=service,
                service_to=service,
                received_on=service + datetime.timedelta(days=rng.randint(3, 30)),
                status=Claim.Status.PAID,
                billed_amount=Decimal("250.00"),
                allowed_amount=Decimal("180.00"),
                paid_amount=Decimal("150.00"),
            )
        )
    Claim.objects.bulk_create(claims, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE providers_claim")


def _claims_tax_id(ctx):
    """provider2@'s Tax ID, topped up to CLAIMS_ON_TAX_ID claims."""
    tax_id = access.granted_tax_ids(User.objects.get(email=CLERK), "inquire_claims")[0]
    _claims_for_tax_id(ctx, tax_id)
    return tax_id


@baseline("bare-claims-first", repeat=200)
def bare_claims_first(ctx):
    """Claim Status's first page as its rows query alone (bench/urls.py)."""
    client = ctx.client_for(CLERK)
    path = f"/bench/bare-claims/{_claims_tax_id(ctx).pk}/"

    def run():
        response = client.get(path)
        if response.status_code != 200 or not response.content:
            raise RuntimeError(f"{path} answered {response.status_code} without claims")

    return run


@scenario("provider-claim-status-first-page", baseline="bare-view", repeat=200)
@scenario("provider-claim-status-own-query", baseline="bare-claims-first", repeat=200)
def claim_status_first_page(ctx):
    """Claim Status as provider2@: the first page of a Tax ID with 50,000 claims."""
    tax_id = _claims_tax_id(ctx)
    first = Claim.objects.filter(tax_id=tax_id).order_by("-received_on", "-pk")
    _explain(first[: selectors.CLAIMS_PER_PAGE + 1], "a Tax ID's newest claims", CLAIM_INDEX)
    client = ctx.client_for(CLERK)
    path = f"{CLAIMS}?tax_id={tax_id.pk}"

    def run():
        response = client.get(path)
        if response.status_code != 200 or b"Older claims" not in response.content:
            raise RuntimeError(f"{path} answered {response.status_code} without a full page")

    return run
