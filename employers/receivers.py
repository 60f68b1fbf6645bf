"""What the employer audience does when the enrollment core reports a change: tell the people
who asked for enrollment notifications on that group, by email and in Recent Activity.

The core sends `enrollment.signals.enrollment_changed` after its transaction commits; it knows
nothing of employer administrators or broker offices, so finding them happens here.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse

from brokers.signals import broker_of_record_ended
from employers import services
from employers.models import EmployerAdmin
from enrollment.models import EnrollmentEvent, GroupGroupObjectPermission, GroupUserObjectPermission
from enrollment.signals import enrollment_changed
from portal.accounts.support import registration_resender
from portal.activity.services import activity_record
from portal.mail import absolute_url, email_send

NOTIFY_CODENAME = "receive_enrollment_notifications"


def notification_recipients(group):
    """Active users holding receive_enrollment_notifications on `group`: the employer's client
    administrators (who hold every function), administrators granted it on the group, and the
    users of broker offices the employer granted it to."""
    client_admins = Q(
        employer_admin__employer_id=group.parent.employer_id,
        employer_admin__level__in=[EmployerAdmin.Level.PRIMARY, EmployerAdmin.Level.SECONDARY],
    )
    # The direct-FK permission tables, read as plain rows: one query for all three kinds.
    granted = GroupUserObjectPermission.objects.filter(
        content_object=group, permission__codename=NOTIFY_CODENAME
    ).values("user_id")
    office_granted = GroupGroupObjectPermission.objects.filter(
        content_object=group, permission__codename=NOTIFY_CODENAME
    ).values("group_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(client_admins | Q(pk__in=granted) | Q(groups__in=office_granted))
        .select_related("employer_admin")
        .distinct()
    )


def change_summary(group, events):
    """One sentence, no names or IDs of members: email and Recent Activity are not the place
    for member data; the link leads to it behind the portal's access checks."""
    kinds = {event.get_kind_display().lower() for event in events}
    count = len({event.member_id for event in events})
    people = "1 member" if count == 1 else f"{count} members"
    return f"Enrollment change in group {group.number}: {', '.join(sorted(kinds))} ({people})."


@receiver(enrollment_changed, sender=EnrollmentEvent, dispatch_uid="employers-notify-enrollment")
def notify_enrollment_change(sender, *, group, events, by, **kwargs):
    if not events:
        return
    recipients = list(notification_recipients(group))
    if not recipients:
        return
    summary = change_summary(group, events)
    first = events[0].member
    subscriber_pk = first.subscriber_id or first.pk
    link = reverse("employers:enrollment-member", args=[subscriber_pk])
    employer_admins = [u for u in recipients if hasattr(u, "employer_admin")]
    others = [u for u in recipients if not hasattr(u, "employer_admin")]
    # Broker office users cannot open the employer portal's page, so theirs has no link.
    activity_record(recipients=employer_admins, summary=summary, actor=by, link=link)
    activity_record(recipients=others, summary=summary, actor=by)
    if employer_admins:
        email_send(
            to=[user.email for user in employer_admins],
            template="enrollment_change",
            context={"summary": summary, "group": group, "link": absolute_url(link)},
        )
    if others:
        email_send(
            to=[user.email for user in others],
            template="enrollment_change",
            context={"summary": summary, "group": group, "link": ""},
        )


@receiver(broker_of_record_ended, dispatch_uid="employers-end-broker-access")
def end_broker_access(sender, *, record, **kwargs):
    """A group's broker of record changed: what its employer granted the old broker there ends."""
    services.broker_access_end(broker=record.broker, group=record.group)


@registration_resender(services.USER_REGISTRATION_PURPOSE)
def resend_user_invitation(token, by):
    """Ops' Resend registration for a user an employer administrator invited: the same
    invitation from the same administrator, with a new link."""
    admin = EmployerAdmin.objects.select_related("user", "employer", "created_by").get(
        pk=token.payload["admin"]
    )
    services._invitation_send(admin=admin, by=admin.created_by or by)
