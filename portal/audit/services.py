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
    events = [AuditEvent(object_type=kind, object_id=pk, **common) for kind, pk in rows]
    if len(events) == 1:
        # One row is one INSERT, atomic by itself: bulk_create would wrap it in a transaction,
        # two more round trips on every audited page.
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)


def audit_record_for_user(*, user, action, object_type, object_ids=(), path=""):
    """The same record for work done outside a request (a Celery task on the user's behalf)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, action=action, object_type=object_type, object_id=str(pk), path=path)
        for pk in (object_ids or [""])
    )
