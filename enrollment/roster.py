"""The bulk roster upload's rows: the columns, the downloadable template, and checking every
row of a file against one group before anything is enrolled.

A roster file lists people, one a row. An employee's row (relationship "subscriber") starts a
family; each dependent's row names their employee by `employee_ssn`, which may be an employee
on another row of the file or one already enrolled in the group. `roster_check` returns every
problem as (row, column, message), and the families to enroll only when there are none.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from enrollment.models import Member
from enrollment.services import (
    CHILD_AGE_LIMIT,
    COVERED,
    EnrollmentError,
    age_on,
    changes_announced_together,
    dependent_add,
    earliest_effective_date,
    member_enroll,
    retro_limit,
)
from portal.crypto import digest
from portal.imports import cell_date, cell_text

# (column, what goes in it), in the template's order. The first row of a file names them.
COLUMN_HELP = (
    ("relationship", "subscriber (the employee), spouse, partner, child or other"),
    ("employee_ssn", "The employee's SSN, on the employee's row and on each dependent's row"),
    ("ssn", "The person's own SSN; optional for dependents"),
    ("first_name", "First name"),
    ("middle_initial", "Optional"),
    ("last_name", "Last name"),
    ("dob", "Date of birth, MM/DD/YYYY or YYYY-MM-DD"),
    ("gender", "Optional: F, M, X (another gender) or U (not given)"),
    ("plan_code", "The employee's plan (one the group offers); dependents share it"),
    ("hire_date", "The employee's date of hire; employee rows only"),
    ("effective_date", "When coverage starts; on a dependent's row it may be left empty"),
    ("street", "Optional, employee rows: home address"),
    ("city", "Optional, employee rows"),
    ("state", "Optional, employee rows: two letters"),
    ("zip_code", "Optional, employee rows"),
    ("home_phone", "Optional, employee rows"),
    ("email", "Optional, employee rows"),
)
ROSTER_COLUMNS = tuple(column for column, _ in COLUMN_HELP)
ROSTER_REQUIRED = (
    "relationship",
    "employee_ssn",
    "first_name",
    "last_name",
    "dob",
    "plan_code",
    "hire_date",
    "effective_date",
)
CONTACT_COLUMNS = ("street", "city", "state", "zip_code", "home_phone", "email")

SUBSCRIBER = Member.Relationship.SUBSCRIBER
PARTNERS = (Member.Relationship.SPOUSE, Member.Relationship.DOMESTIC_PARTNER)
RELATIONSHIPS = {
    "subscriber": SUBSCRIBER,
    "employee": SUBSCRIBER,
    "self": SUBSCRIBER,
    "spouse": Member.Relationship.SPOUSE,
    "partner": Member.Relationship.DOMESTIC_PARTNER,
    "domestic partner": Member.Relationship.DOMESTIC_PARTNER,
    "domestic_partner": Member.Relationship.DOMESTIC_PARTNER,
    "child": Member.Relationship.CHILD,
    "other": Member.Relationship.OTHER,
    "other dependent": Member.Relationship.OTHER,
}
GENDERS = {
    "f": "F",
    "female": "F",
    "m": "M",
    "male": "M",
    "x": "X",
    "u": "U",
    "": "U",
}
LOOKUP_SLICE = 2000
SSN_FORMAT = re.compile(r"\d{3}-?\d{2}-?\d{4}")
ZIP_FORMAT = re.compile(r"\d{5}(-\d{4})?")


@dataclass
class RosterPerson:
    """One checked row: Member fields in `person`, and what the row says about coverage."""

    row: int
    relationship: str
    employee_ssn: str
    person: dict
    plan_code: str = ""
    hire_date: datetime.date | None = None
    effective_date: datetime.date | None = None


@dataclass
class RosterFamily:
    """A new employee with the dependents listed under them, or dependents added to an
    employee already in the group (`existing`)."""

    employee: RosterPerson | None = None
    existing: Member | None = None
    dependents: list = field(default_factory=list)

    @property
    def row(self):
        return self.employee.row if self.employee else self.dependents[0].row


class _Problems(list):
    def add(self, row, column, message):
        self.append((row, column, message))


def ssn_digits(value) -> str:
    """The nine digits of an SSN cell ("123-45-6789", or a number cell that lost its leading
    zeros), or "" if it is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = cell_text(value).zfill(9)
    else:
        text = cell_text(value)
    if not SSN_FORMAT.fullmatch(text):
        return ""
    digits = text.replace("-", "")
    # Never issued: area 000, 666 or 9xx, group 00, serial 0000.
    if digits[:3] in ("000", "666") or digits[0] == "9" or digits[3:5] == "00":
        return ""
    if digits[5:] == "0000":
        return ""
    return digits


class RosterCheck(NamedTuple):
    """What roster_check found: `problems` as [(row, column, message)] in row order; the
    `families` to enroll, only meant to be used when there are no problems; and the members of
    the group the file's SSNs matched (`members_found`), for the audit log."""

    families: list
    problems: list
    members_found: list


def roster_check(group, rows, *, today=None, progress=None) -> RosterCheck:
    """Check every row of a roster file (portal.imports.read_table's rows) against `group`.

    `progress(done, total)` is called as rows are checked.
    """
    today = today or timezone.localdate()
    problems = _Problems()
    plans = {plan.code.upper(): plan for plan in group.plans.filter(is_active=True)}
    people = []
    # Employees whose own row has a problem: their dependents' rows are not checked against
    # them, which would only repeat the problem.
    refused = set()
    for done, (number, values) in enumerate(rows, start=1):
        person = _check_row(number, values, group=group, plans=plans, today=today, to=problems)
        if person is not None:
            people.append(person)
        elif RELATIONSHIPS.get(cell_text(values.get("relationship")).lower()) == SUBSCRIBER:
            refused.add(ssn_digits(values.get("employee_ssn")))
        if progress is not None:
            progress(done, len(rows))
    found = []
    families = _families(group, people, refused=refused, found=found, to=problems)
    problems.sort(key=lambda problem: (problem[0], ROSTER_COLUMNS.index(problem[1])))
    return RosterCheck(families, list(problems), found)


def _check_row(number, values, *, group, plans, today, to):
    """The row as a RosterPerson, or None if a problem leaves it unusable; problems go `to`."""
    before = len(to)
    text = {column: cell_text(values.get(column)) for column in ROSTER_COLUMNS}

    relationship = RELATIONSHIPS.get(text["relationship"].lower())
    if relationship is None:
        to.add(
            number,
            "relationship",
            "Enter subscriber (the employee), spouse, partner, child or other.",
        )
    employee_ssn = ssn_digits(values.get("employee_ssn"))
    if not employee_ssn:
        to.add(number, "employee_ssn", "Enter the employee's SSN as nine digits (123-45-6789).")
    ssn = ""
    if text["ssn"]:
        ssn = ssn_digits(values.get("ssn"))
        if not ssn:
            to.add(number, "ssn", "Enter the SSN as nine digits (123-45-6789), or leave it empty.")
        elif relationship == SUBSCRIBER and employee_ssn and ssn != employee_ssn:
            to.add(number, "ssn", "On the employee's row, ssn and employee_ssn must be the same.")
    elif relationship == SUBSCRIBER:
        ssn = employee_ssn

    for column in ("first_name", "last_name"):
        if not text[column]:
            to.add(number, column, "Required.")
        elif len(text[column]) > 60:
            to.add(number, column, "At most 60 characters.")
    if len(text["middle_initial"]) > 1 or (
        text["middle_initial"] and not text["middle_initial"].isalpha()
    ):
        to.add(number, "middle_initial", "One letter, or leave it empty.")
    gender = GENDERS.get(text["gender"].lower())
    if gender is None:
        to.add(number, "gender", "Enter F, M, X or U, or leave it empty.")

    dob = _date(number, "dob", values, to, required=True)
    if dob and (dob > today or dob.year < 1900):
        to.add(number, "dob", "Enter a date of birth between 1900 and today.")
    hire_date = effective_date = None
    is_employee = relationship == SUBSCRIBER
    plan_code = text["plan_code"].upper()
    if is_employee:
        if not plan_code:
            to.add(number, "plan_code", "Required on the employee's row.")
        hire_date = _date(number, "hire_date", values, to, required=True)
        if hire_date and dob and hire_date <= dob:
            to.add(number, "hire_date", "The date of hire must be after the date of birth.")
    elif text["hire_date"]:
        to.add(number, "hire_date", "Only the employee's row has a date of hire.")
    if plan_code and plan_code not in plans:
        offered = ", ".join(sorted(plans)) or "none"
        to.add(
            number,
            "plan_code",
            f"Group {group.number} does not offer plan {plan_code}; it offers {offered}.",
        )
    effective_date = _date(number, "effective_date", values, to, required=is_employee)
    if effective_date:
        _check_effective_date(number, effective_date, group=group, hire_date=hire_date, to=to)
        if dob and dob > effective_date:
            to.add(number, "dob", "The date of birth is after coverage would start.")

    contact = {}
    if is_employee:
        contact = _contact(number, text, to)
    if len(to) > before:
        return None
    person = {
        "first_name": text["first_name"],
        "middle_initial": text["middle_initial"].upper(),
        "last_name": text["last_name"],
        "dob": dob,
        "gender": gender,
        "ssn": ssn,
        **contact,
    }
    return RosterPerson(
        row=number,
        relationship=relationship,
        employee_ssn=employee_ssn,
        person=person,
        plan_code=plan_code,
        hire_date=hire_date,
        effective_date=effective_date,
    )


def _date(number, column, values, to, *, required):
    value = values.get(column)
    if cell_text(value) == "":
        if required:
            to.add(number, column, "Required: a date as MM/DD/YYYY or YYYY-MM-DD.")
        return None
    try:
        return cell_date(value)
    except ValueError:
        to.add(number, column, "Enter a date as MM/DD/YYYY or YYYY-MM-DD.")
        return None


def _check_effective_date(number, day, *, group, hire_date, to):
    if day < group.suffix_effective_date:
        to.add(
            number,
            "effective_date",
            f"Group {group.number} starts on {group.suffix_effective_date:%m/%d/%Y}; "
            "choose that date or later.",
        )
    elif group.cancellation_date and day > group.cancellation_date:
        to.add(
            number,
            "effective_date",
            f"Group {group.number} ends on {group.cancellation_date:%m/%d/%Y}; no coverage can "
            "start after it.",
        )
    elif day < retro_limit():
        to.add(
            number,
            "effective_date",
            f"Coverage can start no earlier than {retro_limit():%m/%d/%Y}: the carrier accepts "
            f"changes up to {settings.ENROLLMENT_RETRO_TERMINATION_DAYS} days back.",
        )
    elif hire_date and day < earliest_effective_date(group, hire_date):
        to.add(
            number,
            "effective_date",
            f"With the group's waiting period ({group.get_waiting_period_display().lower()}), "
            f"coverage for someone hired on {hire_date:%m/%d/%Y} can start on "
            f"{earliest_effective_date(group, hire_date):%m/%d/%Y} at the earliest.",
        )


def _contact(number, text, to):
    contact = {column: text[column] for column in CONTACT_COLUMNS}
    if contact["state"]:
        contact["state"] = contact["state"].upper()
        if not (len(contact["state"]) == 2 and contact["state"].isalpha()):
            to.add(number, "state", "Two letters, such as CA.")
    if contact["zip_code"] and not ZIP_FORMAT.fullmatch(contact["zip_code"]):
        to.add(number, "zip_code", "Five digits, or five and four (95814-1234).")
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError:
            to.add(number, "email", "Enter an email address such as name@example.com.")
    for column, limit in (("street", 120), ("city", 60), ("home_phone", 20)):
        if len(contact[column]) > limit:
            to.add(number, column, f"At most {limit} characters.")
    # The model names it zip_code too; the rest match Member's fields.
    return contact


def _families(group, people, *, refused, found, to):
    """Group the checked rows into families and check them against each other and against the
    group's members: duplicates in the file, employees already enrolled, dependents whose
    employee is nowhere, a second spouse, a child past the age limit."""
    ssns = {p.employee_ssn for p in people} | {p.person["ssn"] for p in people if p.person["ssn"]}
    digests = sorted(digest(ssn) for ssn in ssns)
    existing = {}
    # In slices: SQLite allows some 32,000 parameters a query, and a file two SSNs a row.
    for start in range(0, len(digests), LOOKUP_SLICE):
        members = Member.objects.filter(
            group=group, ssn_digest__in=digests[start : start + LOOKUP_SLICE]
        ).prefetch_related("dependents")
        existing.update((member.ssn_digest, member) for member in members)
    found.extend(existing.values())
    families = {}
    seen_ssn = {}
    seen_person = {}
    for p in people:
        if p.person["ssn"]:
            if p.person["ssn"] in seen_ssn:
                column = "employee_ssn" if p.relationship == SUBSCRIBER else "ssn"
                to.add(p.row, column, f"Row {seen_ssn[p.person['ssn']]} has the same SSN.")
                continue
            seen_ssn[p.person["ssn"]] = p.row
        identity = (
            p.employee_ssn,
            p.person["first_name"].lower(),
            p.person["last_name"].lower(),
            p.person["dob"],
        )
        if identity in seen_person:
            to.add(p.row, "first_name", f"Row {seen_person[identity]} lists the same person.")
            continue
        seen_person[identity] = p.row
        member = existing.get(digest(p.person["ssn"])) if p.person["ssn"] else None
        if member is not None:
            who = "An employee" if member.is_subscriber else "A member"
            to.add(
                p.row,
                "employee_ssn" if p.relationship == SUBSCRIBER else "ssn",
                f"{who} with this SSN is already in group {group.number} (member ID "
                f"{member.member_id}); change their coverage in Manage Enrollment instead.",
            )
            if p.relationship == SUBSCRIBER:
                refused.add(p.employee_ssn)
            continue
        if p.relationship == SUBSCRIBER:
            family = families.setdefault(p.employee_ssn, RosterFamily())
            family.employee = p
    flagged = {row for row, _, _ in to}
    for p in people:
        if p.relationship == SUBSCRIBER or p.row in flagged or p.employee_ssn in refused:
            continue
        family = families.get(p.employee_ssn)
        if family is None:
            employee = existing.get(digest(p.employee_ssn))
            if employee is None or not employee.is_subscriber:
                to.add(
                    p.row,
                    "employee_ssn",
                    f"No employee with this SSN is on a row of the file or in group "
                    f"{group.number}.",
                )
                continue
            if employee.status not in COVERED:
                to.add(
                    p.row,
                    "employee_ssn",
                    f"The employee with this SSN (member ID {employee.member_id}) is not covered; "
                    "reinstate them in Manage Enrollment first.",
                )
                continue
            family = families.setdefault(p.employee_ssn, RosterFamily(existing=employee))
        family.dependents.append(p)
    for family in families.values():
        _check_family(family, to=to)
    return sorted((f for f in families.values() if f.employee or f.existing), key=lambda f: f.row)


def _check_family(family, *, to):
    employee = family.employee
    if family.existing is not None:
        partners = [m for m in family.existing.dependents.all() if m.status in COVERED]
        has_partner = any(m.relationship in PARTNERS for m in partners)
    else:
        has_partner = False
    for dependent in family.dependents:
        if employee is not None:
            if dependent.plan_code and dependent.plan_code != employee.plan_code:
                to.add(
                    dependent.row,
                    "plan_code",
                    f"Dependents share their employee's plan ({employee.plan_code}); leave this "
                    "empty or enter the same plan.",
                )
            if dependent.effective_date and dependent.effective_date != employee.effective_date:
                to.add(
                    dependent.row,
                    "effective_date",
                    "A dependent listed with a new employee starts with them; leave this empty "
                    "or enter the employee's date.",
                )
            dependent.effective_date = employee.effective_date
        elif dependent.effective_date is None:
            to.add(
                dependent.row,
                "effective_date",
                "Required for a dependent added to an employee already enrolled.",
            )
            continue
        day = dependent.effective_date
        if day is None:
            continue
        if dependent.person["dob"] > day:
            to.add(dependent.row, "dob", "The date of birth is after coverage would start.")
        if (
            dependent.relationship == Member.Relationship.CHILD
            and age_on(dependent.person["dob"], day) >= CHILD_AGE_LIMIT
        ):
            to.add(
                dependent.row,
                "dob",
                f"A child can be covered until age {CHILD_AGE_LIMIT}; this child is "
                f"{age_on(dependent.person['dob'], day)} on {day:%m/%d/%Y}.",
            )
        if dependent.relationship in PARTNERS:
            if has_partner:
                to.add(
                    dependent.row,
                    "relationship",
                    "The employee already has a spouse or domestic partner covered or listed.",
                )
            has_partner = True


# -- enrolling a checked roster ----------------------------------------------------------------


class RosterEnrollError(Exception):
    """A row the enrollment rules refused while enrolling; nothing was enrolled."""

    def __init__(self, row, message):
        super().__init__(f"Row {row}: {message}")
        self.row = row
        self.message = message


def roster_enroll(*, group, families, by, key_prefix, on_behalf_of="", progress=None):
    """Enroll the families of a checked roster (roster_check with no problems) in `group`
    through the enrollment services, in one transaction: every row or none. Returns
    [(row, member)] of the members made.

    A new employee and the dependents listed with them are one member_enroll; dependents of an
    employee already in the group are one dependent_add each. Each call's idempotency key is
    `<key_prefix>-<row>`. RosterEnrollError names the row the rules refused. Every change
    records `by` and `on_behalf_of`, as the single enrollment does.
    """
    plans = {plan.code.upper(): plan for plan in group.plans.all()}
    total = sum(len(family.dependents) + bool(family.employee) for family in families)
    made = []
    with transaction.atomic(), changes_announced_together():
        for family in families:
            made += _family_enroll(
                group,
                family,
                plans=plans,
                by=by,
                on_behalf_of=on_behalf_of,
                key_prefix=key_prefix,
            )
            if progress is not None:
                progress(len(made), total)
    return made


def _family_enroll(group, family, *, plans, by, on_behalf_of, key_prefix):
    employee = family.employee
    if employee is not None:
        try:
            subscriber = member_enroll(
                group=group,
                plan=plans[employee.plan_code],
                hire_date=employee.hire_date,
                effective_date=employee.effective_date,
                subscriber=employee.person,
                dependents=[
                    {**dependent.person, "relationship": dependent.relationship}
                    for dependent in family.dependents
                ],
                by=by,
                on_behalf_of=on_behalf_of,
                idempotency_key=f"{key_prefix}-{employee.row}",
            )
        except EnrollmentError as error:
            raise RosterEnrollError(employee.row, error.message) from None
        # member_enroll makes the dependents in the order given.
        dependents = subscriber.dependents.order_by("pk")
        rows = [employee.row] + [dependent.row for dependent in family.dependents]
        return list(zip(rows, [subscriber, *dependents], strict=True))
    made = []
    for dependent in family.dependents:
        try:
            member = dependent_add(
                subscriber=family.existing,
                person={**dependent.person, "relationship": dependent.relationship},
                effective_date=dependent.effective_date,
                by=by,
                on_behalf_of=on_behalf_of,
                idempotency_key=f"{key_prefix}-{dependent.row}",
            )
        except EnrollmentError as error:
            raise RosterEnrollError(dependent.row, error.message) from None
        made.append((dependent.row, member))
    return made


# -- the template --------------------------------------------------------------------------


TEMPLATE_NAME = "roster-template"
# Columns kept as text in the workbook, so that Excel keeps an SSN's or ZIP's leading zeros.
TEXT_COLUMNS = ("employee_ssn", "ssn", "zip_code", "home_phone", "plan_code")


def roster_template_xlsx(plans=()) -> bytes:
    """The template workbook: an empty Roster sheet to fill in (the sheet that is read) and an
    Instructions sheet with each column and the group's plans."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet("Roster")
    for index, column in enumerate(ROSTER_COLUMNS):
        sheet.write_string(0, index, column, bold)
        sheet.set_column(index, index, 16, text if column in TEXT_COLUMNS else None)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("Instructions")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 80)
    notes.write_string(0, 0, "Column", bold)
    notes.write_string(0, 1, "What to enter", bold)
    for index, (column, help_text) in enumerate(COLUMN_HELP, start=1):
        required = " (required)" if column in ROSTER_REQUIRED else ""
        notes.write_string(index, 0, column + required)
        notes.write_string(index, 1, help_text)
    row = len(COLUMN_HELP) + 2
    notes.write_string(row, 0, "Plans offered", bold)
    for offset, plan in enumerate(plans, start=1):
        notes.write_string(row + offset, 0, plan.code)
        notes.write_string(row + offset, 1, str(plan))
    workbook.close()
    return out.getvalue()


def roster_template_csv() -> str:
    """The template as CSV: the header row alone."""
    out = io.StringIO()
    csv.writer(out).writerow(ROSTER_COLUMNS)
    return out.getvalue()
