"""Reads for employer registration and Manage Accounts: registration keys, and the
administrators a user may manage. (selectors.py holds the reads about groups and documents.)"""

from collections import defaultdict

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, CharField, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404

from employers import access
from employers.models import EmployerAdmin, EmployerRegistrationKey
from employers.services import registration_key_digest
from enrollment.models import Employer, GroupUserObjectPermission
from portal.accounts.models import UserStatus


def registration_key_match(*, group_number, policyholder_id, key):
    """The registration key typed in, if it was issued for the employer that holds this
    policyholder ID and this group number (a suffix's or the parent group's); else None.

    Whether it can still be used (not used, replaced or expired) is the caller's question.
    """
    employers = Employer.objects.filter(policyholder_id=policyholder_id).filter(
        Q(parent_groups__number__iexact=group_number)
        | Q(parent_groups__suffixes__number__iexact=group_number)
    )
    return (
        EmployerRegistrationKey.objects.select_related("employer")
        .filter(employer__in=employers, digest=registration_key_digest(key))
        .first()
    )


# Manage Accounts: View and Edit Users.

# User.status in SQL (as the broker's staff list has it), so that the list filters and sorts by it.
USER_STATUS = Case(
    When(user__is_active=False, then=Value(UserStatus.DISABLED)),
    When(user__locked_at__isnull=False, then=Value(UserStatus.LOCKED)),
    When(user__password__startswith=UNUSABLE_PASSWORD_PREFIX, then=Value(UserStatus.PENDING)),
    default=Value(UserStatus.ACTIVE),
    output_field=CharField(),
)
# The levels from the widest down, for sorting by Role.
LEVEL_RANK = Case(
    *(When(level=level, then=Value(rank)) for rank, level in enumerate(EmployerAdmin.Level)),
    output_field=IntegerField(),
)
# The list's sort keys, as they appear in its URLs.
USER_SORTS = {
    "email": "user__email",
    "last_name": "user__last_name",
    "first_name": "user__first_name",
    "role": "level_rank",
    "status": "status_code",
    "created": "user__date_joined",
}


def admin_users_for(user, *, email="", last_name="", status="", sort="email"):
    """The administrators `user` may manage (employers.access.manageable_admins), with their
    user, `status_code` and `level_rank` annotated. `email` matches anywhere, `last_name` from
    the start, both ignoring case; `sort` is a key of USER_SORTS, "-" first for descending."""
    admins = (
        access.manageable_admins(user)
        .select_related("user")
        .annotate(status_code=USER_STATUS, level_rank=LEVEL_RANK)
    )
    if email:
        admins = admins.filter(user__email__icontains=email)
    if last_name:
        admins = admins.filter(user__last_name__istartswith=last_name)
    if status:
        admins = admins.filter(status_code=status)
    field = USER_SORTS.get(sort.removeprefix("-"), "user__email")
    descending = "-" if sort.startswith("-") else ""
    return admins.order_by(f"{descending}{field}", f"{descending}pk")


def get_admin_user_for(user, pk):
    """The administrator whose user is `pk`, if `user` may manage them; else 404, the same as
    for a user who does not exist (another suffix's, another employer's, themselves)."""
    return get_object_or_404(admin_users_for(user), user_id=pk)


def group_numbers_of(admins) -> dict:
    """The suffixes each of `admins` (group administrators and delegates) sees, by user id, in
    one query for a page of them."""
    user_ids = [admin.user_id for admin in admins if not admin.is_client_admin]
    rows = (
        GroupUserObjectPermission.objects.filter(
            user_id__in=user_ids, permission__codename="view_group"
        )
        .order_by("content_object__number")
        .values_list("user_id", "content_object__number")
    )
    numbers = defaultdict(list)
    for user_id, number in rows:
        numbers[user_id].append(number)
    return numbers
