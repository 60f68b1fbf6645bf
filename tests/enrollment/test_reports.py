"""Roster report kinds: a suffix's subscriber list and a parent group's, limited to the suffixes
whose roster the requester may see; and the Recent Activity line when a report is ready."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from portal.jobs.services import report_job_request
from portal.jobs.tasks import run_report_job
from tests import factories as f


@pytest.fixture
def parent(cast):
    return cast.employer_groups[0].parent


@pytest.fixture
def suffix_outside_the_book(parent):
    """A fourth suffix of the same parent, in no broker's book, with a family of its own."""
    group = f.GroupFactory(parent=parent, suffix="0009")
    f.DependentFactory(subscriber=f.MemberFactory(group=group, last_name="Outsider"))
    return group


def run(user, kind, parameters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(user=user, kind=kind, parameters=parameters)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        rows = list(load_workbook(handle).active.iter_rows(values_only=True))
    return job, rows


def test_parent_roster_holds_only_the_brokers_suffixes(
    cast, parent, suffix_outside_the_book, django_capture_on_commit_callbacks
):
    job, rows = run(
        cast.broker,
        "parent_roster_xlsx",
        {"parent": str(parent.pk)},
        django_capture_on_commit_callbacks,
    )

    assert rows[0] == (
        "Group",
        "Member ID",
        "Last name",
        "First name",
        "Relationship",
        "Date of birth",
        "Status",
        "Plan",
    )
    groups = [row[0] for row in rows[1:]]
    # Each suffix's family: the subscriber, then the dependent.
    assert groups == [g.number for g in cast.employer_groups for _ in range(2)]
    assert [row[4] for row in rows[1:3]] == ["Subscriber", "Child"]
    subscriber = cast.members[cast.employer_groups[0].number]
    assert rows[1][1:4] == (subscriber.member_id, subscriber.last_name, subscriber.first_name)
    assert "Outsider" not in {row[2] for row in rows}
    assert job.filename.startswith(f"subscriber-list-{parent.number}-")

    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    member_ids = set(
        exported.filter(object_type="enrollment.Member").values_list("object_id", flat=True)
    )
    assert len(member_ids) == 6
    outside = suffix_outside_the_book.members.values_list("pk", flat=True)
    assert member_ids.isdisjoint(str(pk) for pk in outside)
    group_ids = set(
        exported.filter(object_type="enrollment.Group").values_list("object_id", flat=True)
    )
    assert group_ids == {str(g.pk) for g in cast.employer_groups}


def test_parent_roster_for_an_employer_admin_holds_what_they_may_see(
    cast, parent, suffix_outside_the_book, django_capture_on_commit_callbacks
):
    _, everything = run(
        cast.employer,
        "parent_roster_xlsx",
        {"parent": parent.pk},
        django_capture_on_commit_callbacks,
    )
    _, own_suffix = run(
        cast.groupadmin,
        "parent_roster_xlsx",
        {"parent": parent.pk},
        django_capture_on_commit_callbacks,
    )

    assert len(everything) == 1 + 8
    assert "Outsider" in {row[2] for row in everything}
    assert {row[0] for row in own_suffix[1:]} == {cast.employer_groups[0].number}


@pytest.mark.parametrize("role", ["upline", "broker2", "provider", "employer2"])
def test_parent_roster_is_refused_without_roster_view_on_any_suffix(cast, parent, role):
    with pytest.raises(PermissionDenied):
        report_job_request(
            user=getattr(cast, role), kind="parent_roster_xlsx", parameters={"parent": parent.pk}
        )


@pytest.mark.parametrize("parameters", [{}, {"parent": "x"}, {"parent": "0"}, {"parent": "-3"}])
def test_parent_roster_needs_a_parent(parameters):
    from portal.jobs.registry import get_report_class

    with pytest.raises(ValueError):
        get_report_class("parent_roster_xlsx").clean_parameters(parameters)


def test_parent_roster_for_a_missing_parent_is_refused(cast):
    with pytest.raises(PermissionDenied):
        report_job_request(
            user=cast.broker, kind="parent_roster_xlsx", parameters={"parent": 999_999}
        )


def test_suffix_roster_still_lists_one_group(cast, django_capture_on_commit_callbacks):
    group = cast.employer_groups[1]

    _, rows = run(
        cast.broker, "group_roster_xlsx", {"group": group.pk}, django_capture_on_commit_callbacks
    )

    assert rows[0][0] == "Member ID"
    subscriber = cast.members[group.number]
    assert [row[0] for row in rows[1:]] == [
        subscriber.member_id,
        subscriber.dependents.get().member_id,
    ]


def test_ready_report_adds_one_recent_activity_line_however_often_delivered(
    cast, django_capture_on_commit_callbacks
):
    group = cast.employer_groups[0]
    job, _ = run(
        cast.broker, "group_roster_xlsx", {"group": group.pk}, django_capture_on_commit_callbacks
    )

    # A second delivery of the same task message finds the job done and does nothing.
    run_report_job.apply(args=[job.pk]).get()

    line = Activity.objects.get(recipient=cast.broker)
    assert line.summary == "Your subscriber list is ready to download."
    assert line.link == reverse("jobs:job-detail", args=[job.pk])
    assert not Activity.objects.exclude(recipient=cast.broker).exists()


def test_failed_report_adds_no_activity_line(cast, django_capture_on_commit_callbacks):
    group = cast.employer_groups[0]
    job = ReportJob.objects.create(
        requester=cast.broker, kind="group_roster_xlsx", parameters={"group": group.pk}
    )
    # The group is gone by the time the task runs (as if access was lost): the job fails.
    ReportJob.objects.filter(pk=job.pk).update(parameters={"group": 999_999})

    with pytest.raises(Exception):  # noqa: B017 - eager tasks re-raise the report's own error
        run_report_job.apply(args=[job.pk]).get()

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert not Activity.objects.exists()
