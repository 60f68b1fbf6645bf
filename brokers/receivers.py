"""What the broker app does when something happens to a user in the ground floor."""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from brokers import access, services
from brokers.models import ContractingRecord
from brokers.selectors import RegistrationRefusal, registration_refusal
from portal.accounts.models import Role
from portal.accounts.services import user_locked_out
from portal.accounts.support import registration_resender


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


REGISTRATION_REFUSED = {
    RegistrationRefusal.INACTIVE: "The broker's contracting record is not active.",
    RegistrationRefusal.SHARED_EMAIL: "Another contracting record has the same email address.",
    RegistrationRefusal.REGISTERED: "The broker has registered already.",
}


@registration_resender(services.REGISTRATION_PURPOSE)
def resend_broker_registration(token, by):
    """Ops' Resend registration for a broker who started registering from their contracting
    record: a new link to the record's email, if the record may still register."""
    record = ContractingRecord.objects.get(pk=token.payload["contracting_record"])
    refusal = registration_refusal(record)
    if refusal:
        raise ValidationError(REGISTRATION_REFUSED[refusal])
    services.broker_registration_send(record=record)


@registration_resender(services.STAFF_REGISTRATION_PURPOSE)
def resend_staff_invitation(token, by):
    services.office_staff_registration_resend(user=token.user, by=by)
