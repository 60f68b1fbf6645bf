"""Resources as provideruser@: Find a Provider and the medical policies list, through the views.

The bench database may predate Resources' demo data, so the setup adds it once (kept for later
runs): the participating network as `seed_demo` makes it at this scale (NETWORK_PRACTITIONERS_PER
_SCALE a unit, about 9,000 practitioners at --scale 26 with the offices' own), and the demo's
policies topped up to POLICIES published ones, as a carrier with years of policies has. Each
search setup prints the query plan of what it times.
"""

import datetime

from django.db import connection
from django.utils import timezone

from bench import scenario
from portal.accounts.models import User
from portal.demo.world import World
from providers import demo_resources, resources
from providers.models import MedicalPolicy, Practitioner

SEARCH = "/providers/resources/providers/"
POLICIES = "/providers/resources/policies/"
NOTICE = "/providers/resources/policies/notice/"
USER = "provideruser@demo.test"
POLICY_COUNT = 400
PER_PAGE = 25
SEED = 2026
# What the network adds to: without fresh statistics PostgreSQL merge-joins the whole network
# to the practices (8 ms) instead of probing the name indexes (0.3 ms).
NETWORK_TABLES = [
    "providers_practitioner",
    "providers_providerorganization",
    "providers_taxid",
    "providers_practitioner_tax_ids",
]


def _get(client, path, expect=b""):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    if expect and expect not in response.content:
        raise RuntimeError(f"{path} did not show {expect!r}")


def _explain(queryset, label):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"\n  Query plan: {label}")
    for line in plan:
        print(f"    {line}")


def _network(ctx):
    """The demo network at the bench's scale, added once."""
    if not Practitioner.objects.filter(npi__startswith="8").exists():
        world = World(seed=SEED, scale=ctx.scale, as_of=timezone.localdate())
        demo_resources.network(world)
        # Statistics for the planner, and the visibility map for index-only counts.
        with connection.cursor() as cursor:
            for table in NETWORK_TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")
    return User.objects.get(email=USER)


def _policies(ctx):
    """The demo's policies plus older published ones up to POLICY_COUNT, added once."""
    if not MedicalPolicy.objects.filter(
        number__in=[p[0] for p in demo_resources.POLICIES]
    ).exists():
        world = World(seed=SEED, scale=ctx.scale, as_of=timezone.localdate())
        demo_resources.policies(world)
    missing = POLICY_COUNT - MedicalPolicy.objects.filter(is_published=True).count()
    categories = sorted({p[3] for p in demo_resources.POLICIES})
    added = MedicalPolicy.objects.filter(number__startswith="MP-3").count()
    MedicalPolicy.objects.bulk_create(
        MedicalPolicy(
            number=f"MP-{3000 + added + n}",
            title=f"{ctx.rng.choice(['Outpatient', 'Inpatient', 'Home', 'Pediatric'])} "
            f"{ctx.rng.choice(['Imaging', 'Therapy', 'Surgery', 'Testing', 'Devices'])} {n}",
            kind=ctx.rng.choice(MedicalPolicy.Kind.values),
            category=ctx.rng.choice(categories),
            effective_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            summary="Criteria for coverage of the service, and when it is not medically necessary.",
            body=demo_resources.POLICY_BODY.format(summary="Bench policy.", carrier="The plan"),
            is_published=True,
        )
        for n in range(max(0, missing))
    )
    client = ctx.client_for(USER)
    client.post(NOTICE, {"next": POLICIES})
    return client


@scenario("provider-search-first-page", baseline="bare-view", repeat=200)
def provider_search_first_page(ctx):
    """Find a Provider as provideruser@: every participating provider, first page by name."""
    user = _network(ctx)
    _explain(resources.participating_providers_for(user)[:PER_PAGE], "first page by name")
    client = ctx.client_for(USER)
    return lambda: _get(client, SEARCH, b"participating providers found")


@scenario("provider-search-last-page", baseline="bare-view", repeat=100)
def provider_search_last_page(ctx):
    """Find a Provider as provideruser@: the last page, by location descending."""
    user = _network(ctx)
    count = resources.participating_providers_for(user).count()
    last = max(1, -(-count // PER_PAGE))
    client = ctx.client_for(USER)
    return lambda: _get(client, f"{SEARCH}?sort=-location&page={last}")


@scenario("provider-search-name", baseline="bare-view", repeat=200)
def provider_search_name(ctx):
    """Find a Provider as provideruser@: a 3-letter name prefix, a different one each call."""
    user = _network(ctx)
    names = list(
        Practitioner.objects.filter(is_participating=True, npi__startswith="8")
        .order_by("?")
        .values_list("last_name", flat=True)[:200]
    )
    prefixes = ctx.cycle([name[:3] for name in names])
    _explain(
        resources.participating_providers_for(user, name=names[0][:3])[:PER_PAGE],
        f"name {names[0][:3]!r}",
    )
    client = ctx.client_for(USER)
    return lambda: _get(client, f"{SEARCH}?name={next(prefixes)}", b"found")


@scenario("provider-search-zip-specialty", baseline="bare-view", repeat=200)
def provider_search_zip_specialty(ctx):
    """Find a Provider as provideruser@: ZIP prefix + specialty + accepting new patients."""
    user = _network(ctx)
    pairs = list(
        Practitioner.objects.filter(is_participating=True, npi__startswith="8")
        .order_by("?")
        .values_list("zip_code", "specialty")[:200]
    )
    queries = ctx.cycle(
        [f"location={z[:3]}&specialty={s.replace('&', '%26')}&accepting=on" for z, s in pairs]
    )
    zip_code, specialty = pairs[0]
    _explain(
        resources.participating_providers_for(
            user, location=zip_code[:3], specialty=specialty, accepting=True
        )[:PER_PAGE],
        f"ZIP {zip_code[:3]} + {specialty}",
    )
    client = ctx.client_for(USER)
    return lambda: _get(client, f"{SEARCH}?{next(queries)}", b"found")


@scenario("provider-policy-list", baseline="bare-view", repeat=200)
def policy_list(ctx):
    """Medical policies as provideruser@ (notice acknowledged): the first page by title."""
    client = _policies(ctx)
    return lambda: _get(client, POLICIES, b"policies and guidelines found")


@scenario("provider-policy-search", baseline="bare-view", repeat=200)
def policy_search(ctx):
    """Medical policies as provideruser@: a word of the title and a type, newest first."""
    client = _policies(ctx)
    words = ctx.cycle(["imaging", "therapy", "surgery", "testing", "devices", "mp-30"])
    return lambda: _get(
        client, f"{POLICIES}?query={next(words)}&kind=medical_policy&sort=-effective", b"found"
    )
