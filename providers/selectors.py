"""Reads for the provider portal, scoped to the user.

Eligibility is about any member of the carrier: providers check coverage before care, whoever
the employer. The views let only users holding check_eligibility on a Tax ID ask, and audit
every answer. Claims and authorizations are those of the Tax IDs the user holds the function on
(and of the individual providers the user acts for, where their administrator chose some);
anything else is the same 404 as a claim that does not exist.
"""

from types import SimpleNamespace

from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.shortcuts import get_object_or_404

from enrollment.models import Coverage, Member, Plan
from portal.crypto import digest
from providers import access
from providers.models import Authorization, Claim

# More matches than this and the person should narrow the search.
MEMBER_MATCH_LIMIT = 25
CLAIMS_PER_PAGE = 25
AUTHORIZATION_LIMIT = 50

# What an eligibility answer shows of a member: no address, and no SSN to decrypt.
MEMBER_FIELDS = (
    "member_id",
    "first_name",
    "last_name",
    "dob",
    "gender",
    "status",
    "relationship",
    "subscriber_id",
    "pcp_name",
    "pcp_npi",
    "group__name",
    "group__number",
    "plan__code",
    "plan__name",
    "plan__plan_type",
)


def tax_ids_for(user, perm="check_eligibility"):
    """The Tax IDs the user may work under with `perm`."""
    return access.visible_tax_ids(user, perm)


def _granted_pks(user, perm):
    return [tax_id.pk for tax_id in access.granted_tax_ids(user, perm)]


def get_tax_id_for(user, pk, perm="check_eligibility"):
    return get_object_or_404(tax_ids_for(user, perm), pk=pk)


def members_matching(*, member_id="", ssn="", last_name="", first_name="", dob=None):
    """Members matching one way of searching (a queryset; none for an incomplete search).

    Each way has its index: member ID unique, SSN by its digest, and last name + DOB by
    member_dob_last_name_idx on (dob, lower(last_name)) (enrollment migration 0002), which is
    why the name is compared as Lower(...) LIKE 'pre%' rather than istartswith (UPPER()).
    """
    if member_id:
        return Member.objects.filter(member_id=member_id)
    if ssn:
        return Member.objects.filter(ssn_digest=digest(ssn))
    if last_name and dob:
        members = Member.objects.alias(last_ci=Lower("last_name")).filter(
            dob=dob, last_ci__startswith=last_name.lower()
        )
        if first_name:
            # Checked on the few rows the index found.
            members = members.filter(first_name__istartswith=first_name)
        return members
    return Member.objects.none()


def _with_eligibility(members):
    """Members with their plan and group (a queryset; see with_latest_coverage)."""
    return members.select_related("group", "plan").only(*MEMBER_FIELDS)


def with_latest_coverage(members):
    """The members (a list), each with their latest coverage period's `coverage_start`,
    `coverage_end`, `coverage_plan_code` and `coverage_plan` (None without coverage).

    A second query over the members' few coverage periods rather than four correlated
    subqueries in the members' own: PostgreSQL ran either in a fraction of a millisecond,
    but the ORM took longer to compile the subqueries than the database to answer them.
    """
    latest = {}
    if members:
        coverages = (
            Coverage.objects.filter(member__in=[member.pk for member in members])
            .select_related("plan")
            .only("member_id", "start_date", "end_date", "plan__code", "plan__name")
            .order_by("member_id", "start_date")
        )
        for coverage in coverages:
            latest[coverage.member_id] = coverage  # the last one, by start date
    for member in members:
        coverage = latest.get(member.pk)
        member.coverage_start = coverage.start_date if coverage else None
        member.coverage_end = coverage.end_date if coverage else None
        member.coverage_plan_code = coverage.plan.code if coverage else None
        member.coverage_plan = coverage.plan.name if coverage else None
    return members


def eligibility_members(**search):
    """Members matching the search with their eligibility, at most MEMBER_MATCH_LIMIT + 1 so
    that the caller can tell there were more: each with its `plan` (code and name) and
    `coverage_start`, `coverage_end`, `coverage_plan_code` and `coverage_plan` as
    with_latest_coverage gives them."""
    query = eligibility_members_sql(**search)
    if query is None:
        return []
    members = list(Member.objects.raw(*query))
    for member in members:
        member.plan = (
            Plan(pk=member.plan_id, code=member.plan_code, name=member.plan_name)
            if member.plan_id
            else None
        )
    return members


def eligibility_members_sql(*, member_id="", ssn="", last_name="", first_name="", dob=None):
    """(sql, params) of eligibility_members' one query; None for an incomplete search.

    members_matching's ways of searching, each by its index, with the members' plans and
    latest coverage periods read along. Written out rather than as members_matching's
    queryset plus a second query for the coverages: the two round trips and the ORM's
    building and compiling them were most of the search's time, PostgreSQL's part a fraction
    of a millisecond. It runs on SQLite too (the tests): correlated subqueries, no LATERAL.
    """
    from django.db import connection

    params = {}
    if member_id:
        where = "m.member_id = %(member_id)s"
        params["member_id"] = member_id
    elif ssn:
        where = "m.ssn_digest = %(ssn_digest)s"
        params["ssn_digest"] = digest(ssn)
    elif last_name and dob:
        # LOWER(last_name) LIKE 'pre%' is the expression member_dob_last_name_idx (enrollment
        # migration 0002) indexes; ILIKE or UPPER() would miss it.
        where = "m.dob = %(dob)s AND LOWER(m.last_name) LIKE %(last)s ESCAPE '\\'"
        params["dob"] = dob
        params["last"] = connection.ops.prep_for_like_query(last_name.lower()) + "%"
        if first_name:
            # Checked on the few rows the index found.
            where += " AND LOWER(m.first_name) LIKE %(first)s ESCAPE '\\'"
            params["first"] = connection.ops.prep_for_like_query(first_name.lower()) + "%"
    else:
        return None
    latest = (
        f"FROM {Coverage._meta.db_table} c WHERE c.member_id = m.id "
        "ORDER BY c.start_date DESC LIMIT 1"
    )
    plans = Plan._meta.db_table
    sql = f"""
        SELECT m.id, m.member_id, m.first_name, m.last_name, m.dob, m.gender, m.status,
               m.relationship, m.subscriber_id, m.pcp_name, m.pcp_npi, m.plan_id,
               p.code AS plan_code, p.name AS plan_name,
               (SELECT c.start_date {latest}) AS coverage_start,
               (SELECT c.end_date {latest}) AS coverage_end,
               cp.code AS coverage_plan_code, cp.name AS coverage_plan
        FROM {Member._meta.db_table} m
        LEFT JOIN {plans} p ON p.id = m.plan_id
        LEFT JOIN {plans} cp ON cp.id = (SELECT c.plan_id {latest})
        WHERE {where}
        ORDER BY m.last_name, m.first_name, m.id
        LIMIT {MEMBER_MATCH_LIMIT + 1}
    """  # noqa: S608 - only table names and our own clauses are formatted in; values are params
    return sql, params


def member_and_policy_for(user, pk):
    """A member with their eligibility, and everyone on their policy (the subscriber first,
    then dependents by birth); 404 without check_eligibility or such a member."""
    if not access.holds_function(user, "check_eligibility"):
        raise Http404
    root = Member.objects.filter(pk=pk).values(root=Coalesce("subscriber_id", "pk"))
    family = sorted(
        _with_eligibility(Member.objects.filter(Q(pk__in=root) | Q(subscriber_id__in=root))),
        key=lambda m: (m.subscriber_id is not None, m.dob, m.pk),
    )
    member = next((m for m in family if m.pk == pk), None)
    if member is None:
        raise Http404
    return member, with_latest_coverage(family)


def claims_for(user, *, tax_id, subscriber="", after=None):
    """A page of the claims of `tax_id` (one of the user's Tax IDs with inquire_claims), newest
    received first, optionally of one policy (any member ID on it), after the keyset cursor
    `after` = (received_on, pk). CLAIMS_PER_PAGE + 1 rows, so the caller can tell there is more.

    The Tax ID is checked again here, not trusted from the form (against the list the form's
    choices came from, so without another query). A subscriber's whole family comes from one
    subquery on the member ID; the (tax_id, -received_on, -id) index pages the Tax ID's claims
    without sorting them all.
    """
    if tax_id.pk not in _granted_pks(user, "inquire_claims"):
        return []
    claims = Claim.objects.filter(tax_id=tax_id).filter(
        access.practitioner_scope(user, "inquire_claims")
    )
    if subscriber:
        root = Member.objects.filter(member_id=subscriber).values(
            root=Coalesce("subscriber_id", "pk")
        )
        claims = claims.filter(
            member__in=Member.objects.filter(Q(pk__in=root) | Q(subscriber_id__in=root))
        )
    if after is not None:
        received_on, pk = after
        claims = claims.filter(
            Q(received_on__lt=received_on) | Q(received_on=received_on, pk__lt=pk)
        )
    rows = claims.order_by("-received_on", "-pk").values(*CLAIM_ROW_FIELDS)[: CLAIMS_PER_PAGE + 1]
    return [_claim_row(row) for row in rows]


CLAIM_ROW_FIELDS = (
    "pk",
    "number",
    "service_from",
    "service_to",
    "received_on",
    "status",
    "billed_amount",
    "allowed_amount",
    "paid_amount",
    "denial_reason",
    "member__member_id",
    "member__first_name",
    "member__last_name",
)
_STATUS_LABELS = dict(Claim.Status.choices)


def _claim_row(values):
    """A row of claims_for as a namespace, its member's columns under `member`: plain
    namespaces, as the Book of Business's rows are, since building 25 claims and their 25
    members as model instances cost more than the page's query (bench
    provider-claim-status-first-page)."""
    member = SimpleNamespace(
        member_id=values.pop("member__member_id"),
        first_name=values.pop("member__first_name"),
        last_name=values.pop("member__last_name"),
    )
    return SimpleNamespace(
        **values, member=member, status_display=_STATUS_LABELS.get(values["status"], "")
    )


def get_claim_for(user, pk):
    """A claim of one of the user's Tax IDs with inquire_claims, with its lines; else 404."""
    claims = (
        Claim.objects.filter(tax_id__in=_granted_pks(user, "inquire_claims"))
        .filter(access.practitioner_scope(user, "inquire_claims"))
        .select_related("member", "tax_id", "practitioner")
    )
    return get_object_or_404(claims, pk=pk)


def authorizations_for(
    user, *, number="", member_id="", ssn="", last_name="", first_name="", dob=None
):
    """Authorizations of the user's Tax IDs with check_authorizations, by number or by member,
    newest requested first; at most AUTHORIZATION_LIMIT + 1."""
    authorizations = Authorization.objects.filter(
        tax_id__in=_granted_pks(user, "check_authorizations")
    ).filter(access.practitioner_scope(user, "check_authorizations"))
    if number:
        authorizations = authorizations.filter(number=number)
    else:
        members = members_matching(
            member_id=member_id, ssn=ssn, last_name=last_name, first_name=first_name, dob=dob
        )
        # A name + DOB that matches many people is cut short rather than read whole.
        authorizations = authorizations.filter(
            member__in=members.values("pk")[: MEMBER_MATCH_LIMIT + 1]
        )
    authorizations = authorizations.select_related("member", "tax_id").order_by(
        "-requested_on", "-pk"
    )
    return list(authorizations[: AUTHORIZATION_LIMIT + 1])


def get_authorization_for(user, pk):
    """An authorization of one of the user's Tax IDs with check_authorizations; else 404."""
    authorizations = (
        Authorization.objects.filter(tax_id__in=_granted_pks(user, "check_authorizations"))
        .filter(access.practitioner_scope(user, "check_authorizations"))
        .select_related("member", "tax_id", "practitioner")
    )
    return get_object_or_404(authorizations, pk=pk)


def get_member_plan_for(user, pk):
    """A member and the plan of their current coverage (else their latest), for the Schedule
    of Benefits; 404 without check_eligibility, such a member, or any plan."""
    if not access.holds_function(user, "check_eligibility"):
        raise Http404
    member = get_object_or_404(
        Member.objects.select_related("plan").only(
            "member_id",
            "first_name",
            "last_name",
            "plan__code",
            "plan__name",
            "plan__plan_type",
            "plan__market",
            "plan__state",
        ),
        pk=pk,
    )
    plan = member.plan or (
        Plan.objects.filter(
            pk__in=Coverage.objects.filter(member=member)
            .order_by("-start_date")
            .values("plan_id")[:1]
        ).first()
    )
    if plan is None:
        raise Http404
    return member, plan
