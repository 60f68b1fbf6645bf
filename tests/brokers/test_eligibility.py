"""Eligibility, Status & Activity: eligibility lookup and IFP application status (the delegated
groups tab is tests/brokers/test_delegated_groups.py)."""

import datetime

import pytest
from django.urls import reverse

from brokers import access, selectors
from brokers.access import BROKER_CODE_SESSION_KEY, Tool
from brokers.services import office_staff_add
from enrollment.models import IFPApplication, Member
from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from tests import factories as f

LOOKUP = reverse("brokers:eligibility")
QUICK = reverse("brokers:quick-eligibility")
APPLICATIONS = reverse("brokers:application-list")
DELEGATED = reverse("brokers:delegated-group-list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "quick-check-form"}


def logged_in(client, user):
    client.force_login(user)
    return client


def member_of(cast, index=0):
    return cast.members[cast.employer_groups[index].number]


def answer(response):
    """The lookup page's answer, without the form (which echoes what was typed)."""
    return response.content.decode().split('class="eligibility-answer"', 1)[1]


def searches(user):
    return AuditEvent.objects.filter(user=user, action=AuditEvent.Action.SEARCH)


# Eligibility lookup.


def test_lookup_by_member_id_shows_status_plan_dates_and_group(cast, client):
    member = member_of(cast)
    f.CoverageFactory(
        member=member, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31)
    )
    f.CoverageFactory(member=member, start_date=datetime.date(2026, 1, 1))
    response = logged_in(client, cast.broker).post(LOOKUP, {"member": member.member_id})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 member found" in body
    assert member.last_name in body and member.group.name in body
    assert "Active" in body and member.plan.name in body
    # The latest coverage's dates: effective 01/01/2026, no term date.
    assert "01/01/2026" in body and "12/31/2025" not in body


def test_lookup_by_last_name_prefix_and_dob(cast, client):
    member = member_of(cast)
    response = logged_in(client, cast.broker).post(
        LOOKUP, {"member": member.last_name[:2].lower(), "dob": member.dob.strftime("%m/%d/%Y")}
    )
    assert member.member_id in response.content.decode()


def test_dependents_are_found_too(cast, client):
    dependent = member_of(cast).dependents.get()
    response = logged_in(client, cast.broker).post(
        LOOKUP, {"member": dependent.last_name, "dob": dependent.dob.isoformat()}
    )
    assert dependent.member_id in response.content.decode()


@pytest.mark.parametrize("whose", ["other_employer_group", "group_outside_any_book"])
def test_a_member_outside_the_book_is_no_match(cast, client, whose):
    outsider = cast.members[getattr(cast, whose).number]
    # Made-up names may collide (a book member named Parker matches "Park" as a prefix).
    outsider.first_name, outsider.last_name = "Ottoline", "Outsiderwick"
    outsider.save(update_fields=["first_name", "last_name"])
    client = logged_in(client, cast.broker)
    for data in (
        {"member": outsider.member_id},
        {"member": outsider.last_name, "dob": outsider.dob.strftime("%m/%d/%Y")},
    ):
        body = answer(client.post(LOOKUP, data))
        assert "No match" in body
        assert outsider.member_id not in body and outsider.first_name not in body


def test_an_upline_without_rosters_sees_no_member(cast, client):
    member = member_of(cast)
    # upline@ may see broker@'s groups (view_group), not their rosters.
    assert selectors.groups_for(cast.upline).filter(pk=member.group_id).exists()
    body = logged_in(client, cast.upline).post(LOOKUP, {"member": member.member_id})
    assert "No match" in body.content.decode()


def test_staff_with_the_tool_search_the_office_book(cast, client):
    member = member_of(cast)
    body = logged_in(client, cast.staff).post(LOOKUP, {"member": member.member_id})
    assert member.member_id in body.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter a member ID or a last name."),
        ({"member": "Smith"}, "Enter the date of birth to search by last name."),
        ({"member": "Smith", "dob": "13/45/1980"}, "Enter the date of birth as mm/dd/yyyy"),
        ({"member": "Smith", "dob": "yesterday"}, "Enter the date of birth as mm/dd/yyyy"),
        ({"member": "<script>"}, "Enter a member ID, or a last name in letters."),
        ({"member": "1"}, "A member ID is 3 to 12 letters and digits."),
    ],
)
def test_bad_input_says_what_to_fix_and_searches_nothing(cast, client, data, message):
    response = logged_in(client, cast.broker).post(LOOKUP, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'aria-invalid="true"' in body
    assert not searches(cast.broker).exists()


def test_a_search_is_audited_with_the_members_found(cast, client):
    member = member_of(cast)
    logged_in(client, cast.broker).post(LOOKUP, {"member": member.member_id})
    rows = list(searches(cast.broker).values_list("object_type", "object_id", "path"))
    assert rows == [("enrollment.Member", str(member.pk), LOOKUP)]
    # No PHI in the row: not the member ID typed, nor a name.
    assert member.member_id not in str(rows)


def test_a_search_without_match_is_audited_too(cast, client):
    logged_in(client, cast.broker).post(LOOKUP, {"member": "Nobody", "dob": "01/01/1901"})
    assert list(searches(cast.broker).values_list("object_type", "object_id")) == [
        ("enrollment.Member", "")
    ]


def test_lookup_by_name_uses_the_dob_last_name_index_expression(cast):
    sql, params = selectors.eligibility_candidates_sql(
        cast.broker, last_name="Smi", dob=datetime.date(1980, 5, 17)
    )
    # The index is on (dob, lower(last_name)): the query must say LOWER(...) LIKE, not UPPER().
    assert "m.dob = %(dob)s AND LOWER(m.last_name) LIKE %(prefix)s" in sql
    assert "UPPER(" not in sql.upper()
    assert params["prefix"] == "smi%"


@pytest.mark.parametrize("matches", [2, 12])
def test_a_name_search_takes_the_same_queries_however_many_match(
    cast, client, django_assert_num_queries, matches
):
    f.MemberFactory.create_batch(
        matches, group=cast.employer_groups[0], last_name="Quay", dob=datetime.date(1990, 1, 2)
    )
    logged_in(client, cast.broker)
    # Session and user (2), the broker and their Broker IDs (1), the members with their
    # group, plan, latest coverage and whether the book holds them (1), the audit rows (1),
    # the session's activity stamp (3, with its savepoint).
    with django_assert_num_queries(8):
        response = client.post(LOOKUP, {"member": "Qua", "dob": "01/02/1990"})
    assert f"{matches} members found" in answer(response)


def test_too_many_matches_are_capped(cast, client):
    group = cast.employer_groups[0]
    f.MemberFactory.create_batch(
        selectors.ELIGIBILITY_MATCH_LIMIT + 2,
        group=group,
        last_name="Quill",
        dob=datetime.date(1990, 1, 2),
    )
    body = logged_in(client, cast.broker).post(LOOKUP, {"member": "Quill", "dob": "01/02/1990"})
    text = body.content.decode()
    assert f"More than {selectors.ELIGIBILITY_MATCH_LIMIT} members match" in text
    assert searches(cast.broker).count() == selectors.ELIGIBILITY_MATCH_LIMIT


def test_lookup_query_count_does_not_grow_with_matches(cast, client, django_assert_max_num_queries):
    group = cast.employer_groups[0]
    for member in f.MemberFactory.create_batch(8, group=group, last_name="Quill"):
        f.CoverageFactory(member=member)
    client = logged_in(client, cast.broker)
    # Session, user, broker with its Broker IDs, the members (with their latest coverage and
    # whether the office may see their group's roster), the audit insert, the session save (3).
    with django_assert_max_num_queries(8):
        client.post(LOOKUP, {"member": "Quill", "dob": "05/17/1980"})


def test_the_lookup_page_is_empty_before_a_search(cast, client):
    response = logged_in(client, cast.broker).get(LOOKUP)
    assert response.status_code == 200
    assert "No match" not in response.content.decode()
    assert not searches(cast.broker).exists()


# Quick Eligibility Check (the dashboard's).


def test_quick_check_answers_in_place_with_htmx(cast, client):
    member = member_of(cast)
    response = logged_in(client, cast.broker).post(QUICK, {"member": member.member_id}, **HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="quick-check-form"' in body and 'hx-swap-oob="innerHTML"' in body
    assert member.member_id in body
    assert searches(cast.broker).filter(object_id=str(member.pk)).exists()


def test_quick_check_errors_stay_on_its_fields(cast, client):
    response = logged_in(client, cast.broker).post(QUICK, {"member": "Smith"}, **HTMX)
    body = response.content.decode()
    assert "Enter the date of birth to search by last name." in body
    assert 'id="quick_dob"' in body and 'aria-invalid="true"' in body


def test_quick_check_without_script_answers_with_the_lookup_page(cast, client):
    member = member_of(cast)
    response = logged_in(client, cast.broker).post(QUICK, {"member": member.member_id})
    body = response.content.decode()
    assert "<html" in body and "Eligibility Lookup" in body and member.member_id in body


def test_quick_check_is_post_only(cast, client):
    assert logged_in(client, cast.broker).get(QUICK).status_code == 405


# Tools and audiences.


@pytest.mark.parametrize("url", [LOOKUP, APPLICATIONS, DELEGATED])
def test_staff_without_the_eligibility_tool_get_403(cast, client, url):
    broker = access.broker_for(cast.broker)
    staff = office_staff_add(
        broker=broker, user=f.UserFactory(role=Role.BROKER_STAFF), tools=[Tool.BOOK_OF_BUSINESS]
    )
    assert logged_in(client, staff).get(url).status_code == 403
    assert client.post(QUICK, {"member": member_of(cast).member_id}).status_code == 403


@pytest.mark.parametrize("url", [LOOKUP, APPLICATIONS, DELEGATED])
def test_other_audiences_get_404(cast, client, url):
    assert logged_in(client, cast.employer).get(url).status_code == 404


# IFP application status.


def applications_for(cast, code, **fields):
    return f.IFPApplicationFactory(broker_code=code, **fields)


@pytest.fixture
def broker_codes(cast):
    broker = access.broker_for(cast.broker)
    primary = broker.codes.get()
    individual = f.BrokerCodeFactory(broker=broker, is_primary=False, label="Individual")
    return primary, individual


def test_applications_of_the_acting_broker_code_only(cast, client, broker_codes):
    primary, individual = broker_codes
    mine = applications_for(cast, primary.code, last_name="Primaryson")
    other_code = applications_for(cast, individual.code, last_name="Individualson")
    other_broker = applications_for(cast, "ZZ999999", last_name="Strangerson")
    client = logged_in(client, cast.broker)
    body = client.get(APPLICATIONS).content.decode()
    assert mine.last_name in body
    assert other_code.last_name not in body and other_broker.last_name not in body
    assert primary.code in body

    session = client.session
    session[BROKER_CODE_SESSION_KEY] = individual.pk
    session.save()
    body = client.get(APPLICATIONS).content.decode()
    assert other_code.last_name in body and mine.last_name not in body
    assert individual.code in body


def test_staff_see_their_brokers_applications(cast, client, broker_codes):
    application = applications_for(cast, broker_codes[0].code)
    body = logged_in(client, cast.staff).get(APPLICATIONS).content.decode()
    assert application.application_number in body


def test_another_brokers_applications_are_never_shown(cast, client, broker_codes):
    application = applications_for(cast, broker_codes[0].code)
    body = logged_in(client, cast.broker2).get(APPLICATIONS).content.decode()
    assert application.application_number not in body
    # Nor by asking for the code outright.
    assert not selectors.ifp_applications_for(cast.broker2, broker_code=broker_codes[0].code)


def test_applications_filter_by_status_and_received_dates(cast, client, broker_codes):
    code = broker_codes[0].code
    pending = applications_for(
        cast,
        code,
        status=IFPApplication.Status.PENDING_INFORMATION,
        received_on=datetime.date(2026, 9, 1),
        status_changed_on=datetime.date(2026, 9, 5),
        missing_information="Proof of California residency",
    )
    approved = applications_for(
        cast, code, status=IFPApplication.Status.APPROVED, received_on=datetime.date(2026, 10, 1)
    )
    early = applications_for(
        cast,
        code,
        status=IFPApplication.Status.PENDING_INFORMATION,
        received_on=datetime.date(2026, 6, 1),
    )
    client = logged_in(client, cast.broker)
    body = client.get(
        APPLICATIONS,
        {"status": "pending_info", "received_from": "2026-08-01", "received_to": "2026-10-31"},
    ).content.decode()
    assert pending.application_number in body
    assert "Proof of California residency" in body and "Pending information" in body
    assert approved.application_number not in body and early.application_number not in body


def test_applications_sort_and_page(cast, client, broker_codes):
    code = broker_codes[0].code
    for day in range(1, 28):
        applications_for(cast, code, received_on=datetime.date(2026, 10, day))
    client = logged_in(client, cast.broker)
    body = client.get(APPLICATIONS, {"sort": "received"}).content.decode()
    assert "Page 1/2" in body and 'aria-sort="ascending"' in body
    assert body.index("10/01/2026") < body.index("10/02/2026")
    second = client.get(APPLICATIONS, {"sort": "received", "page": 2}).content.decode()
    assert "10/27/2026" in second and "10/01/2026" not in second


def test_applications_empty_states(cast, client, broker_codes):
    client = logged_in(client, cast.broker)
    assert (
        "No individual &amp; family plan applications" in client.get(APPLICATIONS).content.decode()
    )
    body = client.get(APPLICATIONS, {"status": "denied"}).content.decode()
    assert "No applications match your filter." in body


def test_a_reversed_date_range_is_an_error(cast, client, broker_codes):
    body = logged_in(client, cast.broker).get(
        APPLICATIONS, {"received_from": "2026-10-01", "received_to": "2026-09-01"}
    )
    assert "The end date is before the start date." in body.content.decode()


def test_viewing_applications_is_audited(cast, client, broker_codes):
    application = applications_for(cast, broker_codes[0].code)
    logged_in(client, cast.broker).get(APPLICATIONS)
    assert AuditEvent.objects.filter(
        user=cast.broker,
        action=AuditEvent.Action.VIEW,
        object_type="enrollment.IFPApplication",
        object_id=str(application.pk),
    ).exists()


def test_applications_htmx_swaps_only_the_results(cast, client, broker_codes):
    applications_for(cast, broker_codes[0].code)
    body = (
        logged_in(client, cast.broker)
        .get(APPLICATIONS, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="application-results")
        .content.decode()
    )
    assert body.lstrip().startswith('<div id="application-results">')


def test_application_list_query_count_does_not_grow(
    cast, client, broker_codes, django_assert_max_num_queries
):
    code = broker_codes[0].code
    for _ in range(20):
        applications_for(cast, code, plan=f.PlanFactory(market="ifp"))
    client = logged_in(client, cast.broker)
    # Session, user, broker with its Broker IDs (which the layout, view and selector share),
    # the count, the page, the audit insert, the session save (3).
    with django_assert_max_num_queries(9):
        client.get(APPLICATIONS)


def test_member_model_label_is_what_the_audit_says():
    assert Member._meta.label == "enrollment.Member"


def test_demo_applications_follow_their_status(db):
    from enrollment.demo_ifp import FEATURED_APPLICATIONS, ifp_applications
    from portal.demo.world import World

    world = World(seed=1, scale=1, as_of=datetime.date(2026, 11, 1), log=lambda _: None)
    plans = [f.PlanFactory(market="ifp")]
    rows = ifp_applications(
        world, plans_by={("CA", "ifp"): plans}, broker_codes=["BK1", "BK2"], featured_codes=["BK1"]
    )
    assert IFPApplication.objects.filter(broker_code="BK1").count() == FEATURED_APPLICATIONS
    for application in rows:
        assert application.received_on <= application.status_changed_on <= world.as_of
        pending = application.status == IFPApplication.Status.PENDING_INFORMATION
        assert bool(application.missing_information) == pending
        effectuated = application.status == IFPApplication.Status.EFFECTUATED
        assert (application.effectuated_on is not None) == effectuated


def test_matches_in_many_groups_are_checked_against_the_book(cast):
    dob = datetime.date(1991, 7, 8)
    broker = access.broker_for(cast.broker)
    from brokers.services import broker_of_record_start

    mine = []
    for _ in range(4):
        group = f.GroupFactory()
        broker_of_record_start(group=group, broker=broker, start_date=group.suffix_effective_date)
        mine.append(f.MemberFactory(group=group, last_name="Vance", dob=dob))
    outsider = f.MemberFactory(group=cast.other_employer_group, last_name="Vance", dob=dob)
    found = selectors.eligibility_members_for(cast.broker, last_name="van", dob=dob)
    assert {m.pk for m in found} == {m.pk for m in mine}
    assert outsider.pk not in {m.pk for m in found}
