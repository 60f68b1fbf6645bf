from django.db import connection, transaction

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
    common = {
        "user": agent or (request.user if request.user.is_authenticated else None),
        "acting_as": getattr(request, "acting_as", None),
        "action": action,
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "path": request.path[:300],
    }
    _insert([AuditEvent(object_type=kind, object_id=pk, **common) for kind, pk in rows])


def _insert(events):
    """Write `events` in one multi-row INSERT, in autocommit: one statement is atomic by itself.

    bulk_create wraps its INSERT in a transaction (BEGIN and COMMIT, two more round trips) and
    compiles it through the ORM: with the rows built, that was twice the INSERT's own time on
    the claim list's 25 rows (bench provider-claim-status-first-page). The values are prepared
    by the model's fields, as save() prepares them (`at` is set by its auto_now_add). More rows
    than one statement takes (an export's thousands of ids) are batched in a transaction, as
    bulk_create batches them.
    """
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    size = connection.ops.bulk_batch_size(fields, events)
    if len(events) > size:
        with transaction.atomic():
            for start in range(0, len(events), size):
                _insert(events[start : start + size])
        return
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(field.pre_save(event, add=True), connection)
        for event in events
        for field in fields
    ]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(events))}",  # noqa: S608
            params,
        )


def audit_record_for_user(*, user, action, object_type, object_ids=(), path=""):
    """The same record for work done outside a request (a Celery task on the user's behalf)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, action=action, object_type=object_type, object_id=str(pk), path=path)
        for pk in (object_ids or [""])
    )
