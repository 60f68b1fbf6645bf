"""Brokers work an employer's Roster upload on its behalf: the employer portal's views, served
under /brokers/enrollment/roster/ in the broker's layout, scoped to the groups whose employer
granted the office perform_enrollment. The job enrolls with the broker-portal user as `by` and
the employer (with the broker) as on whose behalf, as a broker's single enrollment does.

In the cast, employer@ granted broker@'s office perform_enrollment on employer_groups[0] and [1]
but not [2]; broker2@ holds no grant; staff@ works in broker@'s office with the Eligibility
tool; upline@ views broker@'s book without any function.
"""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from brokers.services import broker_of_record_start, office_staff_add
from employers.roster_jobs import ROSTER_KIND
from employers.services import broker_access_grant, broker_access_revoke
from enrollment.models import EnrollmentEvent, Member
from portal.accounts.models import Role
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from portal.jobs.tasks import run_report_job
from tests import factories as f

HEADER = (
    "relationship,employee_ssn,ssn,first_name,last_name,dob,gender,plan_code,hire_date,"
    "effective_date"
)
GROUP_PAGES = ["roster-upload", "roster-template", "roster-problems"]


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def clean_lines():
    day = first_of_next_month()
    start = day.strftime("%m/%d/%Y")
    # Hired long enough ago for the cast's 30-day waiting period to be over by the start.
    hired = (day - datetime.timedelta(days=90)).strftime("%m/%d/%Y")
    return [
        f"subscriber,123-45-6789,,Ada,Lovelace,1985-12-10,F,GOLD500,{hired},{start}",
        "spouse,123-45-6789,234-56-7890,William,Lovelace,1980-05-01,M,,,",
        f"employee,345-67-8901,,Grace,Hopper,1976-12-09,F,GOLD500,{hired},{start}",
    ]


def csv_upload(lines):
    return SimpleUploadedFile("roster.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")


def url(name, *args):
    return reverse(f"brokers:{name}", args=args)


@pytest.fixture
def group(cast):
    group = cast.employer_groups[0]
    group.plans.add(f.PlanFactory(code="GOLD500"))
    return group


def test_a_broker_uploads_a_clean_roster_and_the_enrollment_records_both_parties(
    client, cast, group, django_capture_on_commit_callbacks
):
    # given
    client.force_login(cast.broker)
    employer = group.parent.employer
    broker = cast.broker.broker
    expected = f"{employer.name} (broker {broker.first_name} {broker.last_name}, "
    form = client.get(url("roster-upload", group.pk)).text
    assert "Viewing dashboard for" in form  # the broker portal's layout
    assert expected in form  # the page says on whose behalf it enrolls

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("roster-upload", group.pk), {"file": csv_upload(clean_lines())})

    # then
    job = ReportJob.objects.get(kind=ROSTER_KIND)
    assert response["Location"] == url("roster-job", job.pk)
    assert job.status == ReportJob.Status.DONE, job.error
    ada = Member.objects.get(group=group, first_name="Ada", last_name="Lovelace")
    assert [m.first_name for m in ada.dependents.all()] == ["William"]
    events = EnrollmentEvent.objects.filter(kind="enroll", group=group)
    assert events.count() == 3
    code = broker.codes.first().code
    assert {(e.by, e.on_behalf_of) for e in events} == {(cast.broker, f"{expected}{code})")}
    # The audit rows and the broker's Recent Activity lead to the job in the broker's portal.
    assert (
        AuditEvent.objects.filter(
            user=cast.broker, action=AuditEvent.Action.CHANGE, path=url("roster-job", job.pk)
        ).count()
        == 3
    )
    assert Activity.objects.filter(
        recipient=cast.broker,
        summary__contains="2 employee(s) and 1 dependent(s) enrolled",
        link=url("roster-job", job.pk),
    ).exists()
    # The employer's client administrators are told as of a broker's single enrollment.
    told = Activity.objects.get(recipient=cast.employer, summary__startswith="Enrollment change")
    assert told.actor == cast.broker
    assert any(cast.employer.email in message.to for message in mail.outbox)

    page = client.get(response["Location"]).text
    assert "Done: 3 members enrolled" in page and "Viewing dashboard for" in page
    assert f'href="{url("roster-upload", group.pk)}"' in page
    # The member's history, in the employer's portal, names both parties.
    client.force_login(cast.employer)
    history = client.get(reverse("employers:enrollment-member", args=[ada.pk])).text
    assert f"{cast.broker.display_name} for {employer.name} (broker" in history


def test_office_staff_upload_records_the_staff_user_and_the_broker(
    client, cast, group, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("roster-upload", group.pk), {"file": csv_upload(clean_lines()[:1])})

    event = EnrollmentEvent.objects.get(member__first_name="Ada", member__last_name="Lovelace")
    broker = cast.broker.broker
    assert event.by == cast.staff
    assert f"(broker {broker.first_name} {broker.last_name}," in event.on_behalf_of


def test_a_file_with_problems_is_reported_in_the_broker_portal(client, cast, group):
    client.force_login(cast.broker)
    lines = [*clean_lines(), "child,567-89-0123,,Lost,Child,2016-01-01,,,,"]

    response = client.post(url("roster-upload", group.pk), {"file": csv_upload(lines)})

    assert response["Location"] == url("roster-problems", group.pk)
    page = client.get(response["Location"]).text
    assert "Nothing was enrolled" in page and "Viewing dashboard for" in page
    csv_page = client.get(url("roster-problems-csv", group.pk))
    assert csv_page["Content-Type"].startswith("text/csv")
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("role", ["broker", "staff"])
def test_the_group_list_shows_the_granted_groups_only(client, cast, role):
    client.force_login(cast.users[role])

    response = client.get(url("roster"))

    assert response.status_code == 200
    assert [g.pk for g in response.context["groups"]] == [g.pk for g in cast.employer_groups[:2]]
    assert url("roster-upload", cast.employer_groups[2].pk) not in response.text


@pytest.mark.parametrize("name", GROUP_PAGES)
def test_granted_suffix_200_sibling_suffix_and_other_employer_404(client, cast, group, name):
    client.force_login(cast.broker)

    assert client.get(url(name, group.pk)).status_code == 200
    assert client.get(url(name, cast.employer_groups[2].pk)).status_code == 404
    assert client.get(url(name, cast.other_employer_group.pk)).status_code == 404


def test_an_upload_to_a_group_not_granted_is_404_and_queues_nothing(client, cast):
    client.force_login(cast.broker)

    response = client.post(
        url("roster-upload", cast.employer_groups[2].pk), {"file": csv_upload(clean_lines())}
    )

    assert response.status_code == 404
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("role", ["broker2", "upline"])
def test_a_broker_without_the_grant_finds_no_group_and_404_on_each(client, cast, role):
    client.force_login(cast.users[role])

    response = client.get(url("roster"))

    # As Manage Enrollment: an empty list, not a refusal.
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "No employer has let your office enroll for it yet" in response.text
    for group in cast.employer_groups:
        for name in GROUP_PAGES:
            assert client.get(url(name, group.pk)).status_code == 404


def test_billing_view_alone_gives_no_roster_upload(client, cast):
    group = cast.employer_groups[2]
    broker_access_grant(
        group=group, broker=cast.broker.broker, functions=["view_invoice"], by=cast.employer
    )
    client.force_login(cast.broker)

    assert client.get(url("roster-upload", group.pk)).status_code == 404


def test_office_staff_without_the_eligibility_tool_get_403(client, cast, group):
    bare = office_staff_add(
        broker=cast.broker.broker,
        user=f.UserFactory(role=Role.BROKER_STAFF, email="bare@demo.test"),
        tools=[],
    )
    client.force_login(bare)

    assert client.get(url("roster")).status_code == 403
    assert client.get(url("roster-upload", group.pk)).status_code == 403


@pytest.mark.parametrize("role", ["employer", "groupadmin", "ops", "provider"])
def test_the_broker_urls_are_for_the_broker_portal_only(client, cast, group, role):
    client.force_login(cast.users[role])

    assert client.get(url("roster")).status_code == 404
    assert client.get(url("roster-upload", group.pk)).status_code == 404


def test_a_broker_is_404_on_the_employer_portals_urls(client, cast, group):
    client.force_login(cast.broker)

    assert client.get(reverse("employers:roster")).status_code == 404
    assert client.get(reverse("employers:roster-upload", args=[group.pk])).status_code == 404


def test_a_brokers_job_is_theirs_alone(client, cast, group):
    client.force_login(cast.broker)
    client.post(url("roster-upload", group.pk), {"file": csv_upload(clean_lines())})
    job = ReportJob.objects.get()

    assert client.get(url("roster-job", job.pk)).status_code == 200
    assert client.get(url("roster-job-status", job.pk)).status_code == 200
    # Office staff work the same groups, but not the broker's own upload.
    client.force_login(cast.staff)
    assert client.get(url("roster-job", job.pk)).status_code == 404
    client.force_login(cast.employer)
    assert client.get(reverse("employers:roster-job", args=[job.pk])).status_code == 404


def test_a_revoke_before_the_job_runs_enrolls_nothing(client, cast, group):
    client.force_login(cast.broker)
    # The upload queues the job (run on commit, which this test's transaction never reaches).
    client.post(url("roster-upload", group.pk), {"file": csv_upload(clean_lines())})
    job = ReportJob.objects.get()
    broker_access_revoke(
        broker=cast.broker.broker, employer=group.parent.employer, by=cast.employer
    )

    run_report_job.apply(args=[job.pk], throw=False)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert not Member.objects.filter(first_name="Ada", last_name="Lovelace").exists()


def test_the_broker_reaches_roster_upload_only_where_enrollment_is_granted(client, cast):
    broker_access_grant(
        group=cast.employer_groups[2],
        broker=cast.broker.broker,
        functions=["view_invoice"],
        by=cast.employer,
    )
    client.force_login(cast.broker)

    delegated = client.get(reverse("brokers:delegated-group-list")).text
    enrollment = client.get(reverse("brokers:enrollment")).text

    for group in cast.employer_groups[:2]:
        assert f'href="{url("roster-upload", group.pk)}"' in delegated
    assert url("roster-upload", cast.employer_groups[2].pk) not in delegated
    assert f'href="{url("roster")}"' in enrollment


def test_no_link_to_roster_upload_without_any_enrollment_grant(client, cast):
    client.force_login(cast.broker2)

    assert url("roster") not in client.get(reverse("brokers:enrollment")).text


def test_the_group_list_costs_the_same_queries_for_one_group_or_many(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.broker)
    # Session, user, the office's broker with its Broker IDs (layout), the groups, the
    # session's save: as many as the employer's list (tests/employers/test_roster_upload.py).
    with django_assert_max_num_queries(8):
        response = client.get(url("roster"))
    assert len(response.context["groups"]) == 2

    # Three more suffixes of the employer, in broker@'s book, granted the same way.
    for _ in range(3):
        extra = f.GroupFactory(parent=cast.employer_groups[0].parent)
        broker_of_record_start(
            group=extra, broker=cast.broker.broker, start_date=extra.suffix_effective_date
        )
        broker_access_grant(
            group=extra,
            broker=cast.broker.broker,
            functions=["perform_enrollment"],
            by=cast.employer,
        )
    with django_assert_max_num_queries(8):
        response = client.get(url("roster"))
    assert len(response.context["groups"]) == 5
