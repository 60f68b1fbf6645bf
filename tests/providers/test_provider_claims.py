"""Transactions: Claim Status by Tax ID and subscriber ID, and a claim's detail with its lines."""

import datetime
from decimal import Decimal

from django.urls import reverse

from portal.audit.models import AuditEvent
from providers.models import Claim, ClaimLine
from tests import factories as f

LIST = reverse("providers:claim-list")


def detail(claim):
    return reverse("providers:claim-detail", args=[claim.pk])


def claims_page(client, user, **params):
    client.force_login(user)
    return client.get(LIST, params)


def pks(response):
    return [claim.pk for claim in response.context["claims"]]


def test_claims_of_a_tax_id_newest_first_with_amounts_status_and_denial(cast, client, clerk):
    member = cast.members[cast.employer_groups[0].number]
    older = f.ClaimFactory(member=member, tax_id=cast.tax_ids[0], received_on="2026-08-01")
    denied = f.ClaimFactory(
        member=member,
        tax_id=cast.tax_ids[0],
        received_on="2026-09-01",
        status=Claim.Status.DENIED,
        allowed_amount=0,
        paid_amount=0,
        paid_on=None,
        denial_reason="Prior authorization required and not on file",
    )
    f.ClaimFactory(member=member, tax_id=cast.tax_ids[1])  # the sibling Tax ID's
    response = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk)
    assert response.status_code == 200
    assert pks(response) == [denied.pk, older.pk]
    body = response.content.decode()
    assert "Prior authorization required" in body and "$250.00" in body and "$180.00" in body
    assert set(
        AuditEvent.objects.filter(user=clerk, action="search").values_list("object_id", flat=True)
    ) == {str(denied.pk), str(older.pk)}


def test_subscriber_id_finds_the_whole_policy_and_only_it(cast, client, clerk):
    subscriber = cast.members[cast.employer_groups[0].number]
    dependent = subscriber.dependents.get()
    stranger = cast.members[cast.employer_groups[1].number]
    mine = [f.ClaimFactory(member=m, tax_id=cast.tax_ids[0]) for m in (subscriber, dependent)]
    f.ClaimFactory(member=stranger, tax_id=cast.tax_ids[0])
    for member_id in (subscriber.member_id, dependent.member_id.lower()):
        response = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk, subscriber=member_id)
        assert set(pks(response)) == {claim.pk for claim in mine}


def test_pages_by_keyset(cast, client, clerk):
    member = cast.members[cast.employer_groups[0].number]
    start = datetime.date(2026, 1, 1)
    claims = [
        f.ClaimFactory(
            member=member,
            tax_id=cast.tax_ids[0],
            received_on=start + datetime.timedelta(days=n // 2),
        )
        for n in range(30)
    ]
    newest_first = sorted(claims, key=lambda c: (c.received_on, c.pk), reverse=True)
    first = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk)
    assert pks(first) == [claim.pk for claim in newest_first[:25]]
    assert first.context["next_query"]
    second = client.get(f"{LIST}?{first.context['next_query']}")
    assert pks(second) == [claim.pk for claim in newest_first[25:]]
    assert not second.context["next_query"] and "Newest claims" in second.content.decode()


def test_a_garbled_cursor_is_the_first_page(cast, client, clerk):
    f.ClaimFactory(tax_id=cast.tax_ids[0])
    for after in ("junk", "2026-13-01.5", "2026-01-01.x", "."):
        response = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk, after=after)
        assert response.status_code == 200 and len(response.context["claims"]) == 1


def test_a_tax_id_not_granted_is_refused_in_words(cast, client, clerk):
    f.ClaimFactory(tax_id=cast.tax_ids[1])
    f.ClaimFactory(tax_id=cast.other_tax_id)
    for tax_id in (cast.tax_ids[1].pk, cast.other_tax_id.pk, "abc", 999999):
        response = claims_page(client, clerk, tax_id=tax_id)
        body = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in body and "Choose one of your Tax IDs from the list." in body
        assert not response.context["searched"]
    assert not AuditEvent.objects.filter(user=clerk).exists()


def test_bad_subscriber_id_is_explained(cast, client, clerk):
    response = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk, subscriber="<script>")
    assert "A subscriber ID is 3 to 12 letters and digits." in response.content.decode()


def test_no_claims_says_what_to_try(cast, client, clerk):
    response = claims_page(client, clerk, tax_id=cast.tax_ids[0].pk, subscriber="NOSUCH1")
    body = response.content.decode()
    assert "No claims found" in body and "any member ID on the policy will do" in body


def test_without_claims_inquiry_403_saying_who_grants_it(cast, client):
    claim = f.ClaimFactory(tax_id=cast.tax_ids[0])
    for user in (cast.provideruser, cast.provider):
        client.force_login(user)
        for path in (LIST, detail(claim)):
            response = client.get(path)
            assert response.status_code == 403
            assert "Claims Inquiry is not set up for you" in response.content.decode()


def test_the_403_says_a_grant_applies_from_the_next_page(cast, client):
    """Access changes take effect on the user's next request (Manage Users), so the page asks
    for a reload, not for signing out and in again."""
    client.force_login(cast.provideruser)
    body = client.get(LIST).content.decode()
    assert "It applies from your next page: once they have, reload this one." in body
    assert "sign out" not in body.split("<main", 1)[-1].split("</main>")[0]


def test_detail_shows_the_lines(cast, client, clerk):
    claim = f.ClaimFactory(tax_id=cast.tax_ids[0])
    ClaimLine.objects.create(
        claim=claim,
        line_number=1,
        service_code="99213",
        description="Office visit",
        service_from=claim.service_from,
        service_to=claim.service_to,
        billed_amount=Decimal("250.00"),
        allowed_amount=Decimal("180.00"),
        paid_amount=Decimal("150.00"),
    )
    client.force_login(clerk)
    response = client.get(detail(claim))
    body = response.content.decode()
    assert response.status_code == 200
    assert "99213" in body and "Office visit" in body and claim.member.member_id in body
    assert AuditEvent.objects.filter(
        user=clerk, action="view", object_type="providers.Claim", object_id=str(claim.pk)
    ).exists()


def test_detail_of_a_sibling_or_another_organisations_claim_is_404(cast, client, clerk):
    client.force_login(clerk)
    for tax_id in (cast.tax_ids[1], cast.other_tax_id):
        assert client.get(detail(f.ClaimFactory(tax_id=tax_id))).status_code == 404
    assert client.get(reverse("providers:claim-detail", args=[999999])).status_code == 404


def test_list_query_count(cast, client, clerk, django_assert_max_num_queries):
    for _ in range(30):
        f.ClaimFactory(tax_id=cast.tax_ids[0])
    client.force_login(clerk)
    # Session and user (2); the user's Tax IDs with the function (1), read once for the
    # decorator, the form and the selector; the page of claims (1); audit rows (1); the
    # session's stamp (3).
    with django_assert_max_num_queries(8):
        client.get(LIST, {"tax_id": cast.tax_ids[0].pk})
