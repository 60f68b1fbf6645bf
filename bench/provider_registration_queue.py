"""Provider relations' registration queue in the admin, as ops@: the queue's first page
(awaiting verification first, oldest first) and one request beside the carrier's records.

The seed files a handful of requests; a carrier that has run the portal for years has tens of
thousands, nearly all decided, so the setup tops the table up to REQUESTS (one in twenty still
pending) before timing. The rows are kept in the bench database for later runs.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from bench import scenario
from providers.models import RegistrationRequest
from providers.registration import transaction_id_new

QUEUE = "/admin/providers/registrationrequest/"
REQUESTS = 20_000
PENDING_EVERY = 20


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _requests():
    missing = REQUESTS - RegistrationRequest.objects.count()
    now = timezone.now()
    Status = RegistrationRequest.Status
    rows = []
    for n in range(max(0, missing)):
        submitted = now - datetime.timedelta(hours=7 * n)
        decided = n % PENDING_EVERY
        rows.append(
            RegistrationRequest(
                transaction_id=transaction_id_new(),
                account_type="medical_group",
                user_type="delegated_admin",
                regions=["northern"],
                organization_name=f"Bench Medical Group {n}",
                tax_id_number=f"88{n:07d}",
                first_name="Bench",
                last_name=f"Registrant {n}",
                email=f"bench{n}@registration.example",
                phone="916-555-0100",
                terms_accepted_at=submitted,
                status=(Status.REJECTED if n % 3 else Status.COMPLETED)
                if decided
                else Status.PENDING,
                decided_at=submitted + datetime.timedelta(days=1) if decided else None,
                rejection_reason="Not under contract." if decided and n % 3 else "",
            )
        )
    created = RegistrationRequest.objects.bulk_create(rows, batch_size=2000)
    # submitted_at is set on insert; spread the rows over the years they stand for.
    RegistrationRequest.objects.filter(pk__in=[row.pk for row in created]).update(
        submitted_at=F("terms_accepted_at")
    )


@scenario("provider-registration-queue", baseline="bare-view", repeat=100)
def registration_queue(ctx):
    """The registration queue's first page as ops@: pending first, oldest first, with targets."""
    _requests()
    client = ctx.client_for("ops@demo.test")
    return lambda: _get(client, QUEUE)


@scenario("provider-registration-request", baseline="bare-view", repeat=100)
def registration_request(ctx):
    """The oldest pending request as ops@, beside the participating-provider records."""
    _requests()
    oldest = (
        RegistrationRequest.objects.filter(status=RegistrationRequest.Status.PENDING)
        .order_by("submitted_at")
        .first()
    )
    client = ctx.client_for("ops@demo.test")
    return lambda: _get(client, f"{QUEUE}{oldest.pk}/change/")
