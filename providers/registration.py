"""Provider office registration: who may register, the verification queue provider relations
work through, and finishing an account from the emailed link.

A solo practitioner whose license, NPI and Tax ID match a participating practitioner gets their
access at once; every other request waits for provider relations (target: a few business days,
from the carrier file). Either way the person finishes with the same emailed link as brokers and
employers: password, terms and an authenticator (portal.accounts.services).
"""

import datetime
import secrets
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.accounts.services import (
    REGISTRATION_LINK_LIFETIME,
    pending_user_create,
    registration_complete,
    registration_token_issue,
)
from portal.accounts.support import registration_resender
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.business_days import business_days_after
from portal.mail import absolute_url, email_send
from providers.access import END_USER_FUNCTIONS
from providers.models import (
    Practitioner,
    ProviderOrganization,
    ProviderUser,
    RegistrationRequest,
    TaxId,
)
from providers.services import provider_user_add

REGISTRATION_PURPOSE = "provider_registration"
# PR-XXXX-XXXX: eight characters without the ones people misread (0/O, 1/I), about 40 bits.
# It is a reference to quote, not a key: the emailed link is what completes a registration.
TRANSACTION_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A solo practitioner registers as their own office's administrator and its first end user,
# with every function on their Tax ID (the seed: "check claims and eligibility" at once).
SOLO_FUNCTIONS = tuple(f for f in END_USER_FUNCTIONS if f != "check_eligibility")

Org = ProviderOrganization
Status = RegistrationRequest.Status
UserType = RegistrationRequest.UserType


def carrier_registration() -> dict:
    """The carrier file's provider registration block: regions, review target, participation."""
    return settings.CARRIER.get("provider_registration", {})


def regions() -> list[tuple[str, str]]:
    return [(r["code"], r["name"]) for r in carrier_registration().get("regions", [])]


def review_business_days() -> int:
    return int(carrier_registration().get("review_business_days", 2))


# Reads -------------------------------------------------------------------------------------


class Outcome:
    INSTANT = "instant"
    VERIFY = "verify"
    NOT_PARTICIPATING = "not_participating"


@dataclass(frozen=True)
class Assessment:
    """What the participating-provider records say about a registration."""

    outcome: str
    tax_id: TaxId | None = None
    practitioner: Practitioner | None = None


def registration_assess(
    *,
    account_type: str,
    user_type: str,
    tax_id_number: str,
    npi: str = "",
    license_state: str = "",
    license_number: str = "",
) -> Assessment:
    """Match a registration against the carrier's records.

    Not participating: a physician's license belongs to a practitioner the records mark as not
    participating, a solo practitioner's license is not on file at all, or an organisation's Tax
    ID is on file with practitioners none of whom participates.
    At once: a solo practitioner whose license, NPI and Tax ID are one participating
    practitioner's, in an approved office nobody has registered for yet (an office with users has
    an administrator who adds colleagues; a stranger claiming it is for provider relations).
    Everything else is verified by provider relations.
    """
    tax_id = TaxId.objects.select_related("organization").filter(number=tax_id_number).first()
    if account_type != Org.OrgType.PHYSICIAN:
        if tax_id is not None:
            practitioners = Practitioner.objects.filter(tax_ids=tax_id)
            if practitioners.exists() and not practitioners.filter(is_participating=True).exists():
                return Assessment(Outcome.NOT_PARTICIPATING, tax_id)
        return Assessment(Outcome.VERIFY, tax_id)

    practitioner = Practitioner.objects.filter(
        license_state=license_state, license_number__iexact=license_number
    ).first()
    if practitioner is not None and not practitioner.is_participating:
        return Assessment(Outcome.NOT_PARTICIPATING, tax_id, practitioner)
    if practitioner is None:
        if user_type == UserType.SOLO_PRACTITIONER:
            return Assessment(Outcome.NOT_PARTICIPATING, tax_id)
        return Assessment(Outcome.VERIFY, tax_id)
    instant = (
        user_type == UserType.SOLO_PRACTITIONER
        and tax_id is not None
        and practitioner.npi == npi
        and tax_id.organization.status == Org.Status.APPROVED
        and practitioner.tax_ids.filter(pk=tax_id.pk).exists()
        and not ProviderUser.objects.filter(organization_id=tax_id.organization_id).exists()
    )
    return Assessment(Outcome.INSTANT if instant else Outcome.VERIFY, tax_id, practitioner)


def registration_email_in_use(email: str) -> bool:
    """Whether `email` already has a portal account (registered or pending) or a request
    awaiting verification: one person, one account, one request at a time."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
        or RegistrationRequest.objects.filter(email__iexact=email, status=Status.PENDING).exists()
    )


def registration_due_on(registration: RegistrationRequest) -> datetime.date:
    """The carrier's target for deciding a request: N business days after it arrived."""
    submitted = timezone.localdate(registration.submitted_at)
    return business_days_after(submitted, review_business_days())


def registration_is_overdue(registration: RegistrationRequest, today=None) -> bool:
    today = today or timezone.localdate()
    return registration.status == Status.PENDING and today > registration_due_on(registration)


@dataclass
class Matches:
    """The carrier's records a reviewer compares a request with, looked up afresh."""

    tax_id: TaxId | None
    by_license: Practitioner | None
    by_npi: Practitioner | None
    tax_id_practitioners: list = field(default_factory=list)
    office_users: int = 0

    @property
    def license_on_tax_id(self) -> bool:
        return self.by_license is not None and any(
            p.pk == self.by_license.pk for p in self.tax_id_practitioners
        )


def registration_matches(registration: RegistrationRequest, *, limit=25) -> Matches:
    tax_id = (
        TaxId.objects.select_related("organization")
        .filter(number=registration.tax_id_number)
        .first()
    )
    by_license = by_npi = None
    if registration.license_number:
        by_license = (
            Practitioner.objects.select_related("organization")
            .filter(
                license_state=registration.license_state,
                license_number__iexact=registration.license_number,
            )
            .first()
        )
    if registration.npi:
        by_npi = (
            Practitioner.objects.select_related("organization").filter(npi=registration.npi).first()
        )
    practitioners, users = [], 0
    if tax_id is not None:
        practitioners = list(
            Practitioner.objects.filter(tax_ids=tax_id).order_by("last_name", "first_name")[:limit]
        )
        users = ProviderUser.objects.filter(organization_id=tax_id.organization_id).count()
    return Matches(tax_id, by_license, by_npi, practitioners, users)


# Writes ------------------------------------------------------------------------------------


class RegistrationRefused(Exception):
    """The registration can't go ahead; `reason` says why, for the page that explains."""

    NOT_PARTICIPATING = "not_participating"
    EMAIL_IN_USE = "email_in_use"

    def __init__(self, reason, assessment=None):
        super().__init__(reason)
        self.reason = reason
        self.assessment = assessment


def transaction_id_new() -> str:
    for _ in range(10):
        raw = "".join(secrets.choice(TRANSACTION_ID_ALPHABET) for _ in range(8))
        candidate = f"PR-{raw[:4]}-{raw[4:]}"
        if not RegistrationRequest.objects.filter(transaction_id=candidate).exists():
            return candidate
    # 10 collisions in a space of 10^12 means something else is wrong.
    raise RuntimeError("Could not find an unused transaction ID.")


def _contact():
    return settings.CARRIER["contacts"]["provider"][0]


@transaction.atomic
def registration_submit(
    *,
    account_type: str,
    user_type: str,
    regions: list,
    details: dict,
    terms_accepted_at: datetime.datetime,
) -> RegistrationRequest:
    """Record a registration and act on what the records say.

    A match (see registration_assess) is approved at once: the practitioner's office gets a
    pending user with every function on the Tax ID, emailed a link to finish. Anything else is
    a pending request with a transaction ID, emailed as a receipt. Raises RegistrationRefused,
    saving nothing, for a non-participating provider or an email address already in use.
    """
    if account_type != Org.OrgType.PHYSICIAN:
        # Only physicians register as solo practitioners; organisations by their administrator.
        user_type = UserType.DELEGATED_ADMIN
    if registration_email_in_use(details["email"]):
        raise RegistrationRefused(RegistrationRefused.EMAIL_IN_USE)
    assessment = registration_assess(
        account_type=account_type,
        user_type=user_type,
        tax_id_number=details["tax_id_number"],
        npi=details.get("npi", ""),
        license_state=details.get("license_state", ""),
        license_number=details.get("license_number", ""),
    )
    if assessment.outcome == Outcome.NOT_PARTICIPATING:
        raise RegistrationRefused(RegistrationRefused.NOT_PARTICIPATING, assessment)
    registration = RegistrationRequest.objects.create(
        transaction_id=transaction_id_new(),
        account_type=account_type,
        user_type=user_type,
        regions=list(regions),
        terms_accepted_at=terms_accepted_at,
        matched_tax_id=assessment.tax_id,
        matched_practitioner=assessment.practitioner,
        **details,
    )
    if assessment.outcome == Outcome.INSTANT:
        _registration_open(registration, assessment.tax_id, by=None)
    else:
        email_send(
            to=[registration.email],
            template="provider_registration_received",
            context={
                "registration": registration,
                "due_on": registration_due_on(registration),
                "business_days": review_business_days(),
                "contact": _contact(),
            },
        )
    return registration


def _registration_open(registration, tax_id, *, by):
    """Give the registrant their pending account in `tax_id`'s office and email the link."""
    user = pending_user_create(
        email=registration.email,
        first_name=registration.first_name,
        last_name=registration.last_name,
        role=Role.PROVIDER_USER,
    )
    solo = registration.user_type == UserType.SOLO_PRACTITIONER
    provider_user_add(
        organization=tax_id.organization,
        user=user,
        # The seed: a delegated administrator sees no patient data until they add themselves
        # as an end user; a solo practitioner is both from the start.
        is_delegated_admin=True,
        tax_ids=[tax_id] if solo else (),
        functions=SOLO_FUNCTIONS if solo else (),
        by=by,
    )
    registration.status = Status.APPROVED
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.user = user
    registration.matched_tax_id = tax_id
    registration.save(
        update_fields=["status", "decided_at", "decided_by", "user", "matched_tax_id"]
    )
    _link_send(registration)


def _link_send(registration):
    token = registration_token_issue(
        user=registration.user,
        purpose=REGISTRATION_PURPOSE,
        payload={"registration": registration.pk},
    )
    email_send(
        to=[registration.user.email],
        template="provider_registration_link",
        context={
            "registration": registration,
            "link": absolute_url(reverse("providers:register-complete", args=[token])),
            "hours": int(REGISTRATION_LINK_LIFETIME.total_seconds() // 3600),
            "contact": _contact(),
        },
    )
    return token


def _decision_record(registration, by):
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="providers.RegistrationRequest",
        object_ids=[registration.pk],
    )


def _pending_for_decision(registration) -> RegistrationRequest:
    locked = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
    if locked.status != Status.PENDING:
        raise ValidationError(
            f"{locked.transaction_id} was already decided: {locked.get_status_display()}."
        )
    return locked


@transaction.atomic
def registration_request_approve(*, registration: RegistrationRequest, by: User):
    """Provider relations approve a pending request: the office and Tax ID are found or made,
    the registrant becomes its delegated administrator (a solo practitioner also its end user on
    the Tax ID) and gets the link to finish. ValidationError, changing nothing, when the request
    was decided meanwhile, the email address got an account, or the Tax ID's office is closed."""
    registration = _pending_for_decision(registration)
    if User.objects.filter(email__iexact=registration.email).exists():
        raise ValidationError(
            f"A portal user with the email address {registration.email} already exists. "
            "Reject the request, saying so, or change that user first."
        )
    tax_id = (
        TaxId.objects.select_related("organization")
        .filter(number=registration.tax_id_number)
        .first()
    )
    if tax_id is None:
        organization = Org.objects.create(
            name=registration.organization_name,
            org_type=registration.account_type,
            status=Org.Status.APPROVED,
        )
        tax_id = TaxId.objects.create(
            organization=organization,
            number=registration.tax_id_number,
            name=registration.organization_name,
        )
    elif tax_id.organization.status in (Org.Status.REJECTED, Org.Status.SUSPENDED):
        raise ValidationError(
            f"The office on file for Tax ID {tax_id.number}, {tax_id.organization}, is "
            f"{tax_id.organization.get_status_display().lower()}. Change its status first, or "
            "reject the request."
        )
    elif tax_id.organization.status == Org.Status.PENDING:
        tax_id.organization.status = Org.Status.APPROVED
        tax_id.organization.save(update_fields=["status"])
    _registration_open(registration, tax_id, by=by)
    _decision_record(registration, by)
    return registration


@transaction.atomic
def registration_request_reject(*, registration: RegistrationRequest, reason: str, by: User):
    """Provider relations turn a pending request down, and the registrant is emailed why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the request is rejected: the registrant is emailed it.")
    registration = _pending_for_decision(registration)
    registration.status = Status.REJECTED
    registration.rejection_reason = reason
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    email_send(
        to=[registration.email],
        template="provider_registration_rejected",
        context={"registration": registration, "contact": _contact()},
    )
    _decision_record(registration, by)
    return registration


@transaction.atomic
def registration_link_resend(*, registration: RegistrationRequest, by: User):
    """A new link for an approved registration that was not finished; the old one stops."""
    registration = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Status.APPROVED or registration.user is None:
        raise ValidationError(
            f"{registration.transaction_id} is {registration.get_status_display().lower()}: "
            "only an approved, unfinished registration gets a new link."
        )
    _link_send(registration)
    _decision_record(registration, by)
    return registration


@transaction.atomic
def provider_registration_complete(*, token, password: str, totp_secret: str) -> User:
    """Finish a provider registration from its emailed link: password, terms and second factor
    (portal.accounts.services.registration_complete), and the request is completed."""
    user = registration_complete(token=token, password=password, totp_secret=totp_secret)
    registration = RegistrationRequest.objects.select_for_update().get(
        pk=token.payload["registration"]
    )
    registration.status = Status.COMPLETED
    registration.save(update_fields=["status"])
    profile = ProviderUser.objects.get(user=user)
    profile.terms_accepted_at = user.terms_accepted_at
    profile.save(update_fields=["terms_accepted_at"])
    # The office's other administrators should know someone new manages its users.
    colleagues = ProviderUser.objects.filter(
        organization_id=profile.organization_id, is_delegated_admin=True
    ).exclude(user=user)
    activity_record(
        recipients=[colleague.user for colleague in colleagues.select_related("user")],
        summary=f"{user.display_name} registered as a delegated administrator of "
        f"{registration.organization_name} (transaction ID {registration.transaction_id}).",
        actor=user,
    )
    email_send(
        to=[user.email],
        template="provider_registration_active",
        context={
            "user": user,
            "registration": registration,
            "sign_in_url": absolute_url(reverse("providers:sign-in")),
        },
    )
    return user


def queue_ordering() -> list:
    """The queue's order: requests awaiting verification first, oldest first within each."""
    awaiting = Case(When(status=Status.PENDING, then=Value(0)), default=Value(1))
    return [awaiting.asc(), "submitted_at", "pk"]


def pending_first():
    return RegistrationRequest.objects.order_by(*queue_ordering())


@registration_resender(REGISTRATION_PURPOSE)
def _registration_link_resend_for_ops(token, by):
    """Ops' Resend registration in the user admin, for an approved request not yet finished."""
    registration_link_resend(
        registration=RegistrationRequest.objects.get(pk=token.payload["registration"]), by=by
    )
