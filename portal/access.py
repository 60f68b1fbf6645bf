"""Object-permission filters over guardian's direct-foreign-key tables.

Audience `access.py` modules build on these. Guardian's own `get_objects_for_user` ORs two
`id IN (...)` subqueries that made PostgreSQL scan the whole table (see DESIGN.md); these are
`EXISTS` joins on the direct tables instead.
"""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model


def with_object_perm(queryset, user, codename):
    """The rows of `queryset` on which `user` holds `codename`, directly or through a group."""
    model = queryset.model
    # The permission's id is looked up first, by name (not cached: permission rows are recreated
    # when a test database is flushed). Joined into both subqueries instead, it cost PostgreSQL
    # ~10 ms a query just to plan, at a million members.
    permission_id = (
        Permission.objects.filter(
            codename=codename,
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )
        .values_list("pk", flat=True)
        .first()
    )
    user_grants = get_user_obj_perms_model(model).objects.filter(
        content_object=OuterRef("pk"), user=user, permission_id=permission_id
    )
    group_grants = get_group_obj_perms_model(model).objects.filter(
        content_object=OuterRef("pk"), group__user=user, permission_id=permission_id
    )
    return queryset.filter(Exists(user_grants) | Exists(group_grants))
