from django.shortcuts import get_object_or_404

from brokers import access


def groups_for(user, perm="view_group"):
    """The groups in the user's office's book of business (or holding `perm`)."""
    return access.visible_groups(user, perm).select_related("parent")


def get_group_for(user, pk, perm="view_group"):
    """One group of the user's book, or 404: the same answer as for a group that doesn't exist."""
    return get_object_or_404(groups_for(user, perm), pk=pk)
