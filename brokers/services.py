import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from brokers import access, selectors
from brokers.models import (
    Agency,
    Broker,
    BrokerOfRecord,
    ContractingRecord,
    License,
    UplineAccess,
)
from brokers.selectors import RegistrationRefusal
from brokers.signals import broker_of_record_ended
from enrollment.models import Group
from portal.accounts.models import RegistrationToken, Role, User, UserStatus
from portal.accounts.services import (
    REGISTRATION_LINK_LIFETIME,
    password_reset_email_send,
    pending_user_create,
    registration_complete,
    registration_token_issue,
    user_sessions_end,
)
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.data_loads import data_load_log, data_load_message
from portal.imports import ImportRowsError, cell_date, cell_text
from portal.mail import absolute_url, email_send

# What a new staff user may use until the broker says otherwise: everything but commissions
# and the office's own user administration.
DEFAULT_STAFF_TOOLS = (access.Tool.BOOK_OF_BUSINESS, access.Tool.ELIGIBILITY)


@transaction.atomic
def broker_user_attach(*, broker: Broker, user: User) -> Broker:
    """Make `user` the portal login of a contracted broker and open their office."""
    user.role = Role.BROKER
    user.save(update_fields=["role"])
    broker.user = user
    broker.save(update_fields=["user"])
    access.open_office(broker)
    return broker


@transaction.atomic
def office_staff_add(*, broker: Broker, user: User, tools=DEFAULT_STAFF_TOOLS) -> User:
    """Add a staff user to a broker's office with the tools the broker grants them."""
    user.role = Role.BROKER_STAFF
    user.save(update_fields=["role"])
    user.groups.add(access.open_office(broker))
    user.user_permissions.set(access.tool_permissions(tools))
    return user


@transaction.atomic
def broker_of_record_start(*, group, broker: Broker, start_date) -> BrokerOfRecord:
    """Make `broker` the group's broker of record from `start_date`, ending the previous one.

    The previous broker's office loses the book-of-business view of the group, and with it any
    billing or enrollment functions the employer had granted them.
    """
    current = (
        BrokerOfRecord.objects.select_for_update()
        .filter(group=group, end_date__isnull=True)
        .first()
    )
    if current is not None:
        current.end_date = max(start_date, current.start_date)
        current.save(update_fields=["end_date"])
        access.revoke_group_functions(
            current.broker, group, access.BOOK_OF_BUSINESS_PERMS + access.GRANTABLE_FUNCTIONS
        )
        # Nor does their general agency see a group that left their book.
        access.revoke_upline_view(current.broker, [group])
        # The employer's grants to the old broker end too (employers.receivers).
        broker_of_record_ended.send(sender=BrokerOfRecord, record=current)
    record = BrokerOfRecord.objects.create(group=group, broker=broker, start_date=start_date)
    access.grant_book_of_business(record)
    upline_access = UplineAccess.objects.filter(broker=broker).first()
    if upline_access is not None:
        access.grant_upline_view(broker, [group], rosters=upline_access.rosters_allowed)
    return record


@transaction.atomic
def brokers_of_record_load(*, records) -> list[BrokerOfRecord]:
    """Load brokers of record for groups that have none yet, in bulk (a carrier data load).

    `records` are (group, broker, start_date). Each office gets its book-of-business view of its
    groups, and a broker's upline the view the broker allowed it, as broker_of_record_start gives
    them, in a handful of queries however many groups.
    """
    rows = BrokerOfRecord.objects.bulk_create(
        BrokerOfRecord(group=group, broker=broker, start_date=start_date)
        for group, broker, start_date in records
    )
    access.grant_group_functions_in_bulk(
        (row.broker, row.group, access.BOOK_OF_BUSINESS_PERMS) for row in rows
    )
    uplines_allowed = UplineAccess.objects.filter(broker__in={row.broker_id for row in rows})
    for upline_access in uplines_allowed.select_related("broker__agency"):
        groups = [row.group for row in rows if row.broker_id == upline_access.broker_id]
        access.grant_upline_view(
            upline_access.broker, groups, rosters=upline_access.rosters_allowed
        )
    return rows


def office_activity_record(*, broker: Broker, summary: str, actor: User | None = None, link=""):
    """Tell a broker what happened in their office: a line in Recent Activity and an email."""
    if broker.user is None:
        return
    activity_record(recipients=[broker.user], summary=summary, actor=actor, link=link)
    email_send(
        to=[broker.user.email],
        template="brokers_office_activity",
        context={"broker": broker, "summary": summary},
    )


@transaction.atomic
def broker_phone_update(*, broker: Broker, phone: str, by: User) -> Broker:
    broker.phone = phone
    broker.save(update_fields=["phone"])
    activity_record(recipients=[by], summary="You updated your telephone number.", actor=by)
    return broker


@transaction.atomic
def license_mark_primary(*, license: License, by: User) -> License:
    """Make `license` the broker's primary profile; the previous primary stops being one."""
    License.objects.filter(broker_id=license.broker_id, is_primary=True).exclude(
        pk=license.pk
    ).update(is_primary=False)
    license.is_primary = True
    license.save(update_fields=["is_primary"])
    activity_record(
        recipients=[by],
        summary=f"You made your {license.state} license {license.number} your primary profile.",
        actor=by,
    )
    return license


# Self-registration: a contracted broker proves NPN + Tax ID, gets an emailed link, and finishes
# with a password, the terms and a second factor. Office staff finish the same way from the
# link their broker's invitation sent.
REGISTRATION_PURPOSE = "broker"
STAFF_REGISTRATION_PURPOSE = "broker_staff"


class RegistrationRefused(Exception):
    """The contracting record can't be registered (any more); `reason` is a RegistrationRefusal."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def broker_registration_send(*, record: ContractingRecord) -> str:
    """Email the broker of a contracting record a link to finish registering.

    The link goes to the email on the record, never to one the visitor typed, and any earlier
    link stops working. The caller has checked selectors.registration_refusal. Returns the raw
    token.
    """
    user = User.objects.filter(email__iexact=record.email).first()
    if user is None:
        user = pending_user_create(
            email=record.email,
            first_name=record.first_name,
            last_name=record.last_name,
            role=Role.BROKER,
        )
    token = registration_token_issue(
        user=user, purpose=REGISTRATION_PURPOSE, payload={"contracting_record": record.pk}
    )
    email_send(
        to=[user.email],
        template="brokers_registration",
        context={
            "record": record,
            "link": absolute_url(reverse("brokers:register-complete", args=[token])),
            "register_url": absolute_url(reverse("brokers:register")),
            "contact": settings.CARRIER["contacts"]["broker"][0],
        },
    )
    return token


def _broker_for_contracting_record(record: ContractingRecord) -> Broker:
    """The carrier's Broker row for the record's NPN (with its licenses and Broker IDs), or a
    new one made from the record when the carrier has none yet."""
    broker = Broker.objects.select_for_update().filter(npn=record.npn).first()
    if broker is not None:
        return broker
    agency = None
    if record.firm_name:
        agency = Agency.objects.filter(name__iexact=record.firm_name).first()
    if agency is None:
        agency = Agency.objects.create(
            name=record.firm_name or f"{record.first_name} {record.last_name}",
            tax_id=record.tax_id,
        )
    return Broker.objects.create(
        agency=agency,
        first_name=record.first_name,
        last_name=record.last_name,
        email=record.email,
        npn=record.npn,
        tax_id=record.tax_id,
    )


@transaction.atomic
def broker_registration_complete(*, token, password: str, totp_secret: str) -> User:
    """Finish a broker's or an office staff user's registration from their emailed link.

    A broker gets their Broker record and office linked (being broker of record already gave
    the office its book); a staff user's broker hears that they finished. Either way a second
    email says the account is active. Raises RegistrationRefused, changing nothing, when the
    broker registered meanwhile by another link.
    """
    user = registration_complete(token=token, password=password, totp_secret=totp_secret)
    if token.purpose == REGISTRATION_PURPOSE:
        record = ContractingRecord.objects.get(pk=token.payload["contracting_record"])
        broker = _broker_for_contracting_record(record)
        if broker.user_id is not None and broker.user_id != user.pk:
            raise RegistrationRefused(RegistrationRefusal.REGISTERED)
        user.first_name, user.last_name = record.first_name, record.last_name
        user.save(update_fields=["first_name", "last_name"])
        broker_user_attach(broker=broker, user=user)
    else:
        broker = Broker.objects.select_related("user").get(pk=token.payload["broker"])
        office_activity_record(
            broker=broker, summary=f"{user.display_name} completed registration.", actor=user
        )
    email_send(
        to=[user.email],
        template="brokers_account_active",
        context={"user": user, "sign_in_url": absolute_url(reverse("brokers:sign-in"))},
    )
    return user


# The columns of an ops import file; the first row names them, in any order.
CONTRACTING_IMPORT_COLUMNS = (
    "npn",
    "tax_id",
    "first_name",
    "last_name",
    "email",
    "firm_name",
    "states_appointed",
    "status",
    "created_on",
)
CONTRACTING_IMPORT_REQUIRED_COLUMNS = (
    "npn",
    "tax_id",
    "first_name",
    "last_name",
    "email",
    "status",
    "created_on",
)


def _import_status(value) -> str | None:
    text = cell_text(value).lower()
    for status in ContractingRecord.Status:
        if text in (status.value, status.label.lower()):
            return status.value
    return None


def _contracting_record_from_row(record: ContractingRecord, values: dict) -> list:
    """Set the row's values on `record`; the problems found, as (column, message)."""
    problems = []
    record.npn = cell_text(values.get("npn"))
    tax_id = values.get("tax_id")
    if isinstance(tax_id, int | float):
        # A number cell drops an SSN's leading zeros.
        tax_id = cell_text(tax_id).zfill(9)
    record.tax_id = cell_text(tax_id).replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{9}", record.tax_id):
        problems.append(("tax_id", "Enter the nine digits of the Tax ID (the dash is optional)."))
    record.first_name = cell_text(values.get("first_name"))
    record.last_name = cell_text(values.get("last_name"))
    record.email = cell_text(values.get("email"))
    record.firm_name = cell_text(values.get("firm_name"))
    states = [s.strip().upper() for s in cell_text(values.get("states_appointed")).split(",")]
    states = [s for s in states if s]
    if any(not re.fullmatch(r"[A-Z]{2}", s) for s in states):
        problems.append(("states_appointed", "Use two-letter state codes separated by commas."))
    record.states_appointed = ",".join(states)
    status = _import_status(values.get("status"))
    if status is None:
        choices = ", ".join(s.label for s in ContractingRecord.Status)
        problems.append(("status", f"Use one of: {choices}."))
    else:
        record.status = status
    try:
        record.created_on = cell_date(values.get("created_on"))
    except ValueError:
        record.created_on = None
        problems.append(("created_on", "Enter a date as YYYY-MM-DD or MM/DD/YYYY."))
    try:
        record.full_clean(
            exclude=[column for column, _ in problems] + ["tax_id_digest"], validate_unique=False
        )
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column
            problems += [(column, message) for message in messages]
    return problems


@transaction.atomic
def contracting_records_import(*, rows, by: User, dry_run: bool = False) -> str:
    """Create or update contracting records from an ops file: every row or none.

    `rows` are (row number, {column: value}) as read from the file. A row whose NPN is already
    on file updates that record (a new extract of the carrier's contracting system corrects
    and deactivates); an NPN twice in one file is an error. Any problem raises
    ImportRowsError listing them all, and nothing is saved; a dry run checks the same and saves
    nothing either way. Returns what the admin says (portal.data_loads).
    """
    rows = list(rows)
    npns = {cell_text(values.get("npn")) for _, values in rows}
    existing = {r.npn: r for r in ContractingRecord.objects.filter(npn__in=npns)}
    errors, records, first_row_of = [], [], {}
    for number, values in rows:
        record = existing.get(cell_text(values.get("npn"))) or ContractingRecord()
        problems = _contracting_record_from_row(record, values)
        if record.npn and record.npn in first_row_of:
            problems.append(("npn", f"NPN {record.npn} is also on row {first_row_of[record.npn]}."))
        first_row_of.setdefault(record.npn, number)
        errors += [(number, column, message) for column, message in problems]
        records.append(record)
    if not rows:
        errors.append((None, "", "The file has no rows below its header."))
    if errors:
        raise ImportRowsError(errors)
    created = [r for r in records if r.pk is None]
    updated = [r for r in records if r.pk is not None]
    if not dry_run:
        with transaction.atomic():
            for record in records:
                record.save()
            data_load_log(by=by, created=created, updated=updated)
    return data_load_message(
        noun="contracting records", created=created, updated=updated, dry_run=dry_run
    )


# Manage Accounts: the office's staff users, and the upline's view of the broker's book.
# (Staff registration links use STAFF_REGISTRATION_PURPOSE, above.)


def tools_grantable_by(user: User) -> set[str]:
    """The tools `user` may hand out: a broker all of them, office staff only those they hold."""
    return {tool for tool in access.Tool.ALL if user.has_perm(tool)}


@transaction.atomic
def office_staff_invite(
    *, broker: Broker, email: str, first_name: str, last_name: str, tools, by: User
) -> User:
    """Create a staff user in the broker's office and email them a registration link.

    They finish registering as a broker does (password, terms, second factor); until then they
    are "Pending registration". Tools that `by` does not hold are not granted.
    """
    user = pending_user_create(
        email=email, first_name=first_name, last_name=last_name, role=Role.BROKER_STAFF
    )
    office_staff_add(broker=broker, user=user, tools=set(tools) & tools_grantable_by(by))
    _staff_invitation_send(broker=broker, user=user)
    _staff_change_audit(by=by, user=user)
    return user


@transaction.atomic
def office_staff_update(*, user: User, first_name: str, last_name: str, tools, by: User) -> User:
    """Rename a staff user and set their tools. Tools `by` cannot grant stay as they were."""
    grantable = tools_grantable_by(by)
    kept = selectors.staff_tools_of(user) - grantable
    user.first_name = first_name
    user.last_name = last_name
    user.save(update_fields=["first_name", "last_name"])
    user.user_permissions.set(access.tool_permissions((set(tools) & grantable) | kept))
    # has_perm caches on the instance; the caller's copy must not answer with the old tools.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    _staff_change_audit(by=by, user=user)
    return user


@transaction.atomic
def office_staff_disable(*, user: User, by: User) -> User:
    """Disable a staff user and end their sessions now, whatever page they are on.

    Their registration link, if they had not used it yet, stops working too.
    """
    if user.pk == by.pk:
        raise ValidationError("You can't disable your own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    RegistrationToken.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    user_sessions_end(user)
    _staff_change_audit(by=by, user=user)
    return user


@transaction.atomic
def office_staff_enable(*, user: User, by: User) -> User:
    """Let a disabled staff user sign in again (a pending one needs a new registration email)."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    _staff_change_audit(by=by, user=user)
    return user


@transaction.atomic
def office_staff_password_reset(*, user: User, by: User, request) -> None:
    """Send a staff user the portal's ordinary password reset email, link and all.

    Only for someone who has registered and is not disabled. Finishing the reset unlocks a
    locked account (the account adapter's set_password does that). allauth builds the link
    from the request, hence the argument.
    """
    password_reset_email_send(user=user, request=request)
    _staff_change_audit(by=by, user=user)


@transaction.atomic
def office_staff_registration_resend(*, user: User, by: User) -> None:
    """Email a pending staff user a new registration link; the previous link stops working."""
    if user.status != UserStatus.PENDING:
        raise ValidationError(
            f"{user.display_name} is not waiting to register: the account is "
            f"{user.status.label.lower()}."
        )
    _staff_invitation_send(broker=access.broker_for(user), user=user)
    _staff_change_audit(by=by, user=user)


def _staff_invitation_send(*, broker: Broker, user: User) -> None:
    token = registration_token_issue(
        user=user, purpose=STAFF_REGISTRATION_PURPOSE, payload={"broker": broker.pk}
    )
    email_send(
        to=[user.email],
        template="brokers_staff_invitation",
        context={
            "user": user,
            "broker": broker,
            "link": absolute_url(reverse("brokers:register-complete", args=[token])),
            "hours": int(REGISTRATION_LINK_LIFETIME.total_seconds() // 3600),
        },
    )


def _staff_change_audit(*, by: User, user: User) -> None:
    audit_record_for_user(
        user=by, action=AuditEvent.Action.CHANGE, object_type="accounts.User", object_ids=[user.pk]
    )


def _current_book(broker: Broker):
    """The groups the broker is broker of record for today."""
    return Group.objects.filter(
        brokers_of_record__broker=broker, brokers_of_record__end_date__isnull=True
    )


@transaction.atomic
def upline_access_grant(*, broker: Broker, rosters_allowed: bool, by: User) -> UplineAccess:
    """Let the brokers of the broker's general agency (upline) view the groups of their book.

    Group details only, unless `rosters_allowed`. It covers today's book; broker_of_record_start
    extends it to groups the broker gains later. Granting again replaces the rosters choice.
    """
    agency = broker.agency.upline
    if agency is None:
        raise ValidationError("Your agency has no general agency (upline) on file.")
    upline_access, _ = UplineAccess.objects.update_or_create(
        broker=broker,
        defaults={
            "rosters_allowed": rosters_allowed,
            "granted_by": by,
            "granted_at": timezone.now(),
        },
    )
    book = _current_book(broker)
    # Start from nothing, so that a change to "no rosters" takes the rosters back.
    access.revoke_upline_view(broker, book)
    access.grant_upline_view(broker, book, rosters=rosters_allowed)
    what = "group details and subscriber lists" if rosters_allowed else "group details"
    office_activity_record(
        broker=broker, summary=f"Upline view granted to {agency.name} ({what}).", actor=by
    )
    # Keyed by the broker: the access row is one-to-one with them and gone after a revoke.
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="brokers.UplineAccess",
        object_ids=[broker.pk],
    )
    return upline_access


@transaction.atomic
def upline_access_revoke(*, broker: Broker, by: User) -> None:
    """Stop the general agency's view of the broker's book (what it sees as broker of record
    itself stays)."""
    deleted, _ = UplineAccess.objects.filter(broker=broker).delete()
    access.revoke_upline_view(broker, _current_book(broker))
    if not deleted:
        return
    office_activity_record(
        broker=broker,
        summary=f"Upline view stopped for {broker.agency.upline or 'your general agency'}.",
        actor=by,
    )
    audit_record_for_user(
        user=by,
        action=AuditEvent.Action.CHANGE,
        object_type="brokers.UplineAccess",
        object_ids=[broker.pk],
    )


def document_save(*, document, by, upload=None):
    """Save a Forms & Brochures document ops edited in the admin.

    `upload` describes a newly chosen file (filename, content_type, size, as the admin form
    checked them); whoever uploads it becomes its uploader. Publishing without a date publishes
    it today.
    """
    if upload is not None:
        document.filename = upload["filename"]
        document.content_type = upload["content_type"]
        document.size = upload["size"]
        document.uploaded_by = by
    if document.is_published and document.published_on is None:
        document.published_on = timezone.localdate()
    document.save()
    return document
