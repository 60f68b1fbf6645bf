"""Whatever sequence of enrollment services runs, on whichever days: no member is ever covered
twice on one day, a refused change leaves no trace, and the events replayed in order give back
exactly the coverage periods and status on file."""

import datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from enrollment import services
from enrollment.models import Coverage, EnrollmentEvent, Group, Member
from enrollment.services import EnrollmentError
from portal.dates import add_months
from tests import factories as f

START = datetime.datetime(2026, 11, 15, 20, tzinfo=datetime.UTC)

# One step: (operation, a few small numbers the operation reads as it needs).
steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "enroll",
                "dependent_add",
                "plan_change",
                "pcp_change",
                "cancel",
                "reinstate",
                "cobra",
                "days_pass",
            ]
        ),
        st.integers(0, 3),
        st.integers(-70, 70),
    ),
    min_size=1,
    max_size=12,
)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _person(n, **extra):
    return {"first_name": f"P{n}", "last_name": "Prop", "dob": datetime.date(1980, 1, 1), **extra}


def run_step(step, a, b, *, group, user, counter):
    """Run one step with arguments derived from `a` and `b`; EnrollmentError is allowed."""
    members = list(Member.objects.filter(group=group).order_by("pk"))
    subscribers = [m for m in members if m.is_subscriber]
    today = _today()
    pick = members[a % len(members)] if members else None
    subscriber = subscribers[a % len(subscribers)] if subscribers else None
    counter[0] += 1
    n = counter[0]
    if step == "enroll":
        dependents = [
            _person(n * 10 + k, relationship="child", dob=datetime.date(2015, 1, 1))
            for k in range(a % 3)
        ]
        services.member_enroll(
            group=group,
            plan=group.plans.order_by("pk")[a % 2],
            hire_date=today - datetime.timedelta(days=10),
            effective_date=add_months(today, 1 + a % 2),
            subscriber=_person(n),
            dependents=dependents,
            by=user,
        )
    elif step == "days_pass":
        return abs(b)
    elif subscriber is None:
        return 0
    elif step == "dependent_add":
        relationship = ["child", "spouse", "partner", "child"][a]
        services.dependent_add(
            subscriber=subscriber,
            person=_person(n, relationship=relationship, dob=datetime.date(2012, 1, 1)),
            effective_date=today + datetime.timedelta(days=b),
            by=user,
        )
    elif step == "plan_change":
        event_date = today - datetime.timedelta(days=abs(b) % 40)
        services.plan_change(
            subscriber=subscriber,
            plan=group.plans.order_by("pk")[(a + 1) % 2],
            effective_date=add_months(event_date, 1),
            reason="marriage",
            event_date=event_date,
            by=user,
        )
    elif step == "pcp_change":
        services.pcp_change(
            member=pick,
            pcp_name=f"Dr. {n}",
            pcp_npi=f"{n:010d}",
            effective_date=today,
            by=user,
        )
    elif step == "cancel":
        services.coverage_cancel(member=pick, end_date=today + datetime.timedelta(days=b), by=user)
    elif step == "reinstate":
        services.coverage_reinstate(member=pick, by=user)
    elif step == "cobra":
        family = services.family_of(subscriber)
        continuing = [m for k, m in enumerate(family) if (a >> (k % 2)) & 1 or k == 0]
        end = today + datetime.timedelta(days=b)
        services.cobra_transition(
            subscriber=subscriber,
            qualifying_event="termination",
            event_date=end - datetime.timedelta(days=3),
            coverage_end=end,
            continuing=continuing,
            by=user,
        )
    return 0


def snapshot(group):
    coverages = sorted(
        Coverage.objects.filter(group=group).values_list(
            "pk", "member_id", "plan_id", "tier", "start_date", "end_date", "is_cobra"
        )
    )
    members = sorted(Member.objects.filter(group=group).values_list("pk", "status", "plan_id"))
    return coverages, members, EnrollmentEvent.objects.count()


def assert_consistent(group):
    for member in Member.objects.filter(group=group).prefetch_related("coverages", "events"):
        periods = sorted(member.coverages.all(), key=lambda c: c.start_date)
        # No two periods of a member overlap.
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert earlier.end_date is not None and earlier.end_date < later.start_date, (
                f"{member} is covered twice: {earlier} and {later}"
            )
        # The events, replayed in order, give back every period as it is on file...
        replayed, status = {}, None
        for change in sorted(member.events.all(), key=lambda e: e.pk):
            for state in change.details["coverages"]:
                if state.get("deleted"):
                    del replayed[state["id"]]
                else:
                    replayed[state["id"]] = state
            status = change.details["after"].get("status", status)
        on_file = {c.pk: services._coverage_state(c) for c in periods}
        assert replayed == on_file, f"{member}'s history disagrees with their coverage"
        # ... and the status the last status change left.
        assert status == member.status
        # Each period carries the tier of who in the family is covered the day it starts.
        subscriber = member if member.is_subscriber else member.subscriber
        for period in periods:
            assert period.tier == services._tier_on(subscriber, period.start_date), (
                f"{member}'s {period} has a tier that does not fit the family covered then"
            )


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_no_sequence_of_services_overlaps_coverage_or_disagrees_with_history(steps):
    with transaction.atomic():
        group = f.GroupFactory(waiting_period=Group.WaitingPeriod.NONE, renewal_month=1)
        group.plans.add(f.PlanFactory(), f.PlanFactory())
        user = f.UserFactory()
        counter = [0]
        with time_machine.travel(START, tick=False) as clock:
            for step, a, b in steps:
                before = snapshot(group)
                try:
                    days = run_step(step, a, b, group=group, user=user, counter=counter)
                except EnrollmentError:
                    # A refused change leaves no trace.
                    assert snapshot(group) == before
                    event(f"{step} refused")
                else:
                    event(f"{step} done")
                    clock.shift(datetime.timedelta(days=days))
                assert_consistent(group)
        # Each example starts from an empty database.
        transaction.set_rollback(True)
