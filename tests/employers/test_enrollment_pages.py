"""Manage Enrollment's pages: search, the member page, and each change through its form; who may
see (own suffix) and who may change (perform_enrollment), and what is audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.access import grant_admin_groups
from employers.models import EmployerAdmin
from employers.services import employer_admin_add
from enrollment import services
from enrollment.models import Coverage, Member
from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests import factories as f

SEARCH = reverse("employers:enrollment")
CHANGE_PAGES = [
    "employers:enrollment-member-update",
    "employers:enrollment-dependent-add",
    "employers:enrollment-plan-change",
    "employers:enrollment-pcp-change",
    "employers:enrollment-cancel",
    "employers:enrollment-reinstate",
    "employers:enrollment-cobra",
]


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@pytest.fixture
def group(cast):
    group = cast.employer_groups[0]
    group.plans.add(f.PlanFactory(name="Silver PPO 2500/40"), f.PlanFactory(name="Gold HMO"))
    return group


@pytest.fixture
def family(group, cast):
    """An employee with a spouse and a child, enrolled through the service from next month."""
    return services.member_enroll(
        group=group,
        plan=group.plans.first(),
        hire_date=timezone.localdate() - datetime.timedelta(days=45),
        effective_date=first_of_next_month(),
        subscriber={
            "first_name": "Ana",
            "last_name": "Quintero",
            "dob": datetime.date(1985, 2, 3),
            "ssn": "321-54-9876",
        },
        dependents=[
            {
                "first_name": "Luis",
                "last_name": "Quintero",
                "dob": datetime.date(1984, 1, 1),
                "relationship": "spouse",
            },
            {
                "first_name": "Mia",
                "last_name": "Quintero",
                "dob": datetime.date(2016, 1, 1),
                "relationship": "child",
            },
        ],
        by=cast.employer,
    )


@pytest.fixture
def viewer(cast):
    """A group administrator who may see group 0's roster but not enroll there."""
    user = f.UserFactory(role=Role.EMPLOYER_ADMIN, email="viewer@demo.test")
    admin = employer_admin_add(
        employer=cast.employer_groups[0].parent.employer,
        user=user,
        level=EmployerAdmin.Level.GROUP_ADMIN,
        groups=[],
    )
    grant_admin_groups(admin, cast.employer_groups[:1], perms=("view_group", "view_roster"))
    return user


def test_search_by_ssn_matches_through_the_digest(client, cast, family):
    client.force_login(cast.employer)
    response = client.get(SEARCH, {"ssn": "321549876"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [family]
    assert "***-**-9876" in response.content.decode()
    assert client.get(SEARCH, {"ssn": "321-54-0000"}).context["page"].paginator.count == 0


def test_search_filters_sort_and_audit(client, cast, family):
    client.force_login(cast.employer)
    response = client.get(SEARCH, {"name": "quin", "status": "active", "sort": "-id"})
    assert list(response.context["page"].object_list) == [family]
    assert 'aria-sort="descending"' in response.content.decode()
    assert AuditEvent.objects.filter(
        user=cast.employer, action="search", object_id=str(family.pk)
    ).exists()


def test_a_bad_search_says_so_and_never_fails(client, cast):
    client.force_login(cast.employer)
    response = client.get(SEARCH, {"ssn": "12", "plan": "nope", "sort": "drop table"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_search_list_query_count_does_not_grow_with_the_page(
    client, cast, group, django_assert_max_num_queries
):
    for _ in range(30):
        subscriber = f.MemberFactory(group=group, plan=group.plans.first())
        subscriber.set_ssn("123456789")
        subscriber.save()
    client.force_login(cast.employer)
    # Session, user, the administrator (asked once per groups query), COUNT, the page, one
    # audit insert for its 25 rows, the groups and plans of the form, the session's save.
    with django_assert_max_num_queries(14):
        response = client.get(SEARCH)
    assert len(response.context["page"].object_list) == 25


def test_the_htmx_search_swaps_only_the_results(client, cast, family):
    client.force_login(cast.employer)
    response = client.get(SEARCH, headers={"HX-Request": "true", "HX-Target": "member-results"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="member-results">')


def test_member_page_shows_family_coverage_and_history_and_is_audited(client, cast, family):
    client.force_login(cast.employer)
    response = client.get(reverse("employers:enrollment-member", args=[family.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Luis Quintero" in content and "Mia Quintero" in content
    assert "Enrolled" in content
    viewed = set(
        AuditEvent.objects.filter(action="view", user=cast.employer).values_list(
            "object_id", flat=True
        )
    )
    assert {str(m.pk) for m in services.family_of(family)} <= viewed


@pytest.mark.parametrize("name", ["employers:enrollment-member", *CHANGE_PAGES])
def test_own_suffix_200_sibling_suffix_and_other_employer_404(client, cast, name):
    client.force_login(cast.groupadmin)
    own = cast.members[cast.employer_groups[0].number]
    sibling = cast.members[cast.employer_groups[1].number]
    other = cast.members[cast.other_employer_group.number]
    assert client.get(reverse(name, args=[own.pk])).status_code == 200
    assert client.get(reverse(name, args=[sibling.pk])).status_code == 404
    assert client.get(reverse(name, args=[other.pk])).status_code == 404


def test_enroll_page_is_for_own_groups_only(client, cast):
    client.force_login(cast.groupadmin)
    own, sibling = cast.employer_groups[0], cast.employer_groups[1]
    assert client.get(reverse("employers:enrollment-enroll", args=[own.pk])).status_code == 200
    assert client.get(reverse("employers:enrollment-enroll", args=[sibling.pk])).status_code == 404
    client.force_login(cast.employer2)
    assert client.get(reverse("employers:enrollment-enroll", args=[own.pk])).status_code == 404


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_without_perform_enrollment_change_pages_are_403(client, cast, viewer, name):
    client.force_login(viewer)
    member = cast.members[cast.employer_groups[0].number]
    assert client.get(reverse("employers:enrollment-member", args=[member.pk])).status_code == 200
    assert client.get(reverse(name, args=[member.pk])).status_code == 403
    assert client.post(reverse(name, args=[member.pk]), {}).status_code == 403


def test_without_perform_enrollment_search_works_and_offers_no_enrolling(client, cast, viewer):
    client.force_login(viewer)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert not response.context["enroll_groups"]
    enroll = reverse("employers:enrollment-enroll", args=[cast.employer_groups[0].pk])
    assert client.get(enroll).status_code == 403


def test_enroll_a_family_through_the_form(client, cast, group):
    client.force_login(cast.employer)
    effective = first_of_next_month()
    data = {
        "plan": group.plans.first().pk,
        "hire_date": (timezone.localdate() - datetime.timedelta(days=45)).isoformat(),
        "effective_date": effective.isoformat(),
        "first_name": "Rosa",
        "last_name": "Park",
        "dob": "1979-04-01",
        "gender": "F",
        "ssn": "111-22-3333",
        "spoken_language": "English",
        "street": "5 Pine St",
        "city": "Davis",
        "state": "ca",
        "zip_code": "95616",
        "request_key": "k-enroll-1",
        "dependents-TOTAL_FORMS": "3",
        "dependents-INITIAL_FORMS": "0",
        "dependents-0-relationship": "child",
        "dependents-0-first_name": "Kim",
        "dependents-0-last_name": "Park",
        "dependents-0-dob": "2010-06-06",
        "dependents-0-gender": "U",
        "dependents-1-relationship": "",
        "dependents-1-gender": "U",
        "dependents-2-relationship": "",
        "dependents-2-gender": "U",
    }
    response = client.post(reverse("employers:enrollment-enroll", args=[group.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    subscriber = Member.objects.get(first_name="Rosa", last_name="Park", relationship="subscriber")
    assert subscriber.state == "CA"
    assert [m.first_name for m in services.family_of(subscriber)] == ["Rosa", "Kim"]
    # The same form sent again (a double click) enrolls no one more.
    client.post(reverse("employers:enrollment-enroll", args=[group.pk]), data)
    assert Member.objects.filter(last_name="Park").count() == 2


def test_an_enrollment_the_rules_refuse_changes_nothing_and_says_why(client, cast, group):
    client.force_login(cast.employer)
    data = {
        "plan": group.plans.first().pk,
        "hire_date": timezone.localdate().isoformat(),
        "effective_date": timezone.localdate().replace(day=1).isoformat(),
        "first_name": "Rosa",
        "last_name": "Park",
        "dob": "1979-04-01",
        "gender": "F",
        "spoken_language": "English",
        "street": "5 Pine St",
        "city": "Davis",
        "state": "CA",
        "zip_code": "95616",
        "dependents-TOTAL_FORMS": "0",
        "dependents-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("employers:enrollment-enroll", args=[group.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content and "at the earliest" in content
    assert not Member.objects.filter(last_name="Park").exists()


def test_cancel_a_family_needs_the_review_and_the_typed_name(client, cast, family):
    client.force_login(cast.employer)
    url = reverse("employers:enrollment-cancel", args=[family.pk])
    end = first_of_next_month() + datetime.timedelta(days=30)
    answers = {"end_date": end.isoformat(), "reason": "employment_ended", "request_key": "k-c1"}

    review = client.post(url, {"step": "review", **answers})
    content = review.content.decode()
    assert "3 people lose coverage" in content
    assert "Luis Quintero" in content and "Mia Quintero" in content
    assert not Coverage.objects.filter(member__subscriber=family, end_date__isnull=False).exists()

    wrong = client.post(url, {"step": "confirm", "confirmation": "Smith", **answers})
    assert "Type Quintero exactly" in wrong.content.decode()
    family.refresh_from_db()
    assert family.status == Member.Status.ACTIVE

    done = client.post(url, {"step": "confirm", "confirmation": "quintero", **answers})
    assert done.status_code == 302
    history = client.get(done["Location"]).content.decode()
    assert "Status: Active → Cancelled" in history
    for member in services.family_of(family):
        member.refresh_from_db()
        assert member.status == Member.Status.CANCELLED

    # Reinstating brings the family back as it was.
    client.post(reverse("employers:enrollment-reinstate", args=[family.pk]), {"request_key": "r1"})
    for member in services.family_of(family):
        member.refresh_from_db()
        assert member.status == Member.Status.ACTIVE


def test_cancel_beyond_the_retro_window_is_refused_on_the_first_step(client, cast, family):
    client.force_login(cast.employer)
    url = reverse("employers:enrollment-cancel", args=[family.pk])
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    response = client.post(
        url, {"step": "review", "end_date": long_ago.isoformat(), "reason": "other"}
    )
    assert response.status_code == 200
    assert "can be no earlier than" in response.content.decode()


def test_update_pcp_plan_and_cobra_through_their_forms(client, cast, family, group):
    client.force_login(cast.employer)
    response = client.post(
        reverse("employers:enrollment-member-update", args=[family.pk]),
        {"first_name": "Ana", "last_name": "Quintero", "spoken_language": "Spanish", "city": "Elk"},
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.spoken_language == "Spanish"

    response = client.post(
        reverse("employers:enrollment-pcp-change", args=[family.pk]),
        {
            "pcp_name": "Dr. Ito",
            "pcp_npi": "1234567890",
            "effective_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302

    response = client.post(
        reverse("employers:enrollment-plan-change", args=[family.pk]),
        {
            "plan": group.plans.last().pk,
            "reason": "open_enrollment",
            "effective_date": first_of_next_month().isoformat(),
        },
    )
    assert response.status_code == 200  # not the renewal date: refused, said why
    assert "renewal date" in response.content.decode()

    spouse = services.family_of(family)[1]
    end = first_of_next_month() + datetime.timedelta(days=27)
    response = client.post(
        reverse("employers:enrollment-cobra", args=[family.pk]),
        {
            "qualifying_event": "termination",
            "event_date": end.isoformat(),
            "coverage_end": end.isoformat(),
            "continuing": [family.pk, spouse.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    family.refresh_from_db()
    assert family.status == Member.Status.COBRA
