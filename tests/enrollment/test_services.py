"""The enrollment services: each rule refuses in plain words and changes nothing; each change
writes its events, keeps coverage periods apart, and tells those who asked, once committed."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from guardian.shortcuts import assign_perm

from enrollment import services
from enrollment.models import Coverage, EnrollmentEvent, Group, Member
from enrollment.services import EnrollmentError
from portal.activity.models import Activity
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    # Noon UTC is the same calendar day in the portal's time zone.
    with time_machine.travel(datetime.datetime(2026, 11, 15, 20, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def group(db):
    group = f.GroupFactory(waiting_period=Group.WaitingPeriod.DAYS_30, renewal_month=1)
    group.plans.add(f.PlanFactory(), f.PlanFactory())
    return group


@pytest.fixture
def user(db):
    return f.UserFactory()


def person(**extra):
    return {"first_name": "Ana", "last_name": "Reyes", "dob": D(1985, 2, 3), **extra}


def enroll(group, user, *, dependents=(), effective=None, **extra):
    return services.member_enroll(
        group=group,
        plan=group.plans.first(),
        hire_date=D(2026, 10, 20),
        effective_date=effective or D(2026, 12, 1),
        subscriber=person(ssn="123-45-6789", street="1 Elm St", **extra),
        dependents=list(dependents),
        by=user,
    )


def spouse():
    return person(first_name="Luis", relationship="spouse", dob=D(1984, 6, 1))


def child(dob=None):
    return person(first_name="Mia", relationship="child", dob=dob or D(2015, 4, 4))


def test_enroll_creates_family_coverage_and_events(group, user):
    subscriber = enroll(group, user, dependents=[spouse(), child()])

    family = services.family_of(subscriber)
    assert [m.relationship for m in family] == ["subscriber", "spouse", "child"]
    assert {m.member_id[:9] for m in family} == {subscriber.member_id[:9]}
    coverages = Coverage.objects.filter(member__in=family)
    assert {(c.start_date, c.end_date, c.tier) for c in coverages} == {
        (D(2026, 12, 1), None, "FAM")
    }
    events = EnrollmentEvent.objects.filter(member__in=family)
    assert {e.kind for e in events} == {"enroll"}
    assert all(e.by == user for e in events)
    assert events.get(member=subscriber).details["coverages"][0]["start"] == "2026-12-01"
    # The SSN is stored encrypted and found through its digest.
    assert subscriber.ssn_masked == "***-**-6789"


def test_enroll_refuses_a_date_inside_the_waiting_period(group, user):
    with pytest.raises(EnrollmentError, match="can start on 12/01/2026 at the earliest"):
        enroll(group, user, effective=D(2026, 11, 1))
    assert not Member.objects.exists()


def test_enroll_refuses_a_plan_the_group_does_not_offer(group, user):
    with pytest.raises(EnrollmentError, match="is not offered"):
        services.member_enroll(
            group=group,
            plan=f.PlanFactory(),
            hire_date=D(2026, 10, 1),
            effective_date=D(2026, 12, 1),
            subscriber=person(),
            by=user,
        )


def test_enroll_refuses_a_child_of_26_and_changes_nothing(group, user):
    with pytest.raises(EnrollmentError, match="until age 26"):
        enroll(group, user, dependents=[child(dob=D(2000, 1, 1))])
    assert not Member.objects.exists()
    assert not EnrollmentEvent.objects.exists()


def test_enroll_refuses_a_second_employee_with_the_same_ssn(group, user):
    enroll(group, user)
    with pytest.raises(EnrollmentError, match="already in this group"):
        enroll(group, user)


def test_the_same_idempotency_key_enrolls_once(group, user):
    kwargs = {
        "group": group,
        "plan": group.plans.first(),
        "hire_date": D(2026, 10, 20),
        "effective_date": D(2026, 12, 1),
        "subscriber": person(),
        "by": user,
        "idempotency_key": "form-123",
    }
    first = services.member_enroll(**kwargs)
    again = services.member_enroll(**kwargs)
    assert first == again
    assert Member.objects.count() == 1


def test_dependent_add_joins_the_subscribers_plan_and_refuses_a_second_spouse(group, user):
    subscriber = enroll(group, user, dependents=[spouse()])
    baby = services.dependent_add(
        subscriber=subscriber,
        person=child(dob=D(2026, 11, 2)),
        effective_date=D(2026, 12, 1),
        by=user,
    )
    coverage = baby.coverages.get()
    assert coverage.plan == group.plans.first() and coverage.tier == "FAM"

    with pytest.raises(EnrollmentError, match="already has a spouse"):
        services.dependent_add(
            subscriber=subscriber,
            person=person(first_name="Eva", relationship="partner"),
            effective_date=D(2026, 12, 1),
            by=user,
        )


def test_member_update_records_before_and_after(group, user):
    subscriber = enroll(group, user)
    services.member_update(
        member=subscriber, changes={"last_name": "Reyes-Ortiz", "city": "Fresno"}, by=user
    )
    event = subscriber.events.get(kind="change")
    assert event.details["before"] == {"last_name": "Reyes", "city": ""}
    assert event.details["after"] == {"last_name": "Reyes-Ortiz", "city": "Fresno"}

    with pytest.raises(EnrollmentError, match="Nothing was changed"):
        services.member_update(member=subscriber, changes={"city": "Fresno"}, by=user)


def test_a_dependents_address_is_not_theirs_to_change(group, user):
    dependent = services.family_of(enroll(group, user, dependents=[child()]))[1]
    with pytest.raises(EnrollmentError, match="cannot be changed here: street"):
        services.member_update(member=dependent, changes={"street": "2 Oak"}, by=user)


def test_plan_change_with_a_life_event_splits_the_familys_periods(group, user):
    subscriber = enroll(group, user, dependents=[child()], effective=D(2026, 12, 1))
    new_plan = group.plans.last()
    with time_machine.travel(datetime.datetime(2027, 2, 10, 20, tzinfo=datetime.UTC), tick=False):
        services.plan_change(
            subscriber=subscriber,
            plan=new_plan,
            effective_date=D(2027, 3, 1),
            reason="marriage",
            event_date=D(2027, 2, 5),
            by=user,
        )
    for member in services.family_of(subscriber):
        periods = list(
            member.coverages.order_by("start_date").values_list("start_date", "end_date", "plan")
        )
        assert periods == [
            (D(2026, 12, 1), D(2027, 2, 28), group.plans.first().pk),
            (D(2027, 3, 1), None, new_plan.pk),
        ]
        member.refresh_from_db()
        assert member.plan == new_plan


def test_plan_change_outside_open_enrollment_needs_a_recent_life_event(group, user):
    subscriber = enroll(group, user)
    with pytest.raises(EnrollmentError, match="renewal date, 01/01/2027"):
        services.plan_change(
            subscriber=subscriber,
            plan=group.plans.last(),
            effective_date=D(2026, 12, 1),
            reason="open_enrollment",
            by=user,
        )
    with pytest.raises(EnrollmentError, match="within 60 days"):
        services.plan_change(
            subscriber=subscriber,
            plan=group.plans.last(),
            effective_date=D(2026, 12, 1),
            reason="move",
            event_date=D(2026, 8, 1),
            by=user,
        )


def test_pcp_change_needs_a_ten_digit_npi(group, user):
    subscriber = enroll(group, user)
    with pytest.raises(EnrollmentError, match="ten digits"):
        services.pcp_change(
            member=subscriber, pcp_name="Dr. Lee", pcp_npi="123", effective_date=TODAY, by=user
        )
    services.pcp_change(
        member=subscriber, pcp_name="Dr. Lee", pcp_npi="1234567890", effective_date=TODAY, by=user
    )
    assert subscriber.events.get(kind="pcp_change").details["after"]["pcp_name"] == "Dr. Lee"


def test_cancelling_a_subscriber_ends_the_whole_family(group, user):
    subscriber = enroll(group, user, dependents=[spouse(), child()], effective=D(2026, 12, 1))
    family = services.family_of(subscriber)
    assert [m for m, _ in services.cancellation_preview(subscriber, D(2026, 12, 31))] == family

    services.coverage_cancel(member=subscriber, end_date=D(2026, 12, 31), by=user)

    for member in family:
        member.refresh_from_db()
        assert member.status == Member.Status.CANCELLED
        assert member.coverages.get().end_date == D(2026, 12, 31)
        assert member.events.filter(kind="cancel").count() == 1


def test_cancelling_a_dependent_leaves_the_others(group, user):
    subscriber = enroll(group, user, dependents=[child()])
    dependent = services.family_of(subscriber)[1]
    services.coverage_cancel(member=dependent, end_date=D(2026, 12, 31), by=user)
    subscriber.refresh_from_db()
    assert subscriber.status == Member.Status.ACTIVE
    # The employee stays covered, from the next day at the employee-only tier.
    periods = subscriber.coverages.order_by("start_date")
    assert [(c.start_date, c.end_date, c.tier) for c in periods] == [
        (D(2026, 12, 1), D(2026, 12, 31), "EC"),
        (D(2027, 1, 1), None, "EE"),
    ]
    assert subscriber.events.get(kind="change").details["after"] == {"tier": "EE"}


def test_adding_a_dependent_moves_the_family_to_the_new_tier_from_that_day(group, user):
    subscriber = enroll(group, user, effective=D(2026, 12, 1))
    services.dependent_add(
        subscriber=subscriber, person=spouse(), effective_date=D(2027, 1, 1), by=user
    )
    periods = subscriber.coverages.order_by("start_date")
    assert [(c.start_date, c.end_date, c.tier) for c in periods] == [
        (D(2026, 12, 1), D(2026, 12, 31), "EE"),
        (D(2027, 1, 1), None, "ES"),
    ]
    assert services.family_of(subscriber)[1].coverages.get().tier == "ES"


def test_cancelling_before_coverage_starts_voids_it(group, user):
    subscriber = enroll(group, user, dependents=[child()], effective=D(2026, 12, 1))
    services.coverage_cancel(member=subscriber, end_date=D(2026, 11, 30), by=user)
    for member in services.family_of(subscriber):
        member.refresh_from_db()
        assert member.status == Member.Status.CANCELLED
        assert not member.coverages.exists()
        (cancel,) = member.events.filter(kind="cancel")
        assert cancel.details["coverages"][0]["deleted"] is True


def test_no_termination_beyond_the_retro_window(group, user, settings):
    settings.ENROLLMENT_RETRO_TERMINATION_DAYS = 30
    subscriber = enroll(group, user, effective=D(2026, 12, 1))
    Coverage.objects.filter(member=subscriber).update(start_date=D(2026, 1, 1))
    with pytest.raises(EnrollmentError, match="no earlier than 10/16/2026"):
        services.coverage_cancel(member=subscriber, end_date=D(2026, 9, 30), by=user)
    subscriber.refresh_from_db()
    assert subscriber.status == Member.Status.ACTIVE
    assert not subscriber.events.filter(kind="cancel").exists()


def test_reinstate_reopens_the_family_within_the_window(group, user, settings):
    subscriber = enroll(group, user, dependents=[child()])
    services.coverage_cancel(member=subscriber, end_date=D(2026, 12, 31), by=user)
    services.coverage_reinstate(member=subscriber, by=user)
    for member in services.family_of(subscriber):
        member.refresh_from_db()
        assert member.status == Member.Status.ACTIVE
        assert member.coverages.get().end_date is None
        assert member.events.filter(kind="reinstate").count() == 1


def test_reinstate_refuses_after_the_window(group, user, settings):
    settings.ENROLLMENT_REINSTATE_DAYS = 10
    subscriber = enroll(group, user)
    Coverage.objects.filter(member=subscriber).update(start_date=D(2026, 1, 1))
    services.coverage_cancel(member=subscriber, end_date=D(2026, 10, 31), by=user)
    with pytest.raises(EnrollmentError, match="can no longer be reinstated"):
        services.coverage_reinstate(member=subscriber, by=user)


def test_cobra_continues_chosen_members_and_keeps_history(group, user):
    subscriber = enroll(group, user, dependents=[spouse(), child()])
    _, partner, kid = services.family_of(subscriber)
    services.cobra_transition(
        subscriber=subscriber,
        qualifying_event="termination",
        event_date=D(2027, 1, 15),
        coverage_end=D(2027, 1, 31),
        continuing=[subscriber, partner],
        by=user,
    )
    subscriber.refresh_from_db()
    kid.refresh_from_db()
    assert subscriber.status == Member.Status.COBRA
    assert kid.status == Member.Status.CANCELLED
    periods = list(subscriber.coverages.order_by("start_date"))
    assert [(c.start_date, c.end_date, c.is_cobra) for c in periods] == [
        (D(2026, 12, 1), D(2027, 1, 31), False),
        (D(2027, 2, 1), None, True),
    ]
    assert periods[1].tier == "ES" and periods[1].cobra_event == "termination"
    assert kid.coverages.get().end_date == D(2027, 1, 31)
    with pytest.raises(EnrollmentError, match="already on COBRA"):
        services.cobra_transition(
            subscriber=subscriber,
            qualifying_event="termination",
            event_date=D(2027, 3, 1),
            coverage_end=D(2027, 3, 31),
            continuing=[subscriber],
            by=user,
        )


def test_changes_notify_those_who_asked_once_committed(
    group, user, django_capture_on_commit_callbacks
):
    # given: a client administrator (holds every function) and a group admin granted the
    # notifications, and one who was not
    from employers.models import EmployerAdmin

    client_admin = f.EmployerAdminFactory(employer=group.parent.employer).user
    asked = f.EmployerAdminFactory(
        employer=group.parent.employer, level=EmployerAdmin.Level.GROUP_ADMIN
    ).user
    assign_perm("enrollment.receive_enrollment_notifications", asked, group)
    not_asked = f.EmployerAdminFactory(
        employer=group.parent.employer, level=EmployerAdmin.Level.GROUP_ADMIN
    ).user

    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = enroll(group, client_admin, dependents=[child()])

    # then
    recipients = set(Activity.objects.values_list("recipient", flat=True))
    assert recipients == {client_admin.pk, asked.pk}
    assert not_asked.pk not in recipients
    activity = Activity.objects.filter(recipient=asked).get()
    assert activity.summary == f"Enrollment change in group {group.number}: enrolled (2 members)."
    assert activity.link.endswith(f"/{subscriber.pk}/")
    (message,) = mail.outbox
    assert set(message.to) == {client_admin.email, asked.email}
    assert subscriber.last_name not in message.body
    assert f"/employers/enrollment/members/{subscriber.pk}/" in message.body


def test_a_broker_office_granted_notifications_is_told_without_an_employer_link(
    group, user, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group as Office

    office = Office.objects.create(name="Broker office")
    broker_user = f.UserFactory()
    broker_user.groups.add(office)
    assign_perm("enrollment.receive_enrollment_notifications", office, group)

    with django_capture_on_commit_callbacks(execute=True):
        enroll(group, user)

    (message,) = mail.outbox
    assert message.to == [broker_user.email]
    assert "/employers/" not in message.body
    assert Activity.objects.get(recipient=broker_user).link == ""


def test_a_rule_broken_sends_nothing(group, user, django_capture_on_commit_callbacks):
    f.EmployerAdminFactory(employer=group.parent.employer)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EnrollmentError):
        enroll(group, user, effective=D(2026, 11, 1))
    assert not mail.outbox
    assert not Activity.objects.exists()


def test_an_idempotency_key_is_the_users_own(group, user):
    # A key is only as secret as the form it rode in: another user's same key is a new request,
    # never an answer about the first user's change.
    first = services.member_enroll(
        group=group,
        plan=group.plans.first(),
        hire_date=D(2026, 10, 20),
        effective_date=D(2026, 12, 1),
        subscriber=person(),
        by=user,
        idempotency_key="shared",
    )
    other = services.member_enroll(
        group=group,
        plan=group.plans.first(),
        hire_date=D(2026, 10, 20),
        effective_date=D(2026, 12, 1),
        subscriber=person(first_name="Bo"),
        by=f.UserFactory(),
        idempotency_key="shared",
    )
    assert other != first
    assert Member.objects.count() == 2


def test_changes_announced_together_are_one_notice_per_group(
    group, user, django_capture_on_commit_callbacks
):
    # A roster of many families tells the administrator once, not once a family.
    client_admin = f.EmployerAdminFactory(employer=group.parent.employer).user
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), services.changes_announced_together():
            for n in range(3):
                services.member_enroll(
                    group=group,
                    plan=group.plans.first(),
                    hire_date=D(2026, 10, 20),
                    effective_date=D(2026, 12, 1),
                    subscriber=person(first_name=f"Ana{n}", ssn=f"123-45-678{n}"),
                    dependents=[],
                    by=client_admin,
                )
    (message,) = mail.outbox
    assert message.to == [client_admin.email]
    activity = Activity.objects.get(recipient=client_admin)
    assert activity.summary == f"Enrollment change in group {group.number}: enrolled (3 members)."
