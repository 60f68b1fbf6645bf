"""Individual & family plan applications for the demo world, in every state of their way.

Called by `demo.builder` once the brokers exist. The applications name Broker IDs as text (this
core knows nothing of brokers): the caller passes the codes. The featured ones, the demo
logins' own, get a full list to filter and page through; the others a handful each. Draws from
its own generator, so adding this step changes no other step's data.
"""

import datetime
import random

from enrollment.models import IFPApplication, Plan
from portal.demo.world import World, add_months

FEATURED_APPLICATIONS = 60
# Of the other Broker IDs: up to this many applications each, per unit of --scale capped at 1.
OTHER_APPLICATIONS = 6
# Where the applications are now, as weights; the dates follow from the status.
STATUS_WEIGHTS = {
    IFPApplication.Status.RECEIVED: 12,
    IFPApplication.Status.PENDING_INFORMATION: 14,
    IFPApplication.Status.APPROVED: 14,
    IFPApplication.Status.EFFECTUATED: 44,
    IFPApplication.Status.DENIED: 8,
    IFPApplication.Status.WITHDRAWN: 8,
}
MISSING = [
    "Proof of residency",
    "Proof of income for the premium subsidy",
    "Signature on page 4 of the application",
    "Prior coverage end date (for the special enrollment period)",
    "Date of birth of a dependent",
    "Social Security number of the applicant",
]


def ifp_applications(world: World, *, plans_by: dict, broker_codes, featured_codes=()):
    """Write IFP applications under `featured_codes` (many each) and `broker_codes` (a few each).

    `plans_by` is what `enrollment.demo.plans` returned; codes are Broker ID strings.
    """
    rng = random.Random(f"ifp-applications-{world.as_of.isoformat()}-{world.scale}")  # noqa: S311 -- demo data
    plans = [
        plan
        for (_, market), group in plans_by.items()
        if market == Plan.Market.IFP
        for plan in group
    ]
    if not plans:
        return []
    featured = list(dict.fromkeys(featured_codes))
    counts = [(code, FEATURED_APPLICATIONS) for code in featured]
    counts += [
        (code, rng.randint(0, OTHER_APPLICATIONS)) for code in broker_codes if code not in featured
    ]
    rows = []
    for code, count in counts:
        for _ in range(count):
            rows.append(_application(world, rng, plans, code, serial=len(rows) + 1))
    world.insert(IFPApplication, rows)
    world.say(f"{len(rows):,} IFP applications")
    return rows


def _application(world, rng, plans, code, *, serial):
    today = world.as_of
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    # Open statuses are recent; finished ones may be up to a year old.
    open_ = status in (IFPApplication.Status.RECEIVED, IFPApplication.Status.PENDING_INFORMATION)
    received = today - datetime.timedelta(days=rng.randint(0, 45 if open_ else 330))
    requested = add_months(received, 1 if received.day <= 15 else 2)
    changed = received
    decided = effectuated = None
    missing = ""
    if status == IFPApplication.Status.PENDING_INFORMATION:
        changed = _after(rng, received, today, 2, 10)
        missing = rng.choice(MISSING)
    elif status in (IFPApplication.Status.APPROVED, IFPApplication.Status.DENIED):
        decided = changed = _after(rng, received, today, 3, 20)
    elif status == IFPApplication.Status.EFFECTUATED:
        decided = _after(rng, received, today, 3, 20)
        effectuated = changed = max(decided, min(requested, today))
    elif status == IFPApplication.Status.WITHDRAWN:
        changed = _after(rng, received, today, 1, 30)
    gender = rng.choice("FM")
    return IFPApplication(
        application_number=f"A{today:%y}{serial:07d}",
        first_name=world.pools.first_name(rng, gender),
        last_name=rng.choice(world.pools.last),
        dob=today - datetime.timedelta(days=rng.randint(19 * 365, 64 * 365)),
        plan=rng.choice(plans),
        requested_effective_date=requested,
        status=status,
        received_on=received,
        status_changed_on=changed,
        missing_information=missing,
        decided_on=decided,
        effectuated_on=effectuated,
        broker_code=code,
    )


def _after(rng, start, today, low, high):
    """A day `low` to `high` days after `start`, but not after today."""
    return min(today, start + datetime.timedelta(days=rng.randint(low, high)))
