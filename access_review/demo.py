"""The security reviews' part of the demo: one of employer@'s employees has an audit history
(broker@ viewed them, employer@ changed them, staff@ exported their group's roster), so ops@
sees it on the member's admin page and in the audit log's filters, and the access review of
that suffix has every kind of grant (client administrator, group administrator, broker of
record, employer's grant, upline access).

Runs after the logins exist; draws nothing from `world.rng`.
"""

from enrollment.models import Member
from portal.audit.models import AuditEvent

EVENTS = (
    ("broker@demo.test", AuditEvent.Action.VIEW, "/brokers/subscribers/{member}/"),
    ("employer@demo.test", AuditEvent.Action.CHANGE, "/employers/enrollment/members/{member}/"),
    ("staff@demo.test", AuditEvent.Action.EXPORT, "/jobs/"),
    ("employer@demo.test", AuditEvent.Action.VIEW, "/employers/enrollment/members/{member}/"),
)


def audit_history_demo(world, users):
    groups = world.tenants.employer_groups
    if not groups:
        return
    member = Member.objects.filter(group=groups[0], subscriber__isnull=True).order_by("pk").first()
    if member is None:
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=users[email],
            action=action,
            object_type="enrollment.Member",
            object_id=str(member.pk),
            path=path.format(member=member.pk),
        )
        for email, action, path in EVENTS
        if email in users
    )
