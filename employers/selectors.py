from django.shortcuts import get_object_or_404

from employers import access


def groups_for(user, perm="view_group"):
    """The employer's groups this administrator may act on."""
    return access.visible_groups(user, perm).select_related("parent")


def get_group_for(user, pk, perm="view_group"):
    return get_object_or_404(groups_for(user, perm), pk=pk)
