"""The access review ("who can see what") agrees with what the portal's pages let through.

The users a group's review lists are compared with the users who get a 200 on that group's
pages, requested for real as the access matrix requests them, not with a list written here.
"""

import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from access_review.selectors import Through, group_reach, user_reach
from brokers.access import grant_group_functions
from brokers.models import Broker
from employers.access import Access
from employers.models import EmployerAdmin
from employers.services import employer_admin_add, employer_user_invite
from enrollment.models import Group, Member
from portal.accounts.models import Role, User
from portal.jobs.models import ReportJob
from tests.factories import UserFactory

DELEGATE = "delegate@tpa.example"


@pytest.fixture
def delegate(cast):
    """The delegate the access matrix's fixture creates: groupadmin@'s, viewing the first suffix."""
    return employer_user_invite(
        employer=cast.employer_groups[0].parent.employer,
        email=DELEGATE,
        first_name="Dee",
        last_name="Legate",
        level="delegate",
        access=Access(frozenset({cast.employer_groups[0].pk}), frozenset({"enrollment_view"})),
        by=cast.groupadmin,
    ).user


def _group_pages(cast, group):
    """The pages of one group and its subscriber, in each audience, as the matrix requests them."""
    member = cast.members[group.number]
    return [
        reverse("brokers:group-detail", args=[group.pk]),
        reverse("brokers:subscriber-detail", args=[member.pk]),
        reverse("employers:enrollment-member", args=[member.pk]),
    ]


def _portal_users(cast, *extra):
    return [
        *(user for role, user in cast.users.items() if role != "ops"),
        cast.sibling_office_staff,
        cast.other_tenant_staff,
        *extra,
    ]


def _users_answered_200(client, users, pages):
    reached = set()
    for user in users:
        client.force_login(user)
        if any(client.get(page).status_code == 200 for page in pages):
            reached.add(user.email)
        client.logout()
    return reached


def _reviewed(group):
    return {reach.user.email for reach in group_reach(group)}


def test_the_group_review_lists_exactly_the_users_who_reach_the_groups_pages(
    cast, client, delegate
):
    group = cast.employer_groups[0]
    reached = _users_answered_200(client, _portal_users(cast, delegate), _group_pages(cast, group))
    assert _reviewed(group) == reached
    # What that is in the cast, for the reader: the employer's administrators, the delegate,
    # the broker of record's office and the general agency above it.
    assert reached == {
        "employer@demo.test",
        "groupadmin@demo.test",
        DELEGATE,
        "broker@demo.test",
        "staff@demo.test",
        "upline@demo.test",
    }


def test_a_suffix_without_a_group_administrator_is_reviewed_as_reached(cast, client, delegate):
    group = cast.employer_groups[2]
    reached = _users_answered_200(client, _portal_users(cast, delegate), _group_pages(cast, group))
    assert _reviewed(group) == reached
    assert "groupadmin@demo.test" not in reached and DELEGATE not in reached


def test_each_grant_is_named(cast, delegate):
    reaches = {(r.user.email, r.kind): r for r in group_reach(cast.employer_groups[0])}
    assert set(reaches) == {
        ("employer@demo.test", Through.CLIENT_ADMIN),
        ("groupadmin@demo.test", Through.EMPLOYER_USER),
        (DELEGATE, Through.EMPLOYER_USER),
        ("broker@demo.test", Through.BROKER_OF_RECORD),
        ("broker@demo.test", Through.EMPLOYER_GRANT),
        ("staff@demo.test", Through.BROKER_OF_RECORD),
        ("staff@demo.test", Through.EMPLOYER_GRANT),
        ("upline@demo.test", Through.UPLINE),
    }
    assert reaches[(DELEGATE, Through.EMPLOYER_USER)].functions == ("view_group", "view_roster")
    assert reaches[(DELEGATE, Through.EMPLOYER_USER)].pending
    assert "Delegate of" in reaches[(DELEGATE, Through.EMPLOYER_USER)].through
    # The upline may view the groups, not their rosters (broker@ did not allow it).
    assert reaches[("upline@demo.test", Through.UPLINE)].functions == ("view_group",)
    grant = reaches[("broker@demo.test", Through.EMPLOYER_GRANT)]
    assert set(grant.functions) == {
        "view_group",
        "view_invoice",
        "view_payment_history",
        "view_balance",
        "perform_enrollment",
        "receive_enrollment_notifications",
    }


def test_an_office_permission_no_grant_explains_is_listed_as_such(cast, client, delegate):
    # given broker2's office holds view on employer@'s group without any grant behind it
    group = cast.employer_groups[0]
    grant_group_functions(Broker.objects.get(user=cast.broker2), group, ["view_group"])
    # then the review names broker2 and their staff, and says no grant explains it
    kinds = {(r.user.email, r.kind) for r in group_reach(group)}
    assert ("broker2@demo.test", Through.UNEXPLAINED) in kinds
    assert ("staff2@demo.test", Through.UNEXPLAINED) in kinds
    # and it still agrees with the pages
    reached = _users_answered_200(client, _portal_users(cast, delegate), _group_pages(cast, group))
    assert _reviewed(group) == reached


def test_a_disabled_user_reaches_nothing(cast):
    cast.groupadmin.is_active = False
    cast.groupadmin.save(update_fields=["is_active"])
    assert "groupadmin@demo.test" not in _reviewed(cast.employer_groups[0])
    assert user_reach(cast.groupadmin) == []


def test_a_users_review_lists_everything_they_reach(cast):
    groups = cast.employer_groups
    broker = {(r.target.number, r.kind) for r in user_reach(cast.broker)}
    assert broker == {
        *((g.number, Through.BROKER_OF_RECORD) for g in groups),
        *((g.number, Through.EMPLOYER_GRANT) for g in groups[:2]),
    }
    employer = {(r.target.number, r.kind) for r in user_reach(cast.employer)}
    assert employer == {(g.number, Through.CLIENT_ADMIN) for g in groups}
    upline = {(r.target.number, r.kind) for r in user_reach(cast.upline)}
    assert upline == {(g.number, Through.UPLINE) for g in groups}
    # Provider users: Tax IDs, with the functions granted on each.
    provideruser = [(r.target, r.kind, r.functions) for r in user_reach(cast.provideruser)]
    assert [(t, k) for t, k, _ in provideruser] == [(cast.tax_ids[0], Through.TAX_ID_GRANT)]
    assert "check_eligibility" in provideruser[0][2]
    provider = {(r.target, r.kind) for r in user_reach(cast.provider)}
    assert {(t, Through.PROVIDER_ADMIN) for t in cast.tax_ids} <= provider
    assert all(r.target != cast.other_tax_id for r in user_reach(cast.provider))


# The admin pages.


def _ops_without_review():
    user = UserFactory(role=Role.OPS, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_").exclude(
            content_type__app_label="audit"
        )
    )
    return user


def test_ops_review_a_group_and_a_user_in_the_admin(cast, client, delegate):
    client.force_login(cast.ops)
    group = cast.employer_groups[0]
    response = client.get(reverse("access_review:group-review", args=[group.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for email in ("employer@", "groupadmin@", "broker@", "staff@", "upline@"):
        assert f"{email}demo.test" in page
    assert DELEGATE in page and "invited, not registered yet" in page
    assert "employer2@demo.test" not in page and "broker2@demo.test" not in page
    # ops are listed apart, by role
    assert response.context["ops"].filter(pk=cast.ops.pk).exists()

    response = client.get(reverse("access_review:user-review", args=[cast.broker.pk]))
    assert response.status_code == 200
    assert group.number in response.content.decode()


def test_the_review_index_finds_a_group_or_a_user(cast, client):
    client.force_login(cast.ops)
    index = reverse("access_review:index")
    group = cast.employer_groups[1]
    response = client.get(index, {"group": group.number})
    assert response["Location"] == reverse("access_review:group-review", args=[group.pk])
    response = client.get(index, {"email": "Broker@Demo.test"})
    assert response["Location"] == reverse("access_review:user-review", args=[cast.broker.pk])
    response = client.get(index, {"group": "no-such"})
    assert response.status_code == 200
    assert "No group has the number" in response.content.decode()


def test_the_review_is_for_the_security_role_only(cast, client):
    group = cast.employer_groups[0]
    pages = [
        reverse("access_review:index"),
        reverse("access_review:group-review", args=[group.pk]),
        reverse("access_review:user-review", args=[cast.broker.pk]),
    ]
    client.force_login(_ops_without_review())
    assert [client.get(page).status_code for page in pages] == [403, 403, 403]
    client.force_login(cast.employer)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(cast.ops)
    missing = reverse("access_review:group-review", args=[999999])
    assert client.get(missing).status_code == 404


def test_the_group_review_costs_the_same_queries_however_many_users(cast, client):
    client.force_login(cast.ops)
    group = cast.employer_groups[0]
    url = reverse("access_review:group-review", args=[group.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        employer_admin_add(
            employer=group.parent.employer,
            user=UserFactory(email=f"admin{n}@example.com", role=Role.EMPLOYER_ADMIN),
            level=EmployerAdmin.Level.GROUP_ADMIN,
            groups=[group],
            by=cast.employer,
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["user_count"] == 10
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("kind", ["access_review_group", "access_review_user"])
def test_the_review_is_exported_to_xlsx_by_a_job(
    cast, client, delegate, kind, django_capture_on_commit_callbacks
):
    client.force_login(cast.ops)
    group = cast.employer_groups[0]
    parameters = {"group": group.pk} if kind == "access_review_group" else {"user": cast.broker.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:job-create"), {"kind": kind, **parameters})
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == job.Status.DONE
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "User"
    if kind == "access_review_group":
        assert {row[0] for row in rows[1:]} == _reviewed(group) | {"ops@demo.test"}
    else:
        assert {row[3].split()[1] for row in rows[1:]} == {g.number for g in cast.employer_groups}


def test_ops_without_the_review_permission_cannot_export_it(cast, client):
    client.force_login(_ops_without_review())
    response = client.post(
        reverse("jobs:job-create"),
        {"kind": "access_review_group", "group": cast.employer_groups[0].pk},
    )
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_the_demo_groups_review_matches_the_pages_and_its_member_has_a_history(db, client):
    # given the demo world (small), as `make demo` seeds it
    from django.core.management import call_command

    from portal.audit.models import AuditEvent
    from portal.demo.cast import LOGINS

    call_command("seed_demo", scale=0.05, stdout=io.StringIO())
    employer = User.objects.get(email="employer@demo.test")
    group = (
        Group.objects.filter(parent__employer=employer.employer_admin.employer)
        .order_by("number")
        .first()
    )
    member = Member.objects.filter(group=group, subscriber__isnull=True).order_by("pk").first()
    users = list(User.objects.filter(email__in=LOGINS).exclude(is_staff=True))

    # then the review of employer@'s first suffix lists exactly who gets its pages
    pages = [
        reverse("brokers:group-detail", args=[group.pk]),
        reverse("brokers:subscriber-detail", args=[member.pk]),
        reverse("employers:enrollment-member", args=[member.pk]),
    ]
    reached = _users_answered_200(client, users, pages)
    demo_logins = set(LOGINS)
    assert {email for email in _reviewed(group) if email in demo_logins} == reached
    assert {"employer@demo.test", "broker@demo.test", "upline@demo.test"} <= reached
    # and the member the demo gave an audit history shows it to ops@
    assert AuditEvent.objects.filter(object_id=str(member.pk)).count() >= 4
    client.force_login(User.objects.get(email="ops@demo.test"))
    page = client.get(reverse("admin:enrollment_member_change", args=[member.pk]))
    assert "staff@demo.test" in page.content.decode()
