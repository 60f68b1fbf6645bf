"""What the broker app does when something happens to a user in the ground floor."""

from django.dispatch import receiver

from brokers import access, services
from portal.accounts.models import Role
from portal.accounts.services import user_locked_out


@receiver(user_locked_out)
def tell_the_broker_a_staff_user_was_locked_out(sender, user, **kwargs):
    if user.role != Role.BROKER_STAFF:
        return
    broker = access.broker_for(user)
    if broker is not None:
        services.office_activity_record(
            broker=broker,
            summary=f"{user.display_name} ({user.email}) was locked out after too many "
            "failed sign-in attempts.",
        )
