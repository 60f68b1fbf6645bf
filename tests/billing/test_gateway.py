"""The payment gateway: chosen by the PAYMENT_GATEWAY setting, and the sandbox's documented
schedule (tokens that never hold the account number; decided one business day after
submission; returned for an amount ending .13 or an account ending 0000)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from billing import gateway as gateway_module
from billing.gateway import Outcome, PaymentGateway, SandboxGateway
from portal.business_days import business_days_after


def _payment(
    amount="100.00",
    last4="6789",
    submitted=datetime.datetime(2026, 11, 25, 18, tzinfo=datetime.UTC),
):
    return SimpleNamespace(
        amount=Decimal(amount),
        submitted_at=submitted,
        account=SimpleNamespace(account_last4=last4),
    )


def test_a_token_never_holds_the_account_number_and_is_new_each_time():
    sandbox = SandboxGateway()
    first = sandbox.tokenize_account(routing_number="011000015", account_number="123456789")
    second = sandbox.tokenize_account(routing_number="011000015", account_number="123456789")
    assert first.startswith("sandbox_") and "123456789" not in first
    assert first != second
    # The keyed digest part is the same for the same account: the vault knows it again.
    assert first.rsplit("_", 1)[0] == second.rsplit("_", 1)[0]
    assert len(first) <= 100


@pytest.mark.parametrize(
    "day, expected",
    [
        (datetime.date(2026, 11, 24), datetime.date(2026, 11, 25)),  # Tuesday -> Wednesday
        (datetime.date(2026, 11, 25), datetime.date(2026, 11, 27)),  # over Thanksgiving
        (datetime.date(2026, 11, 27), datetime.date(2026, 11, 30)),  # Friday -> Monday
        (datetime.date(2026, 11, 28), datetime.date(2026, 11, 30)),  # Saturday -> Monday
        (datetime.date(2026, 12, 24), datetime.date(2026, 12, 28)),  # over Christmas
        (datetime.date(2027, 7, 2), datetime.date(2027, 7, 6)),  # July 4th observed Monday
    ],
)
def test_the_next_business_day_skips_weekends_and_federal_reserve_holidays(day, expected):
    assert business_days_after(day) == expected


def test_the_holiday_calendar_comes_from_settings(settings):
    settings.BUSINESS_DAY_HOLIDAYS = "NYSE"  # closed on Good Friday, unlike the Fed
    assert business_days_after(datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 6)
    settings.BUSINESS_DAY_HOLIDAYS = "FED"
    assert business_days_after(datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 3)


# Submitted on Wednesday 11/25/2026: Thanksgiving (a Federal Reserve holiday) comes between, so
# the payment is decided on Friday.
@pytest.mark.parametrize(
    "amount, last4, today, expected",
    [
        ("100.00", "6789", datetime.date(2026, 11, 25), Outcome(Outcome.PENDING)),
        ("100.00", "6789", datetime.date(2026, 11, 26), Outcome(Outcome.PENDING)),
        (
            "100.00",
            "6789",
            datetime.date(2026, 11, 27),
            Outcome(Outcome.SETTLED, datetime.date(2026, 11, 27)),
        ),
        (
            "100.13",
            "6789",
            datetime.date(2026, 11, 30),
            Outcome(Outcome.RETURNED, datetime.date(2026, 11, 27), "R01 Insufficient funds"),
        ),
        (
            "100.00",
            "0000",
            datetime.date(2026, 11, 27),
            Outcome(Outcome.RETURNED, datetime.date(2026, 11, 27), "R01 Insufficient funds"),
        ),
        (
            "113.00",
            "6789",
            datetime.date(2026, 11, 27),
            Outcome(Outcome.SETTLED, datetime.date(2026, 11, 27)),
        ),
    ],
)
def test_the_sandbox_decides_on_its_documented_schedule(amount, last4, today, expected):
    assert SandboxGateway().outcome(_payment(amount, last4), today=today) == expected


def test_submission_gives_a_sandbox_reference():
    assert SandboxGateway().submit(_payment()).startswith("SBX-")


class RecordingGateway(PaymentGateway):
    """What a real gateway would be: one class, named in the setting."""

    def tokenize_account(self, *, routing_number, account_number):
        return "real_token"

    def submit(self, payment):
        return "REAL-1"

    def outcome(self, payment, *, today):
        return Outcome(Outcome.PENDING)


def test_the_gateway_is_the_class_the_setting_names(settings):
    assert isinstance(gateway_module.gateway(), SandboxGateway)
    settings.PAYMENT_GATEWAY = f"{__name__}.RecordingGateway"
    assert isinstance(gateway_module.gateway(), RecordingGateway)
