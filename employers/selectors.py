from django.db.models import Q
from django.shortcuts import get_object_or_404

from employers import access
from employers.models import GroupDocument
from enrollment.models import Employer
from portal.accounts.models import Role, User


def groups_for(user, perm="view_group"):
    """The employer's groups this administrator may act on."""
    return access.visible_groups(user, perm).select_related("parent")


def get_group_for(user, pk, perm="view_group"):
    return get_object_or_404(groups_for(user, perm), pk=pk)


def admin_users_for_identity(*, group_number, policyholder_id):
    """The active logins of every administrator of the employer that holds this policyholder
    ID and this group number (a suffix's or the parent group's): for "Forgot your username?",
    which emails each of them their own."""
    employers = Employer.objects.filter(policyholder_id=policyholder_id).filter(
        Q(parent_groups__number__iexact=group_number)
        | Q(parent_groups__suffixes__number__iexact=group_number)
    )
    return User.objects.filter(employer_admin__employer__in=employers, is_active=True).distinct()


# Group Documents: what ops published to the groups the administrator may see.
GROUP_DOCUMENT_SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "published": ("published_on", "pk"),
    "-published": ("-published_on", "-pk"),
    "group": ("group__number", "title", "pk"),
    "-group": ("-group__number", "-title", "-pk"),
}


def group_documents_for(user, *, sort="-published", group=None, category=None):
    documents = GroupDocument.objects.filter(
        is_published=True, group__in=access.visible_groups(user)
    ).select_related("group")
    if group:
        documents = documents.filter(group=group)
    if category:
        documents = documents.filter(category=category)
    return documents.order_by(*GROUP_DOCUMENT_SORTS[sort])


def get_group_document_for(user, pk):
    """A published document of a group the user may see; 404 for any other."""
    return get_object_or_404(group_documents_for(user), pk=pk)


# Manage Enrollment: members of the groups whose roster the administrator may see.
# The search list's sort keys, as they appear in its URLs.
MEMBER_SORTS = {
    "name": ("last_name", "first_name"),
    "id": ("member_id",),
    "group": ("group__number",),
    "plan": ("plan__plan_type", "plan__name"),
    "status": ("status",),
}


def enrollment_groups_for(user, perm="view_roster"):
    """The groups whose members `user` sees (view_roster) or enrolls and changes
    (perform_enrollment) in Manage Enrollment: an administrator's by their own functions; a
    broker office's only where the employer granted it perform_enrollment.

    For a broker, seeing a group's members here comes with that grant: the roster they hold as
    broker of record is the book of business's, not the employer's tools (see
    access.function_groups).
    """
    return _enrollment_scope(user, perm).select_related("parent")


def _enrollment_scope(user, perm):
    if user.role != Role.EMPLOYER_ADMIN:
        perm = "perform_enrollment"
    return access.function_groups(user, perm)


def get_enrollment_group_for(user, pk, perm="view_roster"):
    return get_object_or_404(enrollment_groups_for(user, perm), pk=pk)


def members_for(user, perm="view_roster"):
    """Every member (subscriber or dependent) of the groups the user may act on with `perm`."""
    from enrollment.models import Member

    return Member.objects.filter(group__in=_enrollment_scope(user, perm))


def subscribers_search_for(
    user, *, ssn="", name="", member_id="", status="", group=None, plan=None, sort="name"
):
    """The employees (subscribers) the user may see, searched and sorted.

    An SSN matches through its keyed digest, an indexed equality: no row is decrypted. `name`
    matches last names from their start, or "last, first". `sort` is a key of MEMBER_SORTS,
    "-" first for descending.
    """
    from enrollment.models import Member
    from portal.crypto import digest

    members = members_for(user).filter(relationship=Member.Relationship.SUBSCRIBER)
    if ssn:
        members = members.filter(ssn_digest=digest(ssn))
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        members = members.filter(last_name__istartswith=last, first_name__istartswith=first)
    elif name:
        members = members.filter(last_name__istartswith=name)
    if member_id:
        members = members.filter(member_id__iexact=member_id)
    if status:
        members = members.filter(status=status)
    if group is not None:
        members = members.filter(group=group)
    if plan is not None:
        members = members.filter(plan=plan)
    fields = MEMBER_SORTS.get(sort.removeprefix("-"), MEMBER_SORTS["name"])
    descending = "-" if sort.startswith("-") else ""
    ordering = [f"{descending}{field}" for field in (*fields, "pk")]
    return members.select_related("group", "plan").order_by(*ordering)


def get_member_for(user, pk):
    """A member of a group whose roster the user may see, or 404 (another suffix's member is
    the same as one that does not exist)."""
    return get_object_or_404(
        members_for(user).select_related("group__parent", "plan", "subscriber"), pk=pk
    )


def may_perform_enrollment(user, group):
    """Whether the user may enroll, change, cancel and reinstate members of `group`."""
    return _enrollment_scope(user, "perform_enrollment").filter(pk=group.pk).exists()


def family_with_coverage(subscriber):
    """The subscriber and their dependents, each with `coverages` (newest first) and plan."""
    from django.db.models import Prefetch

    from enrollment.models import Coverage, Member

    coverages = Prefetch(
        "coverages", queryset=Coverage.objects.select_related("plan").order_by("-start_date")
    )
    family = Member.objects.filter(Q(pk=subscriber.pk) | Q(subscriber=subscriber))
    members = family.select_related("plan").prefetch_related(coverages).order_by("dob", "pk")
    # The subscriber first (NULL sorts differently in SQLite and PostgreSQL), then by age.
    return sorted(members, key=lambda member: not member.is_subscriber)


def member_history(member):
    """The member's enrollment events, newest first, with who made them."""
    return member.events.select_related("by").order_by("-at", "-pk")


# Pay My Bill: the invoices of the groups the administrator may see with view_invoice.
INVOICE_SORTS = {
    "period": ("period_start", "group__number", "pk"),
    "group": ("group__number", "-period_start", "pk"),
    "amount": ("balance_due", "pk"),
    "due": ("due_date", "group__number", "pk"),
}
INVOICE_STATUSES = [
    ("open", "Open"),
    ("partially_paid", "Partially paid"),
    ("paid", "Paid"),
    ("past_due", "Past due"),
]


def _invoice_figures(today):
    """`paid` (the posted payments applied to the invoice) and `status`, in SQL so that the list
    filters and pages on them.

    An invoice's figures are the bill as issued; a payment made after it was issued is a Payment
    row applied to it (and appears as "payments" on the next bill). So an invoice is paid when
    it asked for nothing or its posted payments cover its balance due, past due when its due
    date has passed and it is not, partially paid when some payment was applied, open else.
    """
    from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Sum, Value, When
    from django.db.models.functions import Coalesce

    from billing.models import Payment

    posted = (
        Payment.objects.filter(invoice=OuterRef("pk"), status=Payment.Status.SETTLED)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    paid = Coalesce(Subquery(posted, output_field=money), Value(0), output_field=money)
    status = Case(
        When(Q(balance_due__lte=0) | Q(balance_due__lte=F("paid")), then=Value("paid")),
        When(due_date__lt=today, then=Value("past_due")),
        When(paid__gt=0, then=Value("partially_paid")),
        default=Value("open"),
    )
    return paid, status


def billing_groups_for(user, perm="view_invoice"):
    """The groups whose bills (view_invoice) or payments (view_payment_history) the user may
    see: an administrator's, or a broker office's by the employer's grant (see
    access.function_groups)."""
    return access.function_groups(user, perm).select_related("parent")


def invoices_for(user, *, today, sort="-period", group=None, status=""):
    """The invoices of the groups the user may see with view_invoice (an administrator, or a
    broker the employer granted it), each with `paid` and `status` (a key of INVOICE_STATUSES)
    as of `today`; `sort` is a key of INVOICE_SORTS, "-" first for descending."""
    from billing.models import Invoice

    paid, status_of = _invoice_figures(today)
    invoices = (
        Invoice.objects.filter(group__in=access.function_groups(user, "view_invoice"))
        .annotate(paid=paid)
        .annotate(status=status_of)
        .select_related("group")
    )
    if group is not None:
        invoices = invoices.filter(group=group)
    if status:
        invoices = invoices.filter(status=status)
    fields = INVOICE_SORTS.get(sort.removeprefix("-"), INVOICE_SORTS["period"])
    if sort.startswith("-"):
        fields = tuple(f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields)
    return invoices.order_by(*fields)


def get_invoice_for(user, pk, *, today):
    """An invoice of a group the user may see with view_invoice, or 404 (another suffix's bill
    is the same as one that does not exist)."""
    return get_object_or_404(invoices_for(user, today=today).select_related("group__parent"), pk=pk)


def invoice_lines(invoice):
    """The bill's lines in its own order (the billing system writes a family together), with
    member, subscriber and plan."""
    return invoice.lines.select_related("member__subscriber", "plan").order_by("pk")


def invoice_payments(invoice):
    """The payments applied to the bill, newest first, returned ones included."""
    return invoice.payment_set.order_by("-received_on", "-pk")


# Payment history: the payments of the groups the user may see with view_payment_history.
PAYMENT_SORTS = {
    "date": ("received_on", "pk"),
    "group": ("group__number", "-received_on", "-pk"),
    "amount": ("amount", "pk"),
    "status": ("status", "-received_on", "-pk"),
}


def payments_for(user, *, sort="-date", q="", group=None, status="", start=None, end=None):
    """The payments (scheduled, submitted, settled or returned) of the groups whose payment
    history the user may see, with group, invoice and account.

    `q` matches a payment's reference or confirmation number, or its invoice's number, exactly
    (case aside); `start` and `end` bound the payment date, both included; `sort` is a key of
    PAYMENT_SORTS, "-" first for descending.
    """
    from billing.models import Payment

    payments = Payment.objects.filter(
        group__in=access.function_groups(user, "view_payment_history")
    ).select_related("group", "invoice", "account")
    q = q.strip()
    if q:
        payments = payments.filter(
            Q(reference__iexact=q) | Q(gateway_reference__iexact=q) | Q(invoice__number__iexact=q)
        )
    if group is not None:
        payments = payments.filter(group=group)
    if status:
        payments = payments.filter(status=status)
    if start:
        payments = payments.filter(received_on__gte=start)
    if end:
        payments = payments.filter(received_on__lte=end)
    fields = PAYMENT_SORTS.get(sort.removeprefix("-"), PAYMENT_SORTS["date"])
    if sort.startswith("-"):
        fields = tuple(f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields)
    return payments.order_by(*fields)
