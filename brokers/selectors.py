import hmac

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from brokers import access
from brokers.models import Broker, ContractingRecord, Document, License, UplineAccess
from portal import crypto
from portal.accounts.models import Role, User, UserStatus


def groups_for(user, perm="view_group"):
    """The groups in the user's office's book of business (or holding `perm`)."""
    return access.visible_groups(user, perm).select_related("parent")


def get_group_for(user, pk, perm="view_group"):
    """One group of the user's book, or 404: the same answer as for a group that doesn't exist."""
    return get_object_or_404(groups_for(user, perm), pk=pk)


class RegistrationRefusal:
    """Why a matched contracting record can't be used to register; each has its own page."""

    INACTIVE = "inactive"
    SHARED_EMAIL = "shared_email"
    REGISTERED = "registered"


def contracting_record_match(*, npn: str, tax_id: str):
    """The contracting record with this NPN and Tax ID (nine digits), or None."""
    return ContractingRecord.objects.filter(npn=npn, tax_id_digest=crypto.digest(tax_id)).first()


def contracting_records_sharing_email(email: str):
    # Written as Lower(email) so that the contracting_email_ci index answers it.
    return ContractingRecord.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=email.lower()
    )


def registration_refusal(record) -> str | None:
    """Why the broker of a contracting record may not register now, or None if they may.

    A pending user the broker's own earlier Send Email created is no obstacle: registering
    again just sends a new link to it.
    """
    if record.status != ContractingRecord.Status.ACTIVE:
        return RegistrationRefusal.INACTIVE
    if contracting_records_sharing_email(record.email).count() > 1:
        return RegistrationRefusal.SHARED_EMAIL
    if Broker.objects.filter(npn=record.npn, user__isnull=False).exists():
        return RegistrationRefusal.REGISTERED
    existing = User.objects.filter(email__iexact=record.email).first()
    if existing is not None and (
        existing.has_usable_password()
        or existing.role != Role.BROKER
        or Broker.objects.filter(user=existing).exists()
    ):
        return RegistrationRefusal.REGISTERED
    return None


# User.status, in SQL, so that the staff list can filter and sort by it.
STAFF_STATUS = Case(
    When(is_active=False, then=Value(UserStatus.DISABLED)),
    When(locked_at__isnull=False, then=Value(UserStatus.LOCKED)),
    When(password__startswith=UNUSABLE_PASSWORD_PREFIX, then=Value(UserStatus.PENDING)),
    default=Value(UserStatus.ACTIVE),
    output_field=CharField(),
)
# The staff list's sort keys, as they appear in its URLs.
STAFF_SORTS = {
    "email": "email",
    "last_name": "last_name",
    "first_name": "first_name",
    "status": "status_code",
    "created": "date_joined",
}


def staff_users_for(user, *, email="", last_name="", status="", sort="email"):
    """The office staff users of the office `user` works in, with `status_code` annotated.

    Never the broker themself nor anyone outside the office. Whether `user` may manage them
    is the views' check (Tool.MANAGE_ACCOUNTS). `email` matches anywhere, `last_name` from
    the start, both ignoring case; `sort` is a key of STAFF_SORTS, "-" first for descending.
    """
    broker = access.broker_for(user)
    if broker is None or broker.office_id is None:
        return User.objects.none()
    users = User.objects.filter(role=Role.BROKER_STAFF, groups=broker.office_id).annotate(
        status_code=STAFF_STATUS
    )
    if email:
        users = users.filter(email__icontains=email)
    if last_name:
        users = users.filter(last_name__istartswith=last_name)
    if status:
        users = users.filter(status_code=status)
    field = STAFF_SORTS.get(sort.removeprefix("-"), "email")
    descending = "-" if sort.startswith("-") else ""
    return users.order_by(f"{descending}{field}", f"{descending}pk")


def get_staff_user_for(user, pk):
    """One staff user of the user's office, or 404 (another office's, the broker, anyone else)."""
    return get_object_or_404(staff_users_for(user), pk=pk)


def staff_tools_of(staff_user) -> set[str]:
    """The tools a staff user holds, as Tool names, whether or not they are active now."""
    codenames = staff_user.user_permissions.filter(content_type__app_label="brokers").values_list(
        "codename", flat=True
    )
    return {f"brokers.{codename}" for codename in codenames}


def upline_access_for(user):
    """The office's upline access, or None while the general agency has no view."""
    broker = access.broker_for(user)
    return UplineAccess.objects.filter(broker=broker).first() if broker else None


def registered_broker_users(*, npn, tax_id):
    """The login of the registered broker with this NPN and Tax ID, as a list of none or one.

    The Tax ID is encrypted at rest, so it is compared here, after the unique NPN has found
    the one candidate.
    """
    broker = Broker.objects.select_related("user").filter(npn=npn, user__isnull=False).first()
    if broker is None or not hmac.compare_digest((broker.tax_id or "").encode(), tax_id.encode()):
        return []
    return [broker.user]


# Forms & Brochures: the list's sort keys, as they appear in its URLs.
DOCUMENT_SORTS = {"title": "title", "category": "category", "published": "published_on"}


def documents_for(user, *, category="", market="", state="", sort="title"):
    """The documents a broker-portal user may download: published, and current today.

    A market or state filter keeps the documents for every market or every state too; `sort`
    is a key of DOCUMENT_SORTS, "-" first for descending. Anyone else gets none.
    """
    if user.role not in access.BROKER_ROLES:
        return Document.objects.none()
    today = timezone.localdate()
    documents = Document.objects.filter(
        Q(published_on__isnull=True) | Q(published_on__lte=today),
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        is_published=True,
    )
    if category:
        documents = documents.filter(category=category)
    if market:
        documents = documents.filter(market__in=[market, Document.ALL_MARKETS])
    if state:
        documents = documents.filter(state__in=[state, ""])
    field = DOCUMENT_SORTS.get(sort.removeprefix("-"), "title")
    descending = "-" if sort.startswith("-") else ""
    return documents.order_by(f"{descending}{field}", "title", "pk")


def document_states_for(user):
    """The states the user's documents are filed under, for the list's state filter."""
    states = documents_for(user).exclude(state="").values_list("state", flat=True)
    return list(states.order_by("state").distinct())


def get_document_for(user, pk):
    """One document the user may download, or 404 (unpublished, expired, or not a broker)."""
    return get_object_or_404(documents_for(user), pk=pk)


def contracting_record_for(user):
    """The carrier's contracting record of the user's office's broker, or None."""
    broker = access.broker_for(user)
    return ContractingRecord.objects.filter(npn=broker.npn).first() if broker else None


def licenses_for(user):
    """The licenses of the user's office's broker, the first to expire first."""
    broker = access.broker_for(user)
    if broker is None:
        return License.objects.none()
    return License.objects.filter(broker=broker).order_by("expires_on", "state")


# Eligibility, Status & Activity.

# More matches than this and the person should narrow the search (a longer last name).
ELIGIBILITY_MATCH_LIMIT = 25
# Members matching the search anywhere, before the book is applied; a 3-letter prefix and a
# date of birth match a handful among a million members.
ELIGIBILITY_CANDIDATE_LIMIT = 500


def eligibility_members_for(user, *, member_id="", last_name="", dob=None):
    """Members of the user's book matching a member ID, or a last-name prefix and date of birth.

    The book here is the groups the office may see rosters of (view_roster): an upline that was
    allowed group details only learns nothing of the members. A member ID may be narrowed by a
    date of birth; a last name needs one. A list of at most ELIGIBILITY_MATCH_LIMIT + 1, so that
    the caller can tell there were more, each with its `group` and `plan` (name and number,
    name), and its latest coverage's `coverage_start`, `coverage_end` and `coverage_plan` (a
    plan name; None without coverage).

    The members come by their index alone, each with `in_book`: one probe of the office-grant
    index for its group, in the same query (eligibility_candidates_sql). `visible_groups`
    joined in made PostgreSQL hash every permission row of the office first, 7 ms at a
    5,000-group book, and guardian's has_perm costs two queries a group; asking about the
    groups in a second query cost a round trip and a millisecond of the view's time.
    """
    from enrollment.models import Group, Member, Plan

    query = eligibility_candidates_sql(user, member_id=member_id, last_name=last_name, dob=dob)
    if query is None:
        return []
    found = []
    for member in Member.objects.raw(*query):
        if not member.in_book:
            continue
        member.group = Group(pk=member.group_id, name=member.group_name, number=member.group_number)
        member.plan = Plan(pk=member.plan_id, name=member.plan_name) if member.plan_id else None
        found.append(member)
        if len(found) > ELIGIBILITY_MATCH_LIMIT:
            break
    return found


def eligibility_candidates_sql(user, *, member_id="", last_name="", dob=None):
    """(sql, params) of the members matching the search in any book, at most
    ELIGIBILITY_CANDIDATE_LIMIT, each with `in_book` (may the user's office see its group's
    roster), its group's and plan's names and its latest coverage period; None for an
    incomplete search or a user outside a broker office.

    Written out rather than built with the ORM: building and compiling the query's four
    subqueries took three times as long as PostgreSQL took to plan and run it (about 1.5 ms
    against 0.5 on a loaded machine), on a lookup whose target is 20 ms at the 95th
    percentile. It runs on SQLite too (the tests): correlated subqueries, no LATERAL.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from enrollment.models import Coverage, Group, GroupGroupObjectPermission, Member, Plan

    broker = access.broker_for(user) if user.role in access.BROKER_ROLES else None
    if broker is None or broker.office_id is None:
        return None
    params = {"office": broker.office_id}
    if member_id:
        where = "m.member_id = %(member_id)s"
        params["member_id"] = member_id.strip().upper()
        if dob:
            where += " AND m.dob = %(dob)s"
            params["dob"] = dob
    elif last_name and dob:
        # LOWER(last_name) LIKE 'pre%' is the expression member_dob_last_name_idx (enrollment
        # migration 0002) indexes; ILIKE or UPPER() would miss it.
        where = "m.dob = %(dob)s AND LOWER(m.last_name) LIKE %(prefix)s ESCAPE '\\'"
        params["dob"] = dob
        params["prefix"] = connection.ops.prep_for_like_query(last_name.strip().lower()) + "%"
    else:
        return None
    # The latest coverage period's dates and plan, read along (Coverage's (member, -start_date)
    # index answers each). Only what the answer shows: no address, and no SSN to decrypt.
    latest = (
        f"FROM {Coverage._meta.db_table} c WHERE c.member_id = m.id "
        "ORDER BY c.start_date DESC LIMIT 1"
    )
    sql = f"""
        SELECT m.id, m.member_id, m.first_name, m.last_name, m.dob, m.status, m.relationship,
               m.subscriber_id, m.group_id, m.plan_id,
               g.name AS group_name, g.number AS group_number, p.name AS plan_name,
               (SELECT c.start_date {latest}) AS coverage_start,
               (SELECT c.end_date {latest}) AS coverage_end,
               (SELECT cp.name FROM {Plan._meta.db_table} cp
                 WHERE cp.id = (SELECT c.plan_id {latest})) AS coverage_plan,
               EXISTS (
                 SELECT 1 FROM {GroupGroupObjectPermission._meta.db_table} gp
                 WHERE gp.content_object_id = m.group_id AND gp.group_id = %(office)s
                   AND gp.permission_id = (
                     SELECT pm.id FROM {Permission._meta.db_table} pm
                     JOIN {ContentType._meta.db_table} ct ON ct.id = pm.content_type_id
                     WHERE pm.codename = 'view_roster' AND ct.app_label = 'enrollment'
                       AND ct.model = 'group')
               ) AS in_book
        FROM {Member._meta.db_table} m
        JOIN {Group._meta.db_table} g ON g.id = m.group_id
        LEFT JOIN {Plan._meta.db_table} p ON p.id = m.plan_id
        WHERE {where}
        ORDER BY m.last_name, m.first_name, m.id
        LIMIT {ELIGIBILITY_CANDIDATE_LIMIT}
    """  # noqa: S608 - only table names and our own clauses are formatted in; values are params
    return sql, params


def _office_holds(user, codename, *, group="pk"):
    """Exists: the user's office holds `codename` on the outer query's group; None outside one.

    `group` names the outer query's field that holds the group's pk. One probe of the (office,
    permission, group) index of guardian's direct-FK table, the permission looked up once. The
    office's grants only, as for the book of business: brokers.access grants offices, never
    single users. `visible_groups` ORs in the per-user table too, which PostgreSQL answers by
    hashing every grant of the office first (7 ms for roster checks, 42 ms for the home page's
    count at a million members).
    """
    from django.db.models import Exists, OuterRef

    from enrollment.models import GroupGroupObjectPermission

    broker = access.broker_for(user) if user.role in access.BROKER_ROLES else None
    if broker is None or broker.office_id is None:
        return None
    return Exists(
        GroupGroupObjectPermission.objects.filter(
            content_object=OuterRef(group),
            group_id=broker.office_id,
            permission=_group_permission_id(codename),
        )
    )


def office_groups(user, codename="view_group"):
    """The groups the user's office holds `codename` on (its book, for view_group)."""
    from enrollment.models import Group

    holds = _office_holds(user, codename)
    return Group.objects.filter(holds) if holds is not None else Group.objects.none()


def active_subscribers_by_month(user, months):
    """[(first of month, subscribers covered that day)] over the user's book, in one query.

    A subscriber counts for a month when a coverage of theirs through a group of the book
    covers the month's first day. One aggregate with a filtered COUNT per month, the same SQL
    on PostgreSQL and SQLite.
    """
    from django.db.models import Count

    from enrollment.models import Coverage, Member

    if not months:
        return []
    covering = {
        f"m{index}": Count(
            "member_id",
            distinct=True,
            filter=Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day)),
        )
        for index, day in enumerate(months)
    }
    counts = (
        Coverage.objects.filter(
            group__in=office_groups(user, "view_group"),
            member__relationship=Member.Relationship.SUBSCRIBER,
            start_date__lte=months[-1],
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=months[0]))
        .aggregate(**covering)
    )
    return [(day, counts[f"m{index}"] or 0) for index, day in enumerate(months)]


# The IFP application list's sort keys, as they appear in its URLs.
IFP_APPLICATION_SORTS = {
    "number": "application_number",
    "applicant": "last_name",
    "plan": "plan__name",
    "effective": "requested_effective_date",
    "status": "status",
    "received": "received_on",
    "changed": "status_changed_on",
}


def ifp_applications_for(
    user, *, broker_code, status="", received_from=None, received_to=None, sort="-received"
):
    """The IFP applications written under `broker_code`, one of the user's office's Broker IDs.

    A code that is not the office's gives nothing. Filters by status and by the date received
    (both ends included); `sort` is a key of IFP_APPLICATION_SORTS, "-" first for descending.
    """
    from enrollment.models import IFPApplication

    office_codes = {code.code for code in access.broker_codes_for(user)}
    if broker_code not in office_codes:
        return IFPApplication.objects.none()
    applications = IFPApplication.objects.filter(broker_code=broker_code).select_related("plan")
    if status:
        applications = applications.filter(status=status)
    if received_from:
        applications = applications.filter(received_on__gte=received_from)
    if received_to:
        applications = applications.filter(received_on__lte=received_to)
    field = IFP_APPLICATION_SORTS.get(sort.removeprefix("-"), "received_on")
    descending = "-" if sort.startswith("-") else ""
    return applications.order_by(f"{descending}{field}", f"{descending}application_number")


def delegated_groups_for(user):
    """The employer grants of billing or enrollment functions to the user's office's broker.

    Only on groups still in the office's book: a grant outlives nothing the office can't see.
    """
    from employers.models import BrokerAccessGrant

    broker = access.broker_for(user)
    if broker is None:
        return BrokerAccessGrant.objects.none()
    return (
        BrokerAccessGrant.objects.filter(broker=broker, group__in=office_groups(user, "view_group"))
        .select_related("group__parent")
        .order_by("group__number")
    )


# Group details and subscribers.
# The subscriber list's sort keys, as they appear in its URLs.
SUBSCRIBER_SORTS = {
    "name": ("last_name", "first_name"),
    "id": ("member_id",),
    "plan": ("plan__plan_type", "plan__name"),
    "status": ("status",),
}


def subscribers_for(user, group, *, q="", sort="name"):
    """The subscribers (not dependents) of `group`, if the user may see its roster.

    `q` matches a subscriber ID exactly, or a name from its start: "smi", "jo", or
    "smith, jo" for last and first name; ignoring case. `sort` is a key of SUBSCRIBER_SORTS,
    "-" first for descending.
    """
    from django.db.models import Q

    from enrollment.models import Member

    # Asked once, of this group: as a subquery of the list it made PostgreSQL plan the COUNT
    # and the page as a join over the office's whole book.
    if not groups_for(user, "view_roster").filter(pk=group.pk).exists():
        return Member.objects.none()
    subscribers = Member.objects.filter(
        group=group, relationship=Member.Relationship.SUBSCRIBER
    ).select_related("plan")
    q = " ".join(q.split())
    if "," in q:
        last, first = (part.strip() for part in q.split(",", 1))
        subscribers = subscribers.filter(last_name__istartswith=last, first_name__istartswith=first)
    elif q:
        subscribers = subscribers.filter(
            Q(member_id__iexact=q) | Q(last_name__istartswith=q) | Q(first_name__istartswith=q)
        )
    fields = SUBSCRIBER_SORTS.get(sort.removeprefix("-"), SUBSCRIBER_SORTS["name"])
    descending = "-" if sort.startswith("-") else ""
    return subscribers.order_by(*(f"{descending}{field}" for field in (*fields, "pk")))


def get_subscriber_for(user, pk):
    """One subscriber of a group whose roster the user may see, or 404, with their group."""
    from enrollment.models import Member

    subscribers = Member.objects.filter(
        relationship=Member.Relationship.SUBSCRIBER,
        group__in=groups_for(user, "view_roster"),
    ).select_related("group__parent", "plan")
    return get_object_or_404(subscribers, pk=pk)


def dependents_of(subscriber):
    """The subscriber's dependents, oldest first, each with `coverages` newest first."""
    from django.db.models import Prefetch

    from enrollment.models import Coverage

    return (
        subscriber.dependents.select_related("plan")
        .prefetch_related(
            Prefetch(
                "coverages",
                queryset=Coverage.objects.select_related("plan").order_by("-start_date"),
            )
        )
        .order_by("dob", "pk")
    )


def group_member_counts(group):
    """Active subscribers, active members and cancelled subscribers of a group, in one query."""
    from django.db.models import Count, Q

    from enrollment.models import Member

    subscriber = Q(relationship=Member.Relationship.SUBSCRIBER)
    active = Q(status__in=[Member.Status.ACTIVE, Member.Status.COBRA])
    return Member.objects.filter(group=group).aggregate(
        active_subscribers=Count("pk", filter=subscriber & active),
        active_members=Count("pk", filter=active),
        cancelled_subscribers=Count("pk", filter=subscriber & Q(status=Member.Status.CANCELLED)),
    )


def group_billing(group):
    """The group's latest invoice and last posted payment (either may be None).

    Whether the user may see them is the view's check: the employer's billing grant.
    """
    from billing.models import Invoice, Payment

    invoice = Invoice.objects.filter(group=group).order_by("-period_start").first()
    payment = (
        Payment.objects.filter(group=group, status=Payment.Status.SETTLED)
        .order_by("-received_on", "-pk")
        .first()
    )
    return invoice, payment


# Book of Business: the list's sort keys as they appear in its URLs, each a tuple of columns
# that ends in a unique one, so that a page can start after a row (keyset paging).
BOOK_SORTS = {
    "name": ("parent__name", "name", "pk"),
    "number": ("number", "pk"),
    "status": ("status", "number", "pk"),
    "original": ("original_effective_date", "number", "pk"),
    "renewal": ("renewal_rank", "number", "pk"),
    "plan": ("plan_key", "number", "pk"),
}


def book_scope_for(user):
    """What the book's queries filter by: the office's id; None outside a broker office.

    A broker's grants are all office grants (brokers.access writes no per-user rows), and the
    office is already loaded for the page's layout.
    """
    broker = access.broker_for(user) if user.role in access.BROKER_ROLES else None
    if broker is None or broker.office_id is None:
        return None
    return broker.office_id


def _group_permission_id(codename):
    """The id of one of enrollment.Group's permissions, as a subquery."""
    from django.contrib.auth.models import Permission
    from django.db.models import Subquery

    return Subquery(
        Permission.objects.filter(
            codename=codename, content_type__app_label="enrollment", content_type__model="group"
        ).values("pk")[:1]
    )


def _office_grants(office_id, codename):
    """EXISTS: the office holds `codename` on the outer query's group (enrollment_group).

    One probe of guardian's direct-FK (office, permission, group) index. The permission's id is
    a scalar subquery: PostgreSQL plans it as an InitPlan, faster than the EXISTS with a join to
    the permission table (a millisecond and a half, bench/book.py), and even faster than with
    the id as a constant (0.65 ms against 0.9 at a million members); looking the id up first
    was a query of its own. Written out, as book_page_rows' subqueries are: the ORM's building
    and compiling the EXISTS with its subquery took longer than PostgreSQL's running it.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from enrollment.models import Group, GroupGroupObjectPermission

    return RawSQL(  # noqa: S611 - table names formatted in, values are params
        f"EXISTS (SELECT 1 FROM {GroupGroupObjectPermission._meta.db_table} gg "  # noqa: S608
        f'WHERE gg.content_object_id = "{Group._meta.db_table}"."id" AND gg.group_id = %s '
        f"AND gg.permission_id = (SELECT pm.id FROM {Permission._meta.db_table} pm "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = pm.content_type_id "
        "WHERE pm.codename = %s AND ct.app_label = 'enrollment' AND ct.model = 'group' LIMIT 1))",
        (office_id, codename),
        output_field=BooleanField(),
    )


def book_groups_for(scope, *, today, filters=None, sort=""):
    """The groups of an office's book of business, filtered, with the sort key annotated.

    `scope` is `book_scope_for(user)`. The book is one EXISTS on guardian's direct-FK table of
    office grants, answered by its (office, permission, group) index; `visible_groups` ORs in
    the per-user table too, which costs a scan of all groups at a million members (DESIGN.md,
    Performance notes). `filters` are the cleaned fields of brokers.forms.book.BookFilterForm.
    `sort` (a key of BOOK_SORTS, "-" first or not) says which computed sort key to annotate,
    `renewal_rank` or `plan_key`: building both on every page cost half a millisecond.
    """
    from django.db.models import Exists, OuterRef, Q, Subquery, Value
    from django.db.models.functions import Coalesce, Concat

    from brokers import alerts
    from enrollment.models import Group, Plan

    if scope is None:
        return Group.objects.none()
    groups = Group.objects.filter(_office_grants(scope, "view_group"))
    if sort.removeprefix("-") == "renewal":
        groups = groups.annotate(renewal_rank=alerts.renewal_rank(today))
    elif sort.removeprefix("-") == "plan":
        first_plan = (
            Plan.objects.filter(groups=OuterRef("pk"))
            .order_by("plan_type", "name")
            .annotate(key=Concat("plan_type", Value(" "), "name"))
            .values("key")[:1]
        )
        groups = groups.annotate(plan_key=Coalesce(Subquery(first_plan), Value("")))
    filters = filters or {}
    if filters.get("name"):
        groups = groups.filter(
            Q(parent__name__icontains=filters["name"]) | Q(name__icontains=filters["name"])
        )
    if filters.get("parent_id"):
        groups = groups.filter(parent__number__istartswith=filters["parent_id"])
    if filters.get("suffix_id"):
        groups = groups.filter(suffix__istartswith=filters["suffix_id"])
    if filters.get("status"):
        groups = groups.filter(status=filters["status"])
    if filters.get("alert"):
        groups = groups.filter(alerts.alert_condition(filters["alert"], today))
    if filters.get("plan_name") or filters.get("plan_type"):
        plans = Plan.objects.filter(groups=OuterRef("pk"))
        if filters.get("plan_name"):
            plans = plans.filter(name__icontains=filters["plan_name"])
        if filters.get("plan_type"):
            plans = plans.filter(plan_type=filters["plan_type"])
        groups = groups.filter(Exists(plans))
    if filters.get("original_from"):
        groups = groups.filter(original_effective_date__gte=filters["original_from"])
    if filters.get("original_to"):
        groups = groups.filter(original_effective_date__lte=filters["original_to"])
    if filters.get("renewal_from") or filters.get("renewal_to"):
        months = alerts.renewal_months_between(
            filters.get("renewal_from"), filters.get("renewal_to"), today
        )
        groups = groups.filter(renewal_month__in=months)
    return groups


# What a Book of Business row shows of a group and of its parent.
BOOK_ROW_FIELDS = (
    "pk",
    "suffix",
    "number",
    "name",
    "status",
    "original_effective_date",
    "cancellation_date",
    "renewal_month",
)
BOOK_PARENT_FIELDS = ("name", "number", "effective_date")
# Separators of the plans' (type, name) pairs in book_page_rows' `plan_pairs` column: ASCII unit and
# record separators, which no plan's type or name holds.
_UNIT, _RECORD = "\x1f", "\x1e"


def book_page_rows(groups, scope, *, today):
    """`groups` (from book_groups_for) as dicts of what a page row shows, for one page of them.

    Ordered, cut to a page and turned into rows by book_row, this is the page's only query: the
    sort keys, the group's and its parent's columns, the alert flags (`past_due`, `turning_65`),
    `roster_grant` (View List and Get XLS: an upline may see a group and not its subscribers)
    and the plans' (type, name) pairs joined into `plan_pairs`. PostgreSQL evaluates the per-row
    subqueries for the page's rows alone, after the sort and the limit. Selecting the keys
    first and the rows by pk after was three round trips a page, the most of the page's
    time on a loaded server.

    The per-row subqueries are written out (here and in alerts.flag_annotations): built as
    querysets, the ORM spent longer building and compiling them than PostgreSQL running them.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from brokers import alerts
    from enrollment.models import Group, GroupGroupObjectPermission, Plan

    office_id = scope
    group = f'"{Group._meta.db_table}"."id"'
    # The grant's id, not EXISTS: PostgreSQL answered that EXISTS by hashing every grant of
    # the office (5,000 rows, 1.2 ms at a million members) for 25 probes.
    roster_grant = RawSQL(  # noqa: S611 - table names formatted in, values are params
        f"SELECT gp.id FROM {GroupGroupObjectPermission._meta.db_table} gp "  # noqa: S608
        f"WHERE gp.content_object_id = {group} AND gp.group_id = %s AND gp.permission_id = ("
        f"SELECT pm.id FROM {Permission._meta.db_table} pm "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = pm.content_type_id "
        "WHERE pm.codename = 'view_roster' AND ct.app_label = 'enrollment' "
        "AND ct.model = 'group') LIMIT 1",
        (office_id,),
    )
    # SQLite (the tests) has no STRING_AGG before 3.44; its GROUP_CONCAT is the same here.
    join = "GROUP_CONCAT" if connection.vendor == "sqlite" else "STRING_AGG"
    # Each plan by its pk, a subquery of its own: joined, PostgreSQL hashed the whole plan table
    # for each of the page's rows (0.1 ms of the query's planning and running, bench/book.py).
    plan_pairs = RawSQL(  # noqa: S611 - table names formatted in, values are params
        f"SELECT {join}((SELECT pl.plan_type || %s || pl.name FROM {Plan._meta.db_table} pl "  # noqa: S608
        f"WHERE pl.id = gpl.plan_id), %s) FROM {Group.plans.through._meta.db_table} gpl "
        f"WHERE gpl.group_id = {group}",
        (_UNIT, _RECORD),
    )
    # Every sort key is a row field or the parent's name, but for the computed ones.
    computed_keys = [key for key in ("renewal_rank", "plan_key") if key in groups.query.annotations]
    return groups.values(
        *BOOK_ROW_FIELDS,
        "parent_id",
        *(f"parent__{name}" for name in BOOK_PARENT_FIELDS),
        *computed_keys,
        roster_grant=roster_grant,
        plan_pairs=plan_pairs,
        **alerts.flag_annotations(today),
    )


def book_row(values):
    """One row of book_page_rows as a namespace, its parent's columns under `parent`.

    Plain namespaces: building 25 model instances, each with its parent, cost more than the
    query itself.
    """
    from types import SimpleNamespace

    values = dict(values)
    parent = {name: values.pop(f"parent__{name}") for name in BOOK_PARENT_FIELDS}
    can_roster = values.pop("roster_grant") is not None
    joined = values.pop("plan_pairs")
    plan_names = (
        sorted(tuple(pair.split(_UNIT, 1)) for pair in joined.split(_RECORD) if pair)
        if joined
        else []
    )
    group = SimpleNamespace(**values, can_roster=can_roster, plan_names=plan_names)
    group.parent = SimpleNamespace(pk=group.parent_id, **parent)
    return group
