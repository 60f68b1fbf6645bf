"""The order the apps build their parts of the demo world in.

1. Reference records: plans (enrollment), agencies and brokers (brokers), provider offices
   (providers).
2. Employers a batch at a time (enrollment) and, for each batch, its brokers of record
   (brokers), members and coverage (enrollment), claims and authorizations (providers), bills
   and payments (billing). A batch leaves memory before the next: a million members fit.
3. Commission statements from the bills (commissions), then the carrier's contracting records
   (brokers).
4. The demo logins: ops@ (portal), then the brokers', employers' and providers'.

Every step draws from the one `world.rng` in this order, so moving a step changes the data of
every step after it; a new step that draws belongs at the end.
"""

from django.contrib.auth.hashers import make_password

from access_review import demo as access_review_demo
from billing import demo as billing_demo
from billing import demo_bill_changes as billing_demo_bill_changes
from billing import demo_payments as billing_demo_payments
from brokers import demo as brokers_demo
from brokers import demo_documents as brokers_demo_documents
from commissions import demo as commissions_demo
from employers import demo as employers_demo
from employers import demo_documents as employers_demo_documents
from employers import demo_on_behalf as employers_demo_on_behalf
from enrollment import demo as enrollment_demo
from enrollment import demo_ifp as enrollment_demo_ifp
from portal.accounts import demo as accounts_demo
from portal.demo import PASSWORD, cast
from portal.demo.world import World
from providers import demo as providers_demo
from providers import demo_resources as providers_demo_resources


def build_world(world: World) -> dict:
    """Build the demo world into an empty database; returns the demo logins by email."""
    plans_by = enrollment_demo.plans(world)
    billing_demo.premium_rates(world, plans_by)
    brokers = brokers_demo.BrokerBuilder(world)
    brokers.agencies_and_brokers()
    providers = providers_demo.ProviderBuilder(world)
    providers.offices()

    employers = enrollment_demo.EmployerBuilder(world, plans_by=plans_by, pcps=providers.pcps)
    premiums = {}
    for facts in employers.batches(writer_for=brokers.writer_for):
        brokers.brokers_of_record(facts)
        enrolled = employers.members(facts)
        providers.claims_and_authorizations(enrolled.members, enrolled.family_of)
        premiums.update(billing_demo.bills(world, facts, enrolled.coverage_by_group))

    commissions_demo.statements(world, brokers.payees(), premiums)
    enrollment_demo.pending_terminations(world)
    brokers.contracting_records()
    brokers_demo_documents.documents(world)
    employers_demo_documents.documents(world)
    # Individual & family applications under the brokers' Individual Broker IDs; the demo
    # brokers' own get a long list to filter and page through.
    tenants = world.tenants
    enrollment_demo_ifp.ifp_applications(
        world,
        plans_by=plans_by,
        broker_codes=[b.ifp_code for b in brokers.brokers if b.ifp_code],
        featured_codes=[b.ifp_code for b in (tenants.broker, tenants.broker2) if b.ifp_code],
    )

    # Resources: the participating-provider network offices search, and medical policies.
    providers_demo_resources.network(world)
    providers_demo_resources.policies(world)

    # One hash for the one published password: hashing it for every login costs seconds and
    # protects nothing.
    password_hash = make_password(PASSWORD)
    ops = cast.ops_login_create(password_hash)
    support = cast.support_login_create(password_hash)
    users = {ops.email: ops, support.email: support}
    for create_logins in (
        brokers_demo.create_logins,
        employers_demo.create_logins,
        providers_demo.create_logins,
    ):
        users.update(create_logins(world, password_hash))
    # Changes asked from bills need the logins that asked and decided them.
    billing_demo_bill_changes.bill_changes_demo(world, users)
    # Payment accounts and recurring payments, set up by the logins that own them.
    billing_demo_payments.payments_demo(world, users)
    # broker@ pays a suffix's bills for employer@'s employer, and has changed a member for it.
    employers_demo_on_behalf.on_behalf_demo(world, users)
    # What support@ did for two callers last week, with the reasons they gave.
    accounts_demo.support_history(world, users)
    # A member with an audit history, for ops@'s audit review and access review.
    access_review_demo.audit_history_demo(world, users)
    return users
