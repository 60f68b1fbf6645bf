from django.db import connection
from django.utils import timezone

from portal.audit.models import AuditEvent


def audit_record(*, request, action, objects=(), object_type="", object_ids=()):
    """Record that the request's user saw, searched, exported or changed member data.

    Pass model instances as `objects`, or a type label and ids. One row per object, so that
    "who has seen member X" is one indexed query.
    """
    rows = [(type(obj)._meta.label, str(obj.pk)) for obj in objects]
    rows += [(object_type, str(pk)) for pk in object_ids]
    if not rows:
        rows = [(object_type, "")]
    # While ops assume a user's identity (read-only), request.user is that user and the row is
    # the agent's, "acting as" the user (portal.accounts.assumed_identity).
    agent = getattr(request, "assumed_by", None)
    user = agent or (request.user if request.user.is_authenticated else None)
    acting_as = getattr(request, "acting_as", None)
    _insert(
        rows,
        at=timezone.now(),
        user_id=user.pk if user else None,
        acting_as_id=acting_as.pk if acting_as else None,
        action=action,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        path=request.path[:300],
    )


def _insert(rows, **common):
    """Write one row per (object_type, object_id) in `rows`, each with the `common` columns, in
    one statement (atomic by itself, so no transaction around it).

    On PostgreSQL that statement is short whatever the number of rows: the types and ids go
    as two arrays. The multi-row INSERT it replaces had eight parameters a row, too long a
    statement for psycopg's cache, so psycopg parsed it and quoted its 200 values afresh on
    every claim list page: most of that page's audit time (bench
    provider-claim-status-first-page).
    """
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(
            AuditEvent(object_type=kind, object_id=pk, **common) for kind, pk in rows
        )
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    kinds, ids = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - the table name is formatted in, values are params
            "(at, user_id, acting_as_id, action, ip_address, path, object_type, object_id) "
            "SELECT %s, %s, %s, %s, %s::inet, %s, kind, id "
            "FROM unnest(%s::varchar[], %s::varchar[]) AS rows (kind, id)",
            [
                common["at"],
                common["user_id"],
                common["acting_as_id"],
                common["action"],
                common["ip_address"],
                common["path"],
                list(kinds),
                list(ids),
            ],
        )


def audit_record_for_user(*, user, action, object_type, object_ids=(), path=""):
    """The same record for work done outside a request (a Celery task on the user's behalf)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, action=action, object_type=object_type, object_id=str(pk), path=path)
        for pk in (object_ids or [""])
    )
