from django.shortcuts import get_object_or_404

from providers import access


def tax_ids_for(user, perm="check_eligibility"):
    """The Tax IDs the user may work under with `perm`."""
    return access.visible_tax_ids(user, perm)


def get_tax_id_for(user, pk, perm="check_eligibility"):
    return get_object_or_404(tax_ids_for(user, perm), pk=pk)
