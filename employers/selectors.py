from django.db.models import Q
from django.shortcuts import get_object_or_404

from employers import access
from enrollment.models import Employer
from portal.accounts.models import User


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
