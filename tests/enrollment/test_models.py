import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from enrollment.models import EnrollmentEvent, Member
from portal import crypto
from tests.factories import (
    BrokerOfRecordFactory,
    EmployerFactory,
    EnrollmentEventFactory,
    GroupFactory,
    InvoiceFactory,
    MemberFactory,
    PaymentFactory,
)


def _violates(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


def test_ssn_is_encrypted_at_rest_masked_on_screen_and_found_by_digest(db):
    member = MemberFactory()
    member.set_ssn("123-45-6789")
    member.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssn FROM enrollment_member WHERE id = %s", [member.pk])
        stored = cursor.fetchone()[0]
    assert "123456789" not in stored
    reloaded = Member.objects.get(pk=member.pk)
    assert reloaded.ssn == "123456789"
    assert reloaded.ssn_masked == "***-**-6789"
    assert Member.objects.get(ssn_digest=crypto.digest("123456789")) == member


def test_policyholder_id_is_nine_digits(db):
    assert EmployerFactory(policyholder_id="000001234").policyholder_id == "000001234"
    _violates(EmployerFactory, policyholder_id="1234")


def test_group_dates_and_renewal_month_are_checked(db):
    _violates(GroupFactory, renewal_month=13)
    _violates(GroupFactory, cancellation_date=datetime.date(2019, 1, 1))
    _violates(GroupFactory, suffix_effective_date=datetime.date(2019, 1, 1))


def test_member_ids_and_group_numbers_are_unique(db):
    member = MemberFactory()
    _violates(MemberFactory, member_id=member.member_id)
    _violates(GroupFactory, number=member.group.number)


def test_a_dependent_needs_a_subscriber(db):
    _violates(MemberFactory, relationship=Member.Relationship.CHILD)


def test_an_invoice_must_add_up(db):
    InvoiceFactory(balance_forward=Decimal("10.00"), payments=Decimal("5.00"))
    _violates(InvoiceFactory, balance_due=Decimal("1.00"))


def test_payments_are_positive(db):
    _violates(PaymentFactory, amount=Decimal("0"))


def test_a_group_has_one_current_broker_of_record(db):
    record = BrokerOfRecordFactory()
    _violates(BrokerOfRecordFactory, group=record.group)
    BrokerOfRecordFactory(group=record.group, end_date=datetime.date(2024, 6, 30))


def test_enrollment_history_is_append_only(db):
    event = EnrollmentEventFactory()
    event.kind = EnrollmentEvent.Kind.CANCEL
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        EnrollmentEvent.objects.all().delete()


def test_an_invoice_in_cents_adds_up_on_every_database(db):
    # 0.10 + 0.20 is not 0.30 in floating point, which is how SQLite keeps decimals.
    invoice = InvoiceFactory(
        balance_forward=Decimal("0.10"), current_amount=Decimal("0.20"), payments=Decimal("0")
    )
    assert invoice.balance_due == Decimal("0.30")
