"""Audit review in the admin: who may open it, its filters, its XLSX export, a member's history."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from tests.factories import AuditEventFactory, MemberFactory, UserFactory

CHANGELIST = "admin:audit_auditevent_changelist"


def _at(day, hour=12):
    return time_machine.travel(
        datetime.datetime(2026, 11, day, hour, tzinfo=timezone.get_current_timezone()),
        tick=False,
    )


def _event(day, **fields):
    with _at(day):
        return AuditEventFactory(**fields)


def _listed(response):
    return {event.pk for event in response.context["cl"].result_list}


@pytest.fixture
def history(cast):
    """A member two users looked at on different days, and another member's events."""
    member = cast.members[cast.employer_groups[0].number]
    other = cast.members[cast.other_employer_group.number]
    return {
        "member": member,
        "broker_view": _event(2, user=cast.broker, object_id=str(member.pk)),
        "employer_change": _event(
            5, user=cast.employer, object_id=str(member.pk), action=AuditEvent.Action.CHANGE
        ),
        "employer_export": _event(
            9, user=cast.employer, object_id=str(member.pk), action=AuditEvent.Action.EXPORT
        ),
        "other_member": _event(5, user=cast.broker2, object_id=str(other.pk)),
        "a_group": _event(5, user=cast.broker, object_type="enrollment.Group", object_id="7"),
    }


def _ops_without_audit_review():
    """Ops staff who may read every other record (as other ops roles do), not the audit log."""
    user = UserFactory(role=Role.OPS, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_").exclude(
            content_type__app_label="audit"
        )
    )
    return user


def test_ops_without_the_audit_permission_cannot_open_the_audit_log(cast, client, history):
    # given an ops user whose role does not hold audit.view_auditevent
    ops = _ops_without_audit_review()
    assert not ops.has_perm("audit.view_auditevent")
    client.force_login(ops)
    # then the list, an event and the export are refused
    assert client.get(reverse(CHANGELIST)).status_code == 403
    event = history["broker_view"]
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_export")).status_code == 403
    assert not ReportJob.objects.exists()
    # and the admin index does not offer it
    assert reverse(CHANGELIST) not in client.get(reverse("admin:index")).content.decode()


def test_portal_users_never_reach_the_audit_log(cast, client):
    client.force_login(cast.employer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"broker_view", "employer_change", "employer_export", "other_member", "a_group"}),
        ("?user={employer}", {"employer_change", "employer_export"}),
        (
            "?object_type=enrollment.Member&object_id={member}",
            {"broker_view", "employer_change", "employer_export"},
        ),
        ("?action__exact=change", {"employer_change"}),
        ("?at_from=2026-11-05&at_to=2026-11-05", {"employer_change", "other_member", "a_group"}),
        ("?at_from=2026-11-03", {"employer_change", "employer_export", "other_member", "a_group"}),
        ("?at_to=2026-11-04", {"broker_view"}),
        ("?q=broker2%40demo.test", {"other_member"}),
        (
            "?user={employer}&object_type=enrollment.Member&object_id={member}&at_to=2026-11-06",
            {"employer_change"},
        ),
    ],
)
def test_the_audit_list_filters_by_user_member_action_and_dates(
    cast, client, history, query, expected
):
    client.force_login(cast.ops)
    url = reverse(CHANGELIST) + query.format(employer=cast.employer.pk, member=history["member"].pk)
    response = client.get(url)
    assert response.status_code == 200
    assert _listed(response) == {history[name].pk for name in expected}


def test_a_date_that_is_not_a_date_is_said_and_ignored(cast, client, history):
    client.force_login(cast.ops)
    response = client.get(reverse(CHANGELIST) + "?at_from=yesterday")
    assert response.status_code == 200
    assert "Enter dates as YYYY-MM-DD." in response.content.decode()
    assert len(_listed(response)) == 5


def test_the_audit_list_costs_the_same_queries_however_many_events(cast, client):
    client.force_login(cast.ops)
    url = reverse(CHANGELIST) + f"?user={cast.broker.pk}"
    for _ in range(3):
        AuditEventFactory(user=cast.broker, acting_as=cast.staff)
    client.get(url)  # warm the content-type and session caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(40):
        AuditEventFactory(user=cast.broker, acting_as=cast.staff)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 43
    assert len(large.captured_queries) == len(small.captured_queries)


def test_past_the_count_cap_the_list_pages_the_newest_and_says_so(cast, client, monkeypatch):
    monkeypatch.setattr("portal.audit.admin.LIST_COUNT_CAP", 5)
    AuditEventFactory.create_batch(8, user=cast.broker)
    client.force_login(cast.ops)
    response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 6
    assert "More than 5 events match" in response.content.decode()
    few = client.get(reverse(CHANGELIST) + "?action__exact=change")
    assert "events match" not in few.content.decode()


def test_the_filtered_list_is_exported_to_xlsx_by_a_job_and_audited(
    cast, client, history, django_capture_on_commit_callbacks
):
    client.force_login(cast.ops)
    member = history["member"]
    query = f"?object_type=enrollment.Member&object_id={member.pk}&at_from=2026-11-03"
    listed = client.get(reverse(CHANGELIST) + query)
    # the list offers the export with its own filters
    assert listed.context["export_params"] == [
        ("at_from", "2026-11-03"),
        ("object_id", str(member.pk)),
        ("object_type", "enrollment.Member"),
    ]

    # when ops press Export with those filters
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:audit_auditevent_export"), dict(listed.context["export_params"])
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.progress, job.requester) == (job.Status.DONE, 100, cast.ops)

    # then the file holds exactly the rows the list showed, newest first
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("When", "User", "Acting as", "Action")
    assert [(row[1], row[3], row[5]) for row in rows[1:]] == [
        ("employer@demo.test", "Exported", str(member.pk)),
        ("employer@demo.test", "Changed", str(member.pk)),
    ]
    # and the export and the download are in the audit log under ops
    mine = AuditEvent.objects.filter(user=cast.ops)
    assert set(mine.values_list("action", "object_type", "object_id")) == {
        ("export", "jobs.ReportJob", str(job.pk)),
        ("export", "enrollment.Member", str(member.pk)),
        ("download", "jobs.ReportJob", str(job.pk)),
    }


def test_the_export_refuses_a_get(cast, client):
    client.force_login(cast.ops)
    assert client.get(reverse("admin:audit_auditevent_export")).status_code == 405


def test_a_members_admin_page_lists_who_viewed_or_changed_them_newest_first(cast, client, history):
    client.force_login(cast.ops)
    member = history["member"]
    response = client.get(reverse("admin:enrollment_member_change", args=[member.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Who viewed or changed this member" in page
    # newest first: the export (9th), the change (5th), the broker's view (2nd)
    first, second, third = (
        page.index("2026-11-09"),
        page.index("2026-11-05"),
        page.index("2026-11-02"),
    )
    assert first < second < third
    assert "broker2@demo.test" not in page  # another member's event
    link = reverse(CHANGELIST) + f"?object_type=enrollment.Member&amp;object_id={member.pk}"
    assert link in page
    # and ops' own look at the member is in the log, listed first
    assert AuditEvent.objects.filter(
        user=cast.ops, action="view", object_type="enrollment.Member", object_id=str(member.pk)
    ).exists()
    assert page.index("ops@demo.test", page.index("Who viewed")) < first


def test_a_members_history_is_capped_and_costs_the_same_queries(cast, client):
    client.force_login(cast.ops)
    member = MemberFactory()
    url = reverse("admin:enrollment_member_change", args=[member.pk])
    AuditEventFactory(user=cast.broker, object_id=str(member.pk))
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    AuditEventFactory.create_batch(30, user=cast.broker, object_id=str(member.pk))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "The latest 20 events, newest first" in response.content.decode()


def test_a_members_page_shows_no_history_to_ops_who_may_not_review_the_audit_log(cast, client):
    member = MemberFactory()
    AuditEventFactory(user=cast.broker, object_id=str(member.pk))
    clerk = UserFactory(role=Role.OPS, is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="enrollment", codename="view_member")
    )
    client.force_login(clerk)
    response = client.get(reverse("admin:enrollment_member_change", args=[member.pk]))
    assert response.status_code == 200
    assert "Who viewed or changed this member" not in response.content.decode()
    assert "broker@demo.test" not in response.content.decode()
