"""Object-permission filters over guardian's direct-foreign-key tables.

Audience `access.py` modules build on these. Guardian's own `get_objects_for_user` ORs two
`id IN (...)` subqueries that made PostgreSQL scan the whole table (see DESIGN.md); these are
`EXISTS` joins on the direct tables instead.
"""

from django.db.models import Exists, OuterRef
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model


def with_object_perm(queryset, user, codename):
    """The rows of `queryset` on which `user` holds `codename`, directly or through a group."""
    model = queryset.model
    # By name, not by a cached id: permission rows are recreated when a test database is flushed.
    perm = {
        "permission__codename": codename,
        "permission__content_type__app_label": model._meta.app_label,
        "permission__content_type__model": model._meta.model_name,
    }
    user_grants = get_user_obj_perms_model(model).objects.filter(
        content_object=OuterRef("pk"), user=user, **perm
    )
    group_grants = get_group_obj_perms_model(model).objects.filter(
        content_object=OuterRef("pk"), group__user=user, **perm
    )
    return queryset.filter(Exists(user_grants) | Exists(group_grants))
