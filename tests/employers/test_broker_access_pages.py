"""Manage Broker Access: the Summary of Broker Access, a broker's Access Privileges (Edit, Save,
terms, Submit), revoking, the history, and grants ending with the broker of record.

The cast: employer@ is primary client administrator of employer_groups[0..2], whose broker of
record is broker@, granted billing and enrollment on [0] and [1]; groupadmin@ administers [0];
employer2@ and broker2@ are another employer and another broker."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from brokers import access as broker_access
from brokers.services import broker_of_record_start
from employers import services
from employers.models import BrokerAccessChange, BrokerAccessGrant, EmployerAdmin
from enrollment.models import GroupGroupObjectPermission
from portal.accounts.models import Role, User
from portal.activity.models import Activity
from portal.audit.models import AuditEvent
from tests import factories as f
from tests.cast import BILLING_AND_ENROLLMENT, build_cast
from tests.threads import run_at_once

SUMMARY = reverse("employers:broker-access")
HISTORY = reverse("employers:broker-access-history")


def logged_in(client, user):
    client.force_login(user)
    return client


def office_broker(user):
    return broker_access.broker_for(user)


def detail(broker):
    return reverse("employers:broker-access-detail", args=[broker.pk])


def edit(broker):
    return reverse("employers:broker-access-edit", args=[broker.pk])


def revoke(broker):
    return reverse("employers:broker-access-revoke", args=[broker.pk])


def grants_of(broker):
    return {
        grant.group.number: sorted(grant.functions)
        for grant in BrokerAccessGrant.objects.filter(broker=broker).select_related("group")
    }


def office_perms(broker, group):
    return set(
        GroupGroupObjectPermission.objects.filter(
            group_id=broker.office_id, content_object=group
        ).values_list("permission__codename", flat=True)
    )


def choices(cast, **by_index):
    """POST data giving employer_groups[i] the functions by_index["g<i>"]."""
    data = {}
    for index, functions in by_index.items():
        group = cast.employer_groups[int(index.removeprefix("g"))]
        data[f"group_{group.pk}"] = functions
    return data


def current_choices(cast):
    """What broker@ holds in the cast, as POST data: billing and enrollment on [0] and [1]."""
    return choices(cast, g0=BILLING_AND_ENROLLMENT, g1=BILLING_AND_ENROLLMENT)


# Summary of Broker Access.


def test_summary_lists_the_broker_of_record_with_groups_and_functions(cast, client):
    body = logged_in(client, cast.employer).get(SUMMARY).content.decode()
    broker = office_broker(cast.broker)
    assert f"{broker.first_name} {broker.last_name}" in body
    for group in cast.employer_groups:
        assert group.number in body
    for words in ("View invoice", "View payment history", "View balance details"):
        assert words in body
    assert "Perform enrollment" in body and "Receive enrollment notifications" in body
    assert "Pay bill" not in body
    assert detail(broker) in body
    # Another employer's broker is not of record here.
    assert detail(office_broker(cast.broker2)) not in body


def test_summary_says_when_a_broker_has_no_group_access(cast, client):
    broker = office_broker(cast.broker)
    services.broker_access_revoke(
        broker=broker, employer=cast.employer_groups[0].parent.employer, by=cast.employer
    )
    body = logged_in(client, cast.employer).get(SUMMARY).content.decode()
    assert "No group access assigned." in body


def test_summary_empty_for_an_employer_without_brokers(cast, client):
    group = f.GroupFactory()
    admin_user = f.UserFactory(role=Role.EMPLOYER_ADMIN)
    EmployerAdmin.objects.create(
        user=admin_user, employer=group.parent.employer, level=EmployerAdmin.Level.PRIMARY
    )
    body = logged_in(client, admin_user).get(SUMMARY).content.decode()
    assert "No broker or general agent is of record for your groups." in body


def test_another_employer_sees_none_of_our_brokers(cast, client):
    body = logged_in(client, cast.employer2).get(SUMMARY).content.decode()
    assert detail(office_broker(cast.broker)) not in body
    assert detail(office_broker(cast.broker2)) in body


def test_group_admin_sees_the_summary_of_their_suffix_only_without_manage_links(cast, client):
    body = logged_in(client, cast.groupadmin).get(SUMMARY).content.decode()
    broker = office_broker(cast.broker)
    assert cast.employer_groups[0].number in body
    for group in cast.employer_groups[1:]:
        assert group.number not in body
    assert detail(broker) not in body
    assert HISTORY not in body
    assert "Only your client administrators grant or change broker access." in body


@pytest.mark.parametrize("name", ["detail", "edit", "history"])
def test_group_admin_may_not_manage_broker_access(cast, client, name):
    broker = office_broker(cast.broker)
    url = {"detail": detail(broker), "edit": edit(broker), "history": HISTORY}[name]
    assert logged_in(client, cast.groupadmin).get(url).status_code == 403


def test_group_admin_cannot_revoke_or_submit(cast, client):
    broker = office_broker(cast.broker)
    before = grants_of(broker)
    client = logged_in(client, cast.groupadmin)
    assert client.post(revoke(broker)).status_code == 403
    data = {"step": "submit", "terms": "on", **choices(cast, g0=["view_invoice", "pay_bill"])}
    assert client.post(edit(broker), data).status_code == 403
    assert grants_of(broker) == before
    assert not BrokerAccessChange.objects.exists()


@pytest.mark.parametrize("role", ["broker", "staff", "provider", "ops"])
def test_other_audiences_get_404(cast, client, role):
    assert logged_in(client, getattr(cast, role)).get(SUMMARY).status_code == 404


@pytest.mark.parametrize("extra", [0, 6])
def test_summary_query_count_does_not_grow(cast, client, django_assert_num_queries, extra):
    employer = cast.employer_groups[0].parent.employer
    # More brokers of record, each on a suffix of their own, every other one granted.
    for n in range(extra):
        group = f.GroupFactory(parent=cast.employer_groups[0].parent, suffix=f"{100 + n:04d}")
        other = f.BrokerFactory()
        broker_of_record_start(group=group, broker=other, start_date=group.suffix_effective_date)
        if n % 2:
            services.broker_access_set(
                broker=other,
                employer=employer,
                functions_by_group={group: ["view_invoice"]},
                terms_accepted=True,
                by=cast.employer,
            )
    client = logged_in(client, cast.employer)
    # Session, user, administrator, brokers of record, grants, the session save (3).
    with django_assert_num_queries(8):
        body = client.get(SUMMARY).content.decode()
    assert body.count("Manage access &amp; preferences") == 1 + extra


# Access Privileges: who may open a broker's page.


def test_own_broker_of_record_page(cast, client):
    broker = office_broker(cast.broker)
    response = logged_in(client, cast.employer).get(detail(broker))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Billing Functions" in body and "Enrollment Functions" in body
    assert edit(broker) in body and revoke(broker) in body


def test_broker_not_of_record_for_this_employer_gets_404(cast, client):
    client = logged_in(client, cast.employer)
    colleague = f.BrokerFactory(agency=office_broker(cast.broker).agency)
    for broker in (office_broker(cast.broker2), colleague):
        assert client.get(detail(broker)).status_code == 404
        assert client.get(edit(broker)).status_code == 404
        assert client.post(revoke(broker)).status_code == 404
    assert client.get(reverse("employers:broker-access-detail", args=[999999])).status_code == 404


def test_another_employers_admin_gets_404_for_our_broker(cast, client):
    broker = office_broker(cast.broker)
    client = logged_in(client, cast.employer2)
    assert client.get(detail(broker)).status_code == 404
    assert client.get(edit(broker)).status_code == 404
    assert client.post(revoke(broker)).status_code == 404
    assert client.post(edit(broker), {"step": "submit", "terms": "on"}).status_code == 404
    assert grants_of(broker)


# Edit, Save, accept the terms, Submit.


def test_edit_shows_the_boxes_ticked_as_granted(cast, client):
    broker = office_broker(cast.broker)
    body = logged_in(client, cast.employer).get(edit(broker)).content.decode()
    group = cast.employer_groups[0]
    assert (
        f'name="group_{group.pk}" value="view_invoice" id="id_group_{group.pk}_view_invoice" checked'
        in body
    )
    assert f'name="group_{group.pk}" value="pay_bill" id="id_group_{group.pk}_pay_bill">' in body


def test_save_shows_a_review_and_changes_nothing(cast, client):
    broker = office_broker(cast.broker)
    before = grants_of(broker)
    data = {"step": "save", **choices(cast, g0=["view_invoice", "pay_bill"], g2=["run_reports"])}
    response = logged_in(client, cast.employer).post(edit(broker), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Review Access Privileges" in body
    assert "Nothing has changed yet." in body
    assert "I accept the" in body
    assert grants_of(broker) == before
    assert not BrokerAccessChange.objects.exists()


def test_submit_without_the_terms_is_refused_and_changes_nothing(cast, client):
    broker = office_broker(cast.broker)
    before = grants_of(broker)
    data = {"step": "submit", **choices(cast, g0=["view_invoice"])}
    response = logged_in(client, cast.employer).post(edit(broker), data)
    assert response.status_code == 200
    assert "I accept the terms and conditions" in response.content.decode()
    assert services.TERMS_REQUIRED in response.content.decode()
    assert grants_of(broker) == before
    assert not BrokerAccessChange.objects.exists()


def test_submit_with_the_terms_changes_access_tells_the_broker_and_keeps_history(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    broker = office_broker(cast.broker)
    groups = cast.employer_groups
    data = {
        "step": "submit",
        "terms": "on",
        **choices(cast, g0=["view_invoice", "pay_bill"], g2=["run_reports"]),
    }
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, cast.employer).post(edit(broker), data)
    # then
    assert response.status_code == 302 and response.url == detail(broker)
    assert grants_of(broker) == {
        groups[0].number: ["pay_bill", "view_invoice"],
        groups[2].number: ["run_reports"],
    }
    assert office_perms(broker, groups[0]) == {
        "view_group",
        "view_roster",
        "view_invoice",
        "pay_bill",
    }
    # Group [1] lost everything the employer granted, and keeps the broker-of-record view.
    assert office_perms(broker, groups[1]) == {"view_group", "view_roster"}
    change = BrokerAccessChange.objects.get()
    assert change.kind == BrokerAccessChange.Kind.CHANGED
    assert change.by == cast.employer and change.terms_accepted_at is not None
    assert change.before == {
        groups[0].number: sorted(BILLING_AND_ENROLLMENT),
        groups[1].number: sorted(BILLING_AND_ENROLLMENT),
    }
    assert change.after == {
        groups[0].number: ["pay_bill", "view_invoice"],
        groups[2].number: ["run_reports"],
    }
    assert AuditEvent.objects.filter(
        user=cast.employer, object_type="employers.BrokerAccessChange", object_id=str(change.pk)
    ).exists()
    # The broker hears of it by email (text and HTML) and in Recent Activity, as do their staff.
    (email,) = mailoutbox
    assert email.to == [cast.broker.email]
    assert "changed your billing and enrollment access" in email.subject
    assert "Pay bill" in email.body and groups[2].number in email.body
    html = email.alternatives[0][0]
    assert "Run reports" in html and reverse("brokers:delegated-group-list") in html
    for user in (cast.broker, cast.staff):
        activity = Activity.objects.get(recipient=user)
        assert "changed your billing and enrollment access" in activity.summary
    assert Activity.objects.filter(recipient=cast.employer, link=detail(broker)).exists()


def test_a_second_submit_changes_nothing_more(cast, client):
    broker = office_broker(cast.broker)
    data = {"step": "submit", "terms": "on", **choices(cast, g0=["view_invoice"])}
    client = logged_in(client, cast.employer)
    assert client.post(edit(broker), data).status_code == 302
    response = client.post(edit(broker), data)
    assert "You have not changed anything." in response.content.decode()
    assert BrokerAccessChange.objects.count() == 1


def test_pay_bill_without_view_invoice_is_refused(cast, client):
    broker = office_broker(cast.broker)
    before = grants_of(broker)
    data = {"step": "submit", "terms": "on", **choices(cast, g0=["pay_bill"])}
    response = logged_in(client, cast.employer).post(edit(broker), data)
    assert response.status_code == 200
    assert "Pay bill needs View invoice too." in response.content.decode()
    assert grants_of(broker) == before


def test_an_unknown_function_is_refused(cast, client):
    broker = office_broker(cast.broker)
    before = grants_of(broker)
    data = {"step": "submit", "terms": "on", **choices(cast, g0=["view_group", "delete_group"])}
    response = logged_in(client, cast.employer).post(edit(broker), data)
    assert response.status_code == 200
    assert "Nothing has been changed." in response.content.decode()
    assert grants_of(broker) == before


def test_a_group_the_broker_does_not_write_is_ignored(cast, client):
    broker = office_broker(cast.broker)
    data = {
        "step": "submit",
        "terms": "on",
        **current_choices(cast),
        f"group_{cast.other_employer_group.pk}": ["view_invoice"],
        f"group_{cast.group_outside_any_book.pk}": ["view_invoice"],
    }
    response = logged_in(client, cast.employer).post(edit(broker), data)
    assert "You have not changed anything." in response.content.decode()
    assert not BrokerAccessGrant.objects.filter(
        group__in=[cast.other_employer_group, cast.group_outside_any_book]
    ).exists()


def test_back_to_edit_keeps_the_choices(cast, client):
    broker = office_broker(cast.broker)
    group = cast.employer_groups[2]
    data = {"step": "edit", **choices(cast, g2=["run_reports"])}
    body = logged_in(client, cast.employer).post(edit(broker), data).content.decode()
    assert f'value="run_reports" id="id_group_{group.pk}_run_reports" checked' in body
    assert not BrokerAccessChange.objects.exists()


# Revoke.


def test_revoke_takes_everything_the_employer_granted(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    # given: the broker works a bill of the group, by the employer's grant
    broker = office_broker(cast.broker)
    group = cast.employer_groups[0]
    bill = reverse("brokers:invoice-detail", args=[f.InvoiceFactory(group=group).pk])
    broker_client = logged_in(Client(), cast.broker)
    assert broker_client.get(bill).status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, cast.employer).post(revoke(broker))
    # then
    assert response.status_code == 302
    assert grants_of(broker) == {}
    for group in cast.employer_groups:
        assert office_perms(broker, group) == {"view_group", "view_roster"}
    change = BrokerAccessChange.objects.get()
    assert change.kind == BrokerAccessChange.Kind.REVOKED and change.terms_accepted_at is None
    (email,) = mailoutbox
    assert "revoked your billing and enrollment access" in email.subject
    # The broker's next request for the bill answers 404, as for one that does not exist.
    assert broker_client.get(bill).status_code == 404


def test_revoking_twice_says_there_was_nothing(cast, client):
    broker = office_broker(cast.broker)
    client = logged_in(client, cast.employer)
    client.post(revoke(broker))
    response = client.post(revoke(broker), follow=True)
    assert "had no access to revoke" in response.content.decode()
    assert BrokerAccessChange.objects.count() == 1


def test_revoke_needs_post(cast, client):
    assert (
        logged_in(client, cast.employer).get(revoke(office_broker(cast.broker))).status_code == 405
    )


# The broker of record changes: the old broker's grants end with it.


def test_a_new_broker_of_record_ends_the_old_brokers_grant(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    broker, newcomer = office_broker(cast.broker), office_broker(cast.broker2)
    group = cast.employer_groups[0]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        broker_of_record_start(group=group, broker=newcomer, start_date=group.suffix_effective_date)
    # then
    assert group.number not in grants_of(broker)
    assert office_perms(broker, group) == set()
    change = BrokerAccessChange.objects.get()
    assert change.kind == BrokerAccessChange.Kind.ENDED and change.by is None
    assert group.number in change.before and group.number not in change.after
    assert [m.to for m in mailoutbox] == [[cast.broker.email]]
    # The screens: the summary shows the new broker on that suffix, with no access yet.
    body = logged_in(client, cast.employer).get(SUMMARY).content.decode()
    assert newcomer.last_name in body
    page = client.get(detail(broker)).content.decode()
    assert group.number not in page.split("Latest changes")[0]
    assert "Ended with the broker of record" in page
    history = client.get(HISTORY).content.decode()
    assert "Change of broker of record" in history


def test_a_broker_no_longer_of_record_anywhere_gets_404(cast, client):
    broker, newcomer = office_broker(cast.broker), office_broker(cast.broker2)
    for group in cast.employer_groups:
        broker_of_record_start(group=group, broker=newcomer, start_date=group.suffix_effective_date)
    client = logged_in(client, cast.employer)
    assert client.get(detail(broker)).status_code == 404
    assert client.get(detail(newcomer)).status_code == 200
    assert BrokerAccessGrant.objects.filter(broker=broker).count() == 0


# History.


def _changes(cast, count):
    """`count` changes to broker@'s access, alternating two choices."""
    broker = office_broker(cast.broker)
    employer = cast.employer_groups[0].parent.employer
    for n in range(count):
        functions = ["view_invoice"] if n % 2 else ["view_balance"]
        services.broker_access_set(
            broker=broker,
            employer=employer,
            functions_by_group={cast.employer_groups[0]: functions},
            terms_accepted=True,
            by=cast.employer,
        )


def test_history_lists_who_what_when_and_terms(cast, client):
    _changes(cast, 2)
    body = logged_in(client, cast.employer).get(HISTORY).content.decode()
    assert "2 changes found, displaying all." in body
    assert cast.employer.display_name in body
    assert "View balance details → View invoice" in body or "View invoice" in body
    assert "Yes, " in body


def test_history_filters_by_broker_and_pages(cast, client):
    _changes(cast, 27)
    client = logged_in(client, cast.employer)
    broker = office_broker(cast.broker)
    body = client.get(HISTORY, {"broker": broker.pk}).content.decode()
    assert "27 changes found, displaying 1 to 25." in body
    assert "Page 1/2" in body
    body = client.get(HISTORY, {"broker": broker.pk, "page": 2, "sort": "at"}).content.decode()
    assert "displaying 26 to 27" in body
    # An unknown broker is ignored: the whole history shows.
    assert "27 changes found" in client.get(HISTORY, {"broker": "nope"}).content.decode()


def test_history_htmx_swaps_only_the_results(cast, client):
    _changes(cast, 2)
    response = logged_in(client, cast.employer).get(
        HISTORY, {"sort": "kind"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="change-results"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="change-results">')
    assert "<h1>" not in body and "2 changes found" in body


def test_history_of_another_employer_is_not_shown(cast, client):
    _changes(cast, 1)
    body = logged_in(client, cast.employer2).get(HISTORY).content.decode()
    assert "No broker access has been granted, changed or revoked in the portal yet." in body


@pytest.mark.parametrize("changes", [1, 30])
def test_history_query_count_does_not_grow(cast, client, django_assert_num_queries, changes):
    _changes(cast, changes)
    client = logged_in(client, cast.employer)
    # Session, user, administrator, the filter's brokers, the count, the page, the session
    # save (3).
    with django_assert_num_queries(9):
        assert client.get(HISTORY).status_code == 200


def test_history_rows_cannot_be_changed_or_deleted(cast):
    _changes(cast, 1)
    change = BrokerAccessChange.objects.get()
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        BrokerAccessChange.objects.all().delete()


# The service checks again what the views check.


def test_service_refuses_a_group_administrator(cast):
    broker = office_broker(cast.broker)
    with pytest.raises(services.ValidationError):
        services.broker_access_revoke(
            broker=broker, employer=cast.employer_groups[0].parent.employer, by=cast.groupadmin
        )
    assert grants_of(broker)


def test_service_refuses_another_employers_group(cast):
    broker = office_broker(cast.broker)
    with pytest.raises(services.ValidationError):
        services.broker_access_set(
            broker=broker,
            employer=cast.employer_groups[0].parent.employer,
            functions_by_group={cast.other_employer_group: ["view_invoice"]},
            terms_accepted=True,
            by=cast.employer,
        )
    assert not BrokerAccessChange.objects.exists()


def test_service_needs_the_terms(cast):
    with pytest.raises(services.ValidationError):
        services.broker_access_set(
            broker=office_broker(cast.broker),
            employer=cast.employer_groups[0].parent.employer,
            functions_by_group={},
            terms_accepted=False,
            by=cast.employer,
        )


def test_a_broker_without_a_login_is_emailed_at_their_contracted_address(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    group = f.GroupFactory(parent=cast.employer_groups[0].parent, suffix="0200")
    unregistered = f.BrokerFactory(user=None)
    broker_of_record_start(group=group, broker=unregistered, start_date=group.suffix_effective_date)
    with django_capture_on_commit_callbacks(execute=True):
        services.broker_access_set(
            broker=unregistered,
            employer=group.parent.employer,
            functions_by_group={group: ["view_invoice"]},
            terms_accepted=True,
            by=cast.employer,
        )
    assert [m.to for m in mailoutbox] == [[unregistered.email]]
    assert not Activity.objects.filter(recipient__in=User.objects.filter(role=Role.BROKER)).exists()


# Two administrators' changes at the same moment (PostgreSQL: SQLite has one writer at a time).


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite runs one writer at a time, so two changes can't race "
    "(CI runs this on PostgreSQL; locally set DATABASE_URL=postgres://...)",
)
def test_two_changes_at_once_are_kept_one_after_the_other(transactional_db, monkeypatch):
    # given: two submits that both get past reading the broker's groups before either writes
    cast = build_cast()
    broker = office_broker(cast.broker)
    employer = cast.employer_groups[0].parent.employer
    real = services._broker_groups_of_record

    def slowly(**kwargs):
        groups = real(**kwargs)
        time.sleep(0.3)
        return groups

    monkeypatch.setattr(services, "_broker_groups_of_record", slowly)
    choices_of = [
        {cast.employer_groups[0]: ["view_invoice"]},
        {cast.employer_groups[2]: ["run_reports"]},
    ]

    def submit(functions_by_group):
        return lambda: services.broker_access_set(
            broker=broker,
            employer=employer,
            functions_by_group=functions_by_group,
            terms_accepted=True,
            by=User.objects.get(pk=cast.employer.pk),
        )

    # when
    run_at_once([submit(choices) for choices in choices_of])
    # then: the second saw what the first wrote, and the grants are what the last one said
    first, second = BrokerAccessChange.objects.order_by("pk")
    assert second.before == first.after
    assert grants_of(broker) == second.after
