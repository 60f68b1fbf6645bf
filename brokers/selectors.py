from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from brokers import access
from brokers.models import Broker, ContractingRecord
from portal import crypto
from portal.accounts.models import Role, User


def groups_for(user, perm="view_group"):
    """The groups in the user's office's book of business (or holding `perm`)."""
    return access.visible_groups(user, perm).select_related("parent")


def get_group_for(user, pk, perm="view_group"):
    """One group of the user's book, or 404: the same answer as for a group that doesn't exist."""
    return get_object_or_404(groups_for(user, perm), pk=pk)


class RegistrationRefusal:
    """Why a matched contracting record can't be used to register; each has its own page."""

    INACTIVE = "inactive"
    SHARED_EMAIL = "shared_email"
    REGISTERED = "registered"


def contracting_record_match(*, npn: str, tax_id: str):
    """The contracting record with this NPN and Tax ID (nine digits), or None."""
    return ContractingRecord.objects.filter(npn=npn, tax_id_digest=crypto.digest(tax_id)).first()


def contracting_records_sharing_email(email: str):
    # Written as Lower(email) so that the contracting_email_ci index answers it.
    return ContractingRecord.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=email.lower()
    )


def registration_refusal(record) -> str | None:
    """Why the broker of a contracting record may not register now, or None if they may.

    A pending user the broker's own earlier Send Email created is no obstacle: registering
    again just sends a new link to it.
    """
    if record.status != ContractingRecord.Status.ACTIVE:
        return RegistrationRefusal.INACTIVE
    if contracting_records_sharing_email(record.email).count() > 1:
        return RegistrationRefusal.SHARED_EMAIL
    if Broker.objects.filter(npn=record.npn, user__isnull=False).exists():
        return RegistrationRefusal.REGISTERED
    existing = User.objects.filter(email__iexact=record.email).first()
    if existing is not None and (
        existing.has_usable_password()
        or existing.role != Role.BROKER
        or Broker.objects.filter(user=existing).exists()
    ):
        return RegistrationRefusal.REGISTERED
    return None
