"""Enrollment services: every change to a member or their coverage goes through one of these.

Each runs in one transaction, checks the carrier's rules (raising `EnrollmentError` in plain
words and changing nothing), writes an EnrollmentEvent per member it touched and, once committed,
sends `enrollment.signals.enrollment_changed` for whoever wants to know.

An event's `details` hold what changed: `before` / `after` of the member's fields, and
`coverages`, the state after the change of every coverage period it created or changed. Replayed
in order, the events give back the member's coverage (tests/enrollment prove it).
"""

import contextlib
import contextvars
import datetime
import functools
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from enrollment.models import Coverage, EnrollmentEvent, Group, Member
from enrollment.signals import enrollment_changed
from portal.dates import add_months

# Why a plan may change outside open enrollment: a qualifying life event, within this many days.
QUALIFYING_EVENTS = {
    "marriage": "Marriage or domestic partnership",
    "birth": "Birth or adoption",
    "divorce": "Divorce or legal separation",
    "loss_of_coverage": "Loss of other coverage",
    "move": "Move out of the plan's service area",
}
OPEN_ENROLLMENT = "open_enrollment"
QUALIFYING_EVENT_DAYS = 60
# What lets a family continue on COBRA.
COBRA_EVENTS = {
    "termination": "End of employment",
    "reduced_hours": "Reduction of hours",
    "divorce": "Divorce or legal separation",
    "death": "Death of the employee",
    "medicare": "Employee became entitled to Medicare",
    "dependent_age": "Dependent child no longer eligible",
}
CHILD_AGE_LIMIT = 26
WAITING_DAYS = {
    Group.WaitingPeriod.NONE: 0,
    Group.WaitingPeriod.DAYS_30: 30,
    Group.WaitingPeriod.DAYS_60: 60,
    Group.WaitingPeriod.DAYS_90: 90,
}
# The member fields member_update may change; address, phones and email are the subscriber's.
PERSON_FIELDS = ("first_name", "middle_initial", "last_name", "marital_status", "spoken_language")
CONTACT_FIELDS = (
    "street",
    "city",
    "state",
    "zip_code",
    "county",
    "home_phone",
    "work_phone",
    "email",
)
COVERED = (Member.Status.ACTIVE, Member.Status.PENDING, Member.Status.COBRA)


class EnrollmentError(Exception):
    """A change the carrier's rules do not allow; the message says why, for the person asking."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# -- rules and helpers -----------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _fmt(day):
    return day.strftime("%m/%d/%Y")


def earliest_effective_date(group, hire_date):
    """The first day a new hire's coverage may start: the first of the month on or after the
    end of the group's waiting period."""
    day = hire_date + datetime.timedelta(days=WAITING_DAYS.get(group.waiting_period, 0))
    return day if day.day == 1 else add_months(day, 1)


def age_on(dob, day):
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def retro_limit():
    """The earliest date coverage may be ended (or started) on, today."""
    return _today() - datetime.timedelta(days=settings.ENROLLMENT_RETRO_TERMINATION_DAYS)


def _check_not_too_retro(day, what):
    limit = retro_limit()
    if day < limit:
        raise EnrollmentError(
            f"{what} can be no earlier than {_fmt(limit)}: the carrier accepts changes up to "
            f"{settings.ENROLLMENT_RETRO_TERMINATION_DAYS} days back. Call us for an older date."
        )


def _check_group_open(group, day):
    if day < group.suffix_effective_date:
        raise EnrollmentError(
            f"Group {group.number} starts on {_fmt(group.suffix_effective_date)}; choose that "
            "date or later."
        )
    if group.cancellation_date and day > group.cancellation_date:
        raise EnrollmentError(
            f"Group {group.number} ends on {_fmt(group.cancellation_date)}; no coverage can "
            "start after it."
        )


def _check_plan_offered(group, plan):
    if not group.plans.filter(pk=plan.pk).exists():
        raise EnrollmentError(f"{plan} is not offered by group {group.number}.")


def _check_dependent(person, subscriber, day, family):
    relationship = person["relationship"]
    name = f"{person['first_name']} {person['last_name']}"
    if relationship == Member.Relationship.CHILD and age_on(person["dob"], day) >= CHILD_AGE_LIMIT:
        raise EnrollmentError(
            f"{name} is {age_on(person['dob'], day)} on {_fmt(day)}: a child can be covered "
            f"until age {CHILD_AGE_LIMIT}."
        )
    if person["dob"] > day:
        raise EnrollmentError(f"{name}'s date of birth is after the coverage would start.")
    partners = (Member.Relationship.SPOUSE, Member.Relationship.DOMESTIC_PARTNER)
    if relationship in partners and any(
        m.relationship in partners for m in family if m.status in COVERED
    ):
        raise EnrollmentError(
            f"{subscriber.first_name} {subscriber.last_name} already has a spouse or domestic "
            "partner covered."
        )


def coverage_on(member, day):
    """The member's coverage period that includes `day`, or None."""
    return (
        member.coverages.filter(start_date__lte=day)
        .exclude(end_date__lt=day)
        .order_by("-start_date")
        .first()
    )


def latest_coverage(member):
    return member.coverages.order_by("-start_date", "-pk").first()


def _tier(relationships):
    partner = any(r in ("spouse", "partner") for r in relationships)
    children = any(r not in ("subscriber", "spouse", "partner") for r in relationships)
    if partner and children:
        return Coverage.Tier.FAMILY
    if partner:
        return Coverage.Tier.EMPLOYEE_SPOUSE
    if children:
        return Coverage.Tier.EMPLOYEE_CHILDREN
    return Coverage.Tier.EMPLOYEE


def family_of(subscriber):
    """The subscriber and their dependents, subscriber first."""
    return [subscriber, *subscriber.dependents.order_by("dob", "pk")]


def _covered_family(subscriber, day):
    """[(member, coverage on `day`)] of the family members covered that day."""
    return [(m, c) for m in family_of(subscriber) if (c := coverage_on(m, day))]


def _coverage_state(coverage):
    return {
        "id": coverage.pk,
        "plan": coverage.plan.code,
        "tier": coverage.tier,
        "start": coverage.start_date.isoformat(),
        "end": coverage.end_date.isoformat() if coverage.end_date else None,
        "cobra": coverage.is_cobra,
    }


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _snapshot(member, fields):
    return {f: _jsonable(getattr(member, f)) for f in fields}


def _check_no_overlap(member):
    """A safety net under every service: a member is never covered twice on one day."""
    periods = sorted(
        member.coverages.values_list("start_date", "end_date"), key=lambda period: period[0]
    )
    for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
        if end is None or end >= next_start:
            raise EnrollmentError(
                f"{member.first_name} {member.last_name} would have two coverages at once from "
                f"{_fmt(next_start)}; nothing was changed."
            )


def _split(coverage, day, **fields):
    """Continue `coverage` from `day` with `fields` changed, ending the old one the day
    before (a period that starts that very day is changed in place). Returns the periods
    touched, for the event."""
    if coverage.start_date == day:
        for field, value in fields.items():
            setattr(coverage, field, value)
        coverage.save(update_fields=list(fields))
        return [coverage]
    continued = {
        "member": coverage.member,
        "group_id": coverage.group_id,
        "plan": coverage.plan,
        "tier": coverage.tier,
        "start_date": day,
        "end_date": coverage.end_date,
        "is_cobra": coverage.is_cobra,
        "cobra_event": coverage.cobra_event,
        "cobra_event_date": coverage.cobra_event_date,
    }
    new = Coverage.objects.create(**{**continued, **fields})
    coverage.end_date = day - datetime.timedelta(days=1)
    coverage.save(update_fields=["end_date"])
    return [coverage, new]


def _tier_on(subscriber, day):
    return _tier([m.relationship for m, _ in _covered_family(subscriber, day)])


def _retier_family(subscriber, day, changes):
    """From `day` on, every family member's periods carry the tier of who is covered then:
    adding, cancelling or reinstating a dependent changes the employee's tier, and so the
    bill. The period running on `day` is split there, so history keeps the old tier before
    it; periods that start later take the tier of the family covered when they start."""
    for member in family_of(subscriber):
        touched, before, after = [], None, None
        current = coverage_on(member, day)
        tier = _tier_on(subscriber, day)
        if current is not None and current.tier != tier:
            before, after = current.tier, tier
            touched += _split(current, day, tier=tier)
        for later in member.coverages.filter(start_date__gt=day).order_by("start_date"):
            later_tier = _tier_on(subscriber, later.start_date)
            if later.tier != later_tier:
                before, after = before or later.tier, after or later_tier
                later.tier = later_tier
                later.save(update_fields=["tier"])
                touched.append(later)
        if touched:
            changes.record(
                member,
                EnrollmentEvent.Kind.CHANGE,
                day,
                before={"tier": before},
                after={"tier": after},
                coverages=touched,
                reason="family_changed",
            )


class _Changes:
    """The events a service writes, sent on commit as one `enrollment_changed`."""

    def __init__(self, *, group, by, on_behalf_of, idempotency_key):
        self.group, self.by, self.on_behalf_of = group, by, on_behalf_of
        self.key = idempotency_key or None
        self.events = []

    def record(
        self,
        member,
        kind,
        effective_date,
        *,
        before=None,
        after=None,
        coverages=(),
        voided=(),
        **extra,
    ):
        _check_no_overlap(member)
        details = {
            "before": {k: _jsonable(v) for k, v in (before or {}).items()},
            "after": {k: _jsonable(v) for k, v in (after or {}).items()},
        }
        # Periods that never began and were voided are named with `deleted`, so a replay drops
        # them too.
        details["coverages"] = [_coverage_state(c) for c in coverages] + [
            {"id": pk, "deleted": True} for pk in voided
        ]
        details.update({k: _jsonable(v) for k, v in extra.items()})
        event = EnrollmentEvent.objects.create(
            member=member,
            group=self.group,
            kind=kind,
            effective_date=effective_date,
            by=self.by,
            on_behalf_of=self.on_behalf_of or "",
            # The key sits on the first event only: it stands for the whole request.
            idempotency_key=None if self.events else self.key,
            details=details,
        )
        self.events.append(event)
        return event

    def send_on_commit(self):
        events, group, by = list(self.events), self.group, self.by
        batch = _batch.get()
        if batch is not None:
            batch.setdefault((group, by), []).extend(events)
            return
        transaction.on_commit(
            lambda: enrollment_changed.send(
                sender=EnrollmentEvent, group=group, events=events, by=by
            )
        )


_batch = contextvars.ContextVar("enrollment_changes_batch", default=None)


@contextlib.contextmanager
def changes_announced_together():
    """Within the block, the services' changes are announced as one `enrollment_changed` per
    group (on commit) rather than one per call: a roster of 500 families is one notice to the
    people who asked for them, not 500."""
    batch = {}
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for (group, by), events in batch.items():
        transaction.on_commit(
            lambda group=group, by=by, events=events: enrollment_changed.send(
                sender=EnrollmentEvent, group=group, events=events, by=by
            )
        )


def _stored_key(key, by):
    """The key as stored: per user, so that one user's key can never return another's change
    (a key is only as secret as the form it rode in); hashed when it would not fit."""
    if not key:
        return None
    stored = f"{by.pk if by else '-'}:{key}"
    return stored if len(stored) <= 64 else hashlib.sha256(stored.encode()).hexdigest()


def _idempotent(service):
    """A repeated request (same idempotency key from the same user: a double click, a
    resubmitted form) returns the member the first one changed, and changes nothing more."""

    @functools.wraps(service)
    def wrapper(*args, idempotency_key=None, by, **kwargs):
        key = _stored_key(idempotency_key, by)
        if key:
            earlier = EnrollmentEvent.objects.filter(idempotency_key=key).first()
            if earlier is not None:
                return earlier.member
        try:
            return service(*args, idempotency_key=key, by=by, **kwargs)
        except IntegrityError:
            # Two identical requests raced; the other one's transaction won.
            earlier = key and EnrollmentEvent.objects.filter(idempotency_key=key).first()
            if earlier:
                return earlier.member
            raise

    return wrapper


def _new_subscriber_id():
    while True:
        candidate = f"{100_000_000 + secrets.randbelow(899_999_999):09d}00"
        if not Member.objects.filter(member_id=candidate).exists():
            return candidate


def _new_dependent_id(subscriber):
    base = subscriber.member_id[:9]
    taken = set(
        Member.objects.filter(member_id__startswith=base).values_list("member_id", flat=True)
    )
    for k in range(1, 100):
        if f"{base}{k:02d}" not in taken:
            return f"{base}{k:02d}"
    raise EnrollmentError("This subscriber has too many dependents to add another.")


def _new_member(*, group, person, relationship, subscriber=None, plan):
    member = Member(
        group=group,
        subscriber=subscriber,
        relationship=relationship,
        member_id=_new_dependent_id(subscriber) if subscriber else _new_subscriber_id(),
        first_name=person["first_name"].strip(),
        middle_initial=person.get("middle_initial", "").strip()[:1],
        last_name=person["last_name"].strip(),
        dob=person["dob"],
        gender=person.get("gender") or Member.Gender.UNKNOWN,
        status=Member.Status.ACTIVE,
        plan=plan,
        marital_status=person.get("marital_status", ""),
        spoken_language=person.get("spoken_language") or "English",
        pcp_name=person.get("pcp_name", ""),
        pcp_npi=person.get("pcp_npi", ""),
    )
    if subscriber is None:
        for field in CONTACT_FIELDS:
            setattr(member, field, person.get(field, ""))
    if person.get("ssn"):
        member.set_ssn(person["ssn"])
    member.save()
    return member


# -- services ----------------------------------------------------------------------------------


@_idempotent
@transaction.atomic
def member_enroll(
    *,
    group,
    plan,
    hire_date,
    effective_date,
    subscriber,
    dependents=(),
    by,
    on_behalf_of="",
    idempotency_key=None,
):
    """Enroll an employee (a dict of Member fields) and their dependents (dicts with a
    `relationship`) in `plan` from `effective_date`; returns the new subscriber."""
    _check_plan_offered(group, plan)
    _check_group_open(group, effective_date)
    _check_not_too_retro(effective_date, "The effective date")
    earliest = earliest_effective_date(group, hire_date)
    if effective_date < earliest:
        raise EnrollmentError(
            f"With the group's waiting period ({group.get_waiting_period_display().lower()}), "
            f"coverage for someone hired on {_fmt(hire_date)} can start on {_fmt(earliest)} at "
            "the earliest."
        )
    if subscriber.get("ssn"):
        from portal.crypto import digest

        ssn = "".join(ch for ch in subscriber["ssn"] if ch.isdigit())
        taken = Member.objects.filter(
            group=group, ssn_digest=digest(ssn), relationship=Member.Relationship.SUBSCRIBER
        ).exists()
        if taken:
            raise EnrollmentError(
                "An employee with this SSN is already in this group: search for them and "
                "reinstate or change their coverage instead."
            )
    changes = _Changes(
        group=group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    member = _new_member(
        group=group, person=subscriber, relationship=Member.Relationship.SUBSCRIBER, plan=plan
    )
    family = [member]
    for person in dependents:
        _check_dependent(person, member, effective_date, family)
        family.append(
            _new_member(
                group=group,
                person=person,
                relationship=person["relationship"],
                subscriber=member,
                plan=plan,
            )
        )
    tier = _tier([m.relationship for m in family])
    for person in family:
        coverage = Coverage.objects.create(
            member=person, group=group, plan=plan, tier=tier, start_date=effective_date
        )
        changes.record(
            person,
            EnrollmentEvent.Kind.ENROLL,
            effective_date,
            after={"status": person.status, "plan": str(plan), "hire_date": hire_date},
            coverages=[coverage],
        )
    changes.send_on_commit()
    return member


@_idempotent
@transaction.atomic
def dependent_add(*, subscriber, person, effective_date, by, on_behalf_of="", idempotency_key=None):
    """Add a dependent (a dict of Member fields with a `relationship`) to a covered subscriber,
    on the subscriber's plan from `effective_date`; returns the dependent."""
    subscriber = Member.objects.select_for_update().get(pk=subscriber.pk)
    if not subscriber.is_subscriber:
        raise EnrollmentError("Dependents are added to a subscriber.")
    _check_not_too_retro(effective_date, "The effective date")
    subscriber_coverage = coverage_on(subscriber, effective_date)
    if subscriber_coverage is None or subscriber.status not in COVERED:
        raise EnrollmentError(
            f"{subscriber.first_name} {subscriber.last_name} is not covered on "
            f"{_fmt(effective_date)}, so no dependent can be added then."
        )
    family = family_of(subscriber)
    _check_dependent(person, subscriber, effective_date, family)
    changes = _Changes(
        group=subscriber.group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    plan = subscriber_coverage.plan
    dependent = _new_member(
        group=subscriber.group,
        person=person,
        relationship=person["relationship"],
        subscriber=subscriber,
        plan=plan,
    )
    if subscriber_coverage.is_cobra:
        dependent.status = Member.Status.COBRA
        dependent.save(update_fields=["status"])
    coverage = Coverage.objects.create(
        member=dependent,
        group=subscriber.group,
        plan=plan,
        tier=Coverage.Tier.EMPLOYEE,
        start_date=effective_date,
        end_date=subscriber_coverage.end_date,
        is_cobra=subscriber_coverage.is_cobra,
        cobra_event=subscriber_coverage.cobra_event,
        cobra_event_date=subscriber_coverage.cobra_event_date,
    )
    # The tier of who is covered that day, the new dependent included.
    coverage.tier = _tier_on(subscriber, effective_date)
    coverage.save(update_fields=["tier"])
    changes.record(
        dependent,
        EnrollmentEvent.Kind.ENROLL,
        effective_date,
        after={"status": dependent.status, "plan": str(plan)},
        coverages=[coverage],
    )
    _retier_family(subscriber, effective_date, changes)
    changes.send_on_commit()
    return dependent


@_idempotent
@transaction.atomic
def member_update(*, member, changes, by, on_behalf_of="", idempotency_key=None):
    """Change a member's name, marital status, language and, for a subscriber, address,
    phones and email. `changes` maps field names to new values; returns the member."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    allowed = PERSON_FIELDS + (CONTACT_FIELDS if member.is_subscriber else ())
    unknown = set(changes) - set(allowed)
    if unknown:
        raise EnrollmentError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = [f for f, value in changes.items() if getattr(member, f) != value]
    if not changed:
        raise EnrollmentError("Nothing was changed: the information is the same as before.")
    if "first_name" in changed and not changes["first_name"].strip():
        raise EnrollmentError("A first name is required.")
    if "last_name" in changed and not changes["last_name"].strip():
        raise EnrollmentError("A last name is required.")
    before = _snapshot(member, changed)
    for field in changed:
        setattr(member, field, changes[field])
    member.save(update_fields=changed)
    recorder = _Changes(
        group=member.group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    recorder.record(
        member,
        EnrollmentEvent.Kind.CHANGE,
        _today(),
        before=before,
        after=_snapshot(member, changed),
    )
    recorder.send_on_commit()
    return member


@_idempotent
@transaction.atomic
def plan_change(
    *,
    subscriber,
    plan,
    effective_date,
    reason,
    event_date=None,
    by,
    on_behalf_of="",
    idempotency_key=None,
):
    """Move a subscriber's covered family to another of the group's plans from
    `effective_date`, at open enrollment (the group's renewal date) or for a qualifying life
    event (`reason`, `event_date`). The old plan's periods end the day before."""
    subscriber = Member.objects.select_for_update().get(pk=subscriber.pk)
    group = subscriber.group
    if not subscriber.is_subscriber:
        raise EnrollmentError("A plan is changed for the subscriber and their whole family.")
    _check_plan_offered(group, plan)
    if reason == OPEN_ENROLLMENT:
        if effective_date.day != 1 or effective_date.month != group.renewal_month:
            renewal = datetime.date(_today().year, group.renewal_month, 1)
            if renewal < _today():
                renewal = renewal.replace(year=renewal.year + 1)
            raise EnrollmentError(
                f"At open enrollment a plan changes on the group's renewal date, {_fmt(renewal)}."
            )
    elif reason in QUALIFYING_EVENTS:
        if event_date is None:
            raise EnrollmentError("Give the date of the qualifying life event.")
        if event_date > _today():
            raise EnrollmentError("The qualifying life event cannot be in the future.")
        if (_today() - event_date).days > QUALIFYING_EVENT_DAYS:
            raise EnrollmentError(
                f"A plan can change within {QUALIFYING_EVENT_DAYS} days of a qualifying life "
                f"event; {_fmt(event_date)} is longer ago than that."
            )
        if not event_date <= effective_date <= add_months(event_date, 1):
            raise EnrollmentError(
                f"After a qualifying life event on {_fmt(event_date)} the new plan starts "
                f"between that day and {_fmt(add_months(event_date, 1))}."
            )
    else:
        raise EnrollmentError(
            "Say why the plan changes: open enrollment or a qualifying life event."
        )
    _check_not_too_retro(effective_date, "The effective date")
    covered = _covered_family(subscriber, effective_date)
    if not covered or covered[0][0] != subscriber:
        raise EnrollmentError(
            f"{subscriber.first_name} {subscriber.last_name} is not covered on "
            f"{_fmt(effective_date)}."
        )
    if covered[0][1].plan_id == plan.pk:
        raise EnrollmentError(f"The family is already on {plan} then.")
    later = Coverage.objects.filter(
        member__in=[m for m, _ in covered], start_date__gt=effective_date
    ).exists()
    if later:
        raise EnrollmentError("A later change is already on file; call us to change the plan.")
    changes = _Changes(
        group=group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    for member, coverage in covered:
        touched = _split(coverage, effective_date, plan=plan)
        before = {"plan": str(member.plan) if member.plan_id else ""}
        member.plan = plan
        member.save(update_fields=["plan"])
        changes.record(
            member,
            EnrollmentEvent.Kind.PLAN_CHANGE,
            effective_date,
            before=before,
            after={"plan": str(plan)},
            coverages=touched,
            reason=reason,
            event_date=event_date,
        )
    changes.send_on_commit()
    return subscriber


@_idempotent
@transaction.atomic
def pcp_change(
    *, member, pcp_name, pcp_npi, effective_date, by, on_behalf_of="", idempotency_key=None
):
    """Choose another primary care physician for one member, from `effective_date` (today or
    later)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in COVERED:
        raise EnrollmentError("A PCP is chosen for a covered member; this member is not covered.")
    if effective_date < _today():
        raise EnrollmentError("A PCP change starts today or later.")
    pcp_npi = pcp_npi.strip()
    if len(pcp_npi) != 10 or not pcp_npi.isdigit():
        raise EnrollmentError("The PCP's NPI is ten digits.")
    if (member.pcp_name, member.pcp_npi) == (pcp_name, pcp_npi):
        raise EnrollmentError("This is already the member's PCP.")
    before = _snapshot(member, ["pcp_name", "pcp_npi"])
    member.pcp_name, member.pcp_npi = pcp_name.strip(), pcp_npi
    member.save(update_fields=["pcp_name", "pcp_npi"])
    changes = _Changes(
        group=member.group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    changes.record(
        member,
        EnrollmentEvent.Kind.PCP_CHANGE,
        effective_date,
        before=before,
        after=_snapshot(member, ["pcp_name", "pcp_npi"]),
    )
    changes.send_on_commit()
    return member


def _ongoing_after(person, day):
    """The person's periods still running after `day`, oldest first."""
    return list(
        person.coverages.filter(Q(end_date__isnull=True) | Q(end_date__gt=day)).order_by(
            "start_date"
        )
    )


def cancellation_preview(member, end_date):
    """[(member, coverage)] who lose coverage if `member`'s coverage ends on `end_date`: the
    member, and with a subscriber every dependent still covered, each with the first period
    that ends or is voided. Raises EnrollmentError when the rules do not allow it; changes
    nothing."""
    _check_not_too_retro(end_date, "The last day of coverage")
    members = family_of(member) if member.is_subscriber else [member]
    losing = [(p, ongoing[0]) for p in members if (ongoing := _ongoing_after(p, end_date))]
    if not losing or losing[0][0] != member:
        raise EnrollmentError(
            f"{member.first_name} {member.last_name} has no coverage after {_fmt(end_date)} "
            "to cancel."
        )
    return losing


@_idempotent
@transaction.atomic
def coverage_cancel(*, member, end_date, reason="", by, on_behalf_of="", idempotency_key=None):
    """End a member's coverage on `end_date` (their last covered day); a subscriber's ends
    their dependents' too. No earlier than the carrier's retroactive window allows. Periods
    that would only have begun after `end_date` (a future enrollment or change) are voided."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    losing = cancellation_preview(member, end_date)
    changes = _Changes(
        group=member.group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    for person, _ in losing:
        before = {"status": person.status, "plan": str(person.plan) if person.plan_id else ""}
        ended, voided = [], []
        for coverage in _ongoing_after(person, end_date):
            if coverage.start_date > end_date:
                voided.append(coverage.pk)
                coverage.delete()
            else:
                coverage.end_date = end_date
                coverage.save(update_fields=["end_date"])
                ended.append(coverage)
        # The plan on file is the last period's that remains.
        last = latest_coverage(person)
        person.plan = last.plan if last else person.plan
        person.status = Member.Status.CANCELLED
        person.save(update_fields=["status", "plan"])
        changes.record(
            person,
            EnrollmentEvent.Kind.CANCEL,
            end_date,
            before=before,
            after={"status": person.status, "plan": str(person.plan) if person.plan_id else ""},
            coverages=ended,
            voided=voided,
            reason=reason,
        )
    if not member.is_subscriber:
        _retier_family(member.subscriber, end_date + datetime.timedelta(days=1), changes)
    changes.send_on_commit()
    return member


@_idempotent
@transaction.atomic
def cobra_transition(
    *,
    subscriber,
    qualifying_event,
    event_date,
    coverage_end,
    continuing,
    by,
    on_behalf_of="",
    idempotency_key=None,
):
    """End the family's employer coverage on `coverage_end` and continue the `continuing`
    members on COBRA, same plan, from the next day; the others' coverage simply ends."""
    subscriber = Member.objects.select_for_update().get(pk=subscriber.pk)
    if not subscriber.is_subscriber:
        raise EnrollmentError("COBRA starts from the subscriber's family.")
    if qualifying_event not in COBRA_EVENTS:
        raise EnrollmentError("Choose the qualifying event.")
    if event_date > coverage_end:
        raise EnrollmentError("Employer coverage ends on or after the qualifying event.")
    _check_not_too_retro(coverage_end, "The last day of employer coverage")
    covered = _covered_family(subscriber, coverage_end)
    continuing_ids = {m.pk for m in continuing}
    if not continuing_ids:
        raise EnrollmentError("Choose at least one person who continues on COBRA.")
    if not continuing_ids <= {m.pk for m, _ in covered}:
        raise EnrollmentError(
            f"Only members covered on {_fmt(coverage_end)} can continue on COBRA."
        )
    if any(c.is_cobra for _, c in covered):
        raise EnrollmentError("This family is already on COBRA.")
    later = Coverage.objects.filter(
        member__in=[m for m, _ in covered], start_date__gt=coverage_end
    ).exists()
    if later:
        raise EnrollmentError("A later change is already on file; call us to move to COBRA.")
    changes = _Changes(
        group=subscriber.group,
        by=by,
        on_behalf_of=on_behalf_of,
        idempotency_key=idempotency_key,
    )
    tier = _tier([m.relationship for m, _ in covered if m.pk in continuing_ids])
    start = coverage_end + datetime.timedelta(days=1)
    for member, coverage in covered:
        before = {"status": member.status}
        coverage.end_date = coverage_end
        coverage.save(update_fields=["end_date"])
        touched = [coverage]
        if member.pk in continuing_ids:
            touched.append(
                Coverage.objects.create(
                    member=member,
                    group=subscriber.group,
                    plan=coverage.plan,
                    tier=tier,
                    start_date=start,
                    is_cobra=True,
                    cobra_event=qualifying_event,
                    cobra_event_date=event_date,
                )
            )
            member.status = Member.Status.COBRA
            kind, effective = EnrollmentEvent.Kind.COBRA, start
        else:
            member.status = Member.Status.CANCELLED
            kind, effective = EnrollmentEvent.Kind.CANCEL, coverage_end
        member.save(update_fields=["status"])
        changes.record(
            member,
            kind,
            effective,
            before=before,
            after={"status": member.status},
            coverages=touched,
            qualifying_event=qualifying_event,
            event_date=event_date,
        )
    changes.send_on_commit()
    return subscriber


def reinstatement_preview(member):
    """[(member, coverage)] whose cancelled coverage reinstating `member` reopens: the member
    and, for a subscriber, the dependents whose coverage ended with theirs. Raises
    EnrollmentError when the window has passed or nothing is cancelled; changes nothing."""
    coverage = latest_coverage(member)
    if (
        coverage is None
        or coverage.end_date is None
        or member.status not in (Member.Status.CANCELLED,)
    ):
        raise EnrollmentError(
            f"{member.first_name} {member.last_name} has no cancelled coverage to reinstate."
        )
    limit = _today() - datetime.timedelta(days=settings.ENROLLMENT_REINSTATE_DAYS)
    if coverage.end_date < limit:
        raise EnrollmentError(
            f"Coverage that ended on {_fmt(coverage.end_date)} can no longer be reinstated "
            f"online (the window is {settings.ENROLLMENT_REINSTATE_DAYS} days). Enroll the "
            "member again, or call us."
        )
    if not member.is_subscriber and member.subscriber.status not in COVERED:
        raise EnrollmentError("Reinstate the subscriber first; their dependents can follow.")
    reopening = [(member, coverage)]
    if member.is_subscriber:
        for dependent in member.dependents.filter(status=Member.Status.CANCELLED):
            theirs = latest_coverage(dependent)
            if theirs and theirs.end_date == coverage.end_date:
                reopening.append((dependent, theirs))
    return reopening


@_idempotent
@transaction.atomic
def coverage_reinstate(*, member, by, on_behalf_of="", idempotency_key=None):
    """Reopen cancelled coverage as it was (same plan, tier, PCP, everything), within the
    reinstatement window: a subscriber's dependents cancelled with them come back too."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    reopening = reinstatement_preview(member)
    changes = _Changes(
        group=member.group, by=by, on_behalf_of=on_behalf_of, idempotency_key=idempotency_key
    )
    # Coverage resumes the day after the reinstated member's ended.
    resumes = reopening[0][1].end_date + datetime.timedelta(days=1)
    for person, coverage in reopening:
        before = {"status": person.status, "end_date": _jsonable(coverage.end_date)}
        effective = coverage.end_date + datetime.timedelta(days=1)
        coverage.end_date = None
        coverage.save(update_fields=["end_date"])
        person.status = Member.Status.COBRA if coverage.is_cobra else Member.Status.ACTIVE
        person.save(update_fields=["status"])
        changes.record(
            person,
            EnrollmentEvent.Kind.REINSTATE,
            effective,
            before=before,
            after={"status": person.status, "end_date": None},
            coverages=[coverage],
        )
    subscriber = member if member.is_subscriber else member.subscriber
    _retier_family(subscriber, resumes, changes)
    changes.send_on_commit()
    return member
