"""The roster's rows checked on their own: SSN cells as spreadsheets store them, and what a
check of a family against the group's members finds."""

import datetime

import pytest

from enrollment.roster import roster_check, ssn_digits
from tests.factories import GroupFactory, MemberFactory, PlanFactory


@pytest.mark.parametrize(
    ("cell", "digits"),
    [
        ("123-45-6789", "123456789"),
        ("123456789", "123456789"),
        (12345678, "012345678"),  # a number cell lost the leading zero
        (12345678.0, "012345678"),
        ("12345678", ""),  # typed text keeps what was typed: eight digits are not an SSN
        ("000-12-3456", ""),
        ("666-12-3456", ""),
        ("912-34-5678", ""),
        ("123-00-4567", ""),
        ("123-45-0000", ""),
        ("123 45 6789", ""),
        (None, ""),
    ],
)
def test_ssn_cells(cell, digits):
    assert ssn_digits(cell) == digits


@pytest.fixture
def group(db):
    group = GroupFactory()
    group.plans.add(PlanFactory(code="GOLD500"))
    return group


def row(**values):
    base = {
        "relationship": "subscriber",
        "employee_ssn": "123-45-6789",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "dob": datetime.date(1985, 12, 10),
        "plan_code": "gold500",
        "hire_date": "2026-08-01",
        "effective_date": "2026-12-01",
    }
    return {**base, **values}


def test_a_family_becomes_one_family_with_its_dependents(group, settings):
    settings.ENROLLMENT_RETRO_TERMINATION_DAYS = 10_000
    rows = [
        (2, row()),
        (
            3,
            row(
                relationship="Child",
                first_name="Byron",
                dob="2015-03-04",
                plan_code="",
                hire_date="",
                effective_date="",
            ),
        ),
    ]

    families, problems, found = roster_check(group, rows, today=datetime.date(2026, 11, 27))

    assert problems == []
    assert found == []
    [family] = families
    assert family.employee.row == 2
    assert [(d.row, d.relationship) for d in family.dependents] == [(3, "child")]
    assert family.dependents[0].effective_date == datetime.date(2026, 12, 1)


def test_members_the_ssns_match_are_returned_for_the_audit_log(group):
    member = MemberFactory(group=group)
    member.set_ssn("123456789")
    member.save()

    _, problems, found = roster_check(group, [(2, row())])

    assert found == [member]
    assert [(r, c) for r, c, _ in problems] == [(2, "employee_ssn")]
