"""Reports pages: set up, edit, run and delete a report definition; bad input changes nothing;
access with real objects in both portals; the list's query count."""

import pytest
from django.urls import reverse

from employers.models import ReportDefinition
from employers.services import broker_access_grant
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from portal.jobs.models import ReportJob
from tests.cast import BILLING_AND_ENROLLMENT

Kind = ReportDefinition.Kind
LIST = reverse("employers:report-list")
NEW = reverse("employers:report-definition-create")


def _definition(user, employer, **extra):
    fields = {"name": "Monthly roster", "kind": Kind.ROSTER, "filters": {"groups": []}}
    return ReportDefinition.objects.create(owner=user, employer=employer, **{**fields, **extra})


def _url(name, definition, portal="employers"):
    return reverse(f"{portal}:{name}", args=[definition.pk])


@pytest.fixture
def employer_definition(cast):
    return _definition(cast.employer, cast.employer_groups[0].parent.employer)


@pytest.fixture
def reports_granted(cast):
    """employer@ lets broker@'s office run reports on the first suffix."""
    broker = cast.broker.broker
    broker_access_grant(
        group=cast.employer_groups[0],
        broker=broker,
        functions=[*BILLING_AND_ENROLLMENT, "run_reports"],
        by=cast.employer,
    )
    return cast.employer_groups[0]


def test_set_up_a_custom_report_and_run_it(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.employer)
    group = cast.employer_groups[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{NEW}?kind=custom",
            {
                "kind": "custom",
                "name": "Who is on COBRA",
                "groups": [group.pk],
                "statuses": ["cobra"],
                "columns": ["member_id", "last_name", "status"],
                "sort": "last_name",
                "descending": "on",
                "format": "xlsx",
                "schedule": "monthly",
                "month_day": "5",
                "notify": "on",
                "action": "run",
            },
        )
    definition = ReportDefinition.objects.get()
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job-detail", args=[job.pk])
    assert definition.owner == cast.employer
    assert definition.columns == ["member_id", "last_name", "status"]
    assert definition.filters["groups"] == [group.pk]
    assert definition.sort == "-last_name"
    assert (definition.schedule, definition.schedule_day) == ("monthly", 5)
    assert definition.next_run_on.day == 5
    assert job.status == ReportJob.Status.DONE and job.parameters["definition"] == definition.pk
    assert Activity.objects.filter(
        recipient=cast.employer, summary__contains="Who is on COBRA"
    ).exists()

    page = client.get(_url("report-definition-detail", definition))
    assert page.status_code == 200
    assert "Member ID, Last name, Status" in page.text
    assert reverse("jobs:job-detail", args=[job.pk]) in page.text


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"columns": []}, "columns"),
        ({"columns": ["ssn"]}, "columns"),
        (
            {
                "period": "custom",
                "start": "01/01/2020",
                "end": "01/31/2020",
                "date_field": "coverage_start",
            },
            "start",
        ),
        (
            {
                "period": "custom",
                "start": "11/10/2026",
                "end": "11/01/2026",
                "date_field": "coverage_start",
            },
            "end",
        ),
        ({"date_field": "coverage_start", "period": ""}, "period"),
        ({"schedule": "weekly", "weekday": ""}, "weekday"),
        ({"schedule": "monthly", "month_day": "31"}, "month_day"),
        ({"sort": "email"}, "sort"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client, cast, employer_definition, changes, field
):
    client.force_login(cast.employer)
    employer_definition.kind = Kind.CUSTOM
    employer_definition.columns = ["last_name"]
    employer_definition.save()
    before = ReportDefinition.objects.values().get()
    data = {
        "name": "Changed",
        "columns": ["member_id"],
        "format": "xlsx",
        "schedule": "none",
        "period": "",
        **changes,
    }
    response = client.post(_url("report-definition-edit", employer_definition), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert 'role="alert"' in response.text
    assert ReportDefinition.objects.values().get() == before
    assert not ReportJob.objects.exists()


def test_groups_of_another_employer_are_not_a_choice(client, cast):
    client.force_login(cast.employer)
    response = client.post(
        f"{NEW}?kind=roster",
        {
            "kind": "roster",
            "name": "x",
            "groups": [cast.other_employer_group.pk],
            "format": "xlsx",
            "schedule": "none",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["groups"]
    assert not ReportDefinition.objects.exists()


def test_unknown_kind_is_404_and_no_kind_is_a_custom_report(client, cast):
    client.force_login(cast.employer)
    assert client.get(f"{NEW}?kind=nonsense").status_code == 404
    response = client.get(NEW)
    assert response.status_code == 200 and response.context["kind"] == Kind.CUSTOM


def test_edit_keeps_what_is_not_changed_and_reschedules(client, cast, employer_definition):
    client.force_login(cast.employer)
    response = client.post(
        _url("report-definition-edit", employer_definition),
        {
            "name": "Weekly roster",
            "format": "pdf",
            "schedule": "weekly",
            "weekday": "0",
            "action": "save",
        },
    )
    assert response.status_code == 302
    employer_definition.refresh_from_db()
    assert (employer_definition.name, employer_definition.format) == ("Weekly roster", "pdf")
    assert employer_definition.next_run_on.weekday() == 0


def test_delete(client, cast, employer_definition):
    client.force_login(cast.employer)
    response = client.post(_url("report-definition-delete", employer_definition))
    assert response.status_code == 302 and response.url == LIST
    assert not ReportDefinition.objects.exists()


def test_own_definition_200_others_404(client, cast, employer_definition):
    other = _definition(cast.employer2, cast.other_employer_group.parent.employer)
    # A colleague's definition at the same employer is theirs alone.
    colleague = _definition(cast.groupadmin, cast.employer_groups[0].parent.employer)
    client.force_login(cast.employer)
    assert client.get(_url("report-definition-detail", employer_definition)).status_code == 200
    assert client.get(_url("report-definition-edit", employer_definition)).status_code == 200
    for definition in (other, colleague):
        assert client.get(_url("report-definition-detail", definition)).status_code == 404
        assert client.get(_url("report-definition-edit", definition)).status_code == 404
        assert client.post(_url("report-definition-run", definition)).status_code == 404
        assert client.post(_url("report-definition-delete", definition)).status_code == 404
    assert ReportDefinition.objects.count() == 3


def test_group_admin_without_the_reports_function_reports_on_nothing(client, cast):
    """groupadmin@ holds every function on their suffix in the cast; take reports away."""
    from employers.access import Access, access_of, admin_access_set

    admin = cast.groupadmin.employer_admin
    held = access_of(admin)
    admin_access_set(admin, Access(held.group_ids, held.functions - {"reports"}))
    client.force_login(cast.groupadmin)
    response = client.get(LIST)
    assert response.status_code == 200 and not response.context["has_groups"]
    response = client.get(f"{NEW}?kind=roster")
    assert response.status_code == 200 and response.context["form"] is None
    definition = _definition(cast.groupadmin, cast.employer_groups[0].parent.employer)
    assert client.get(_url("report-definition-detail", definition)).status_code == 404


def test_broker_granted_reports_works_the_same_views(
    client, cast, reports_granted, django_capture_on_commit_callbacks
):
    client.force_login(cast.broker)
    assert client.get(reverse("brokers:report-list")).status_code == 200
    form = client.get(reverse("brokers:report-definition-create") + "?kind=roster").context["form"]
    # Only the granted suffix is offered, not the other suffixes of the book.
    assert [pk for pk, _ in form.fields["groups"].choices] == [reports_granted.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brokers:report-definition-create") + "?kind=roster",
            {
                "kind": "roster",
                "name": "Broker roster",
                "format": "xlsx",
                "schedule": "none",
                "action": "run",
            },
        )
    definition = ReportDefinition.objects.get(owner=cast.broker)
    assert definition.employer == reports_granted.parent.employer
    job = ReportJob.objects.get(requester=cast.broker)
    assert response.url == reverse("jobs:job-detail", args=[job.pk])
    assert job.status == ReportJob.Status.DONE
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(user=cast.broker, action=AuditEvent.Action.DOWNLOAD).exists()
    assert client.get(_url("report-definition-detail", definition, "brokers")).status_code == 200
    # The employer portal's URL is not the broker's.
    assert client.get(_url("report-definition-detail", definition)).status_code == 404

    # Revoked: the definition, its runs and its downloads answer 404 on the next request.
    broker_access_grant(
        group=reports_granted,
        broker=cast.broker.broker,
        functions=BILLING_AND_ENROLLMENT,
        by=cast.employer,
    )
    assert client.get(_url("report-definition-detail", definition, "brokers")).status_code == 404
    assert client.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404


def test_broker_not_granted_sees_no_groups_and_no_definitions(client, cast, reports_granted):
    definition = _definition(cast.broker, reports_granted.parent.employer)
    client.force_login(cast.broker2)
    response = client.get(reverse("brokers:report-list"))
    assert response.status_code == 200 and not response.context["has_groups"]
    assert client.get(_url("report-definition-detail", definition, "brokers")).status_code == 404
    # Office staff without the Eligibility tool: 403, as on the other delegated pages.
    staff = cast.staff
    staff.user_permissions.clear()
    client.force_login(staff)
    assert client.get(reverse("brokers:report-list")).status_code == 403


def test_employer_urls_are_404_to_other_audiences(client, cast, employer_definition):
    for role in ("broker", "provider", "ops"):
        client.force_login(cast.users[role])
        assert client.get(LIST).status_code == 404, role
        assert client.get(_url("report-definition-detail", employer_definition)).status_code == 404


def test_report_list_query_count_is_constant(client, cast, django_assert_num_queries):
    employer = cast.employer_groups[0].parent.employer
    client.force_login(cast.employer)
    client.get(LIST)  # warm the session and content types
    for n in range(3):
        _definition(cast.employer, employer, name=f"R{n}")
    with django_assert_num_queries(10) as few:
        client.get(LIST)
    for n in range(30):
        _definition(cast.employer, employer, name=f"S{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 33


def test_group_billing_and_enrollment_links_to_reports_where_granted(client, cast, reports_granted):
    client.force_login(cast.broker)
    response = client.get(reverse("brokers:delegated-group-list"))
    assert response.status_code == 200
    assert response.text.count(reverse("brokers:report-list")) == 1


def test_a_broker_reporting_for_two_employers_chooses_one(cast, reports_granted):
    from employers.forms.reports import ReportDefinitionForm
    from tests import factories as f

    other = cast.other_employer_group
    groups = [reports_granted, other]
    form = ReportDefinitionForm(
        {
            "name": "x",
            "employer": str(reports_granted.parent.employer_id),
            "groups": [other.pk],
            "format": "xlsx",
            "schedule": "none",
        },
        kind=Kind.ROSTER,
        groups=groups,
        plans=[f.PlanFactory()],
    )
    assert not form.is_valid()
    assert form.errors["groups"] == ["Choose groups of the one employer the report is about."]
    form = ReportDefinitionForm(
        {"name": "x", "groups": [], "format": "xlsx", "schedule": "none"},
        kind=Kind.ROSTER,
        groups=groups,
        plans=[],
    )
    assert not form.is_valid() and "employer" in form.errors
