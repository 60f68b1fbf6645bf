"""The bank side of payments: a payment-gateway interface, and the sandbox that implements it.

`PAYMENT_GATEWAY` (a dotted path, settings) names the class; `gateway()` returns one. A real
gateway is one more subclass of `PaymentGateway` and a change of that setting.

The sandbox (`SandboxGateway`) needs no network and no bank. Its schedule, which the demo and
the tests rely on:

- **Tokens**: "sandbox_" and an HMAC-SHA256 of the routing and account numbers keyed with
  SECRET_KEY, plus a random suffix (an account removed and added again gets a new token, as a
  real gateway's vault would give). The account number itself is never kept anywhere.
- **Submission**: accepted at once; the reference is "SBX-" and twelve random hex digits.
- **Outcome**: a submitted payment is decided one business day (Monday to Friday, less the
  holidays of settings.BUSINESS_DAY_HOLIDAYS, the Federal Reserve's by default; see
  portal/business_days.py) after the day it was submitted. Until then it is still pending.
  On that day it is **returned** with "R01 Insufficient funds" when its amount ends in .13 or
  its account number ends in 0000, and **settled** otherwise.
"""

import abc
import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.business_days import business_days_after


class GatewayError(Exception):
    """The gateway refused or could not be reached; the message is for the person asking."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What the bank says of a submitted payment: PENDING, or SETTLED / RETURNED on a day."""

    PENDING = "pending"
    SETTLED = "settled"
    RETURNED = "returned"

    status: str
    on: datetime.date | None = None
    reason: str = ""


class PaymentGateway(abc.ABC):
    """What the portal asks of a bank-payment (ACH) gateway."""

    @abc.abstractmethod
    def tokenize_account(self, *, routing_number: str, account_number: str) -> str:
        """Hand the account number to the gateway's vault; returns the token that stands for it."""

    @abc.abstractmethod
    def submit(self, payment) -> str:
        """Send `payment` (a billing.Payment with its account) to the bank; returns the
        gateway's reference. `payment.pk` is the gateway's idempotency key, so a retry after a
        lost answer never debits twice."""

    @abc.abstractmethod
    def outcome(self, payment, *, today: datetime.date) -> Outcome:
        """Whether a submitted payment has settled or been returned, as of `today`."""


class SandboxGateway(PaymentGateway):
    """The documented schedule of the module docstring, for the demo, the tests and CI."""

    RETURN_REASON = "R01 Insufficient funds"
    RETURNED_CENTS = 13
    RETURNED_ACCOUNT_ENDING = "0000"

    def tokenize_account(self, *, routing_number, account_number):
        digest = hmac.new(
            settings.SECRET_KEY.encode(),
            f"{routing_number}:{account_number}".encode(),
            hashlib.sha256,
        ).hexdigest()
        return f"sandbox_{digest[:40]}_{secrets.token_hex(4)}"

    def submit(self, payment):
        return f"SBX-{secrets.token_hex(6).upper()}"

    def outcome(self, payment, *, today):
        submitted_on = timezone.localdate(payment.submitted_at)
        decided_on = business_days_after(submitted_on)
        if today < decided_on:
            return Outcome(Outcome.PENDING)
        cents = int((Decimal(payment.amount) * 100) % 100)
        if (
            cents == self.RETURNED_CENTS
            or payment.account.account_last4 == self.RETURNED_ACCOUNT_ENDING
        ):
            return Outcome(Outcome.RETURNED, decided_on, self.RETURN_REASON)
        return Outcome(Outcome.SETTLED, decided_on)


def gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()
