"""Commission statements' documents: what each shows, generating and keeping them, the purge.

A document is known by its Broker ID, its name (as brokers know it: BRK_GRP_STMNT_CA_2026-08-07
for a category statement, BRK_CHK_EFT_2026-08-07 for the checks & EFTs of a statement date) and
its format. It is drawn from the lines once and kept; `content_hash` says whether what it
shows is still what the lines say, so a changed line makes a new file and a request for an
unchanged one is served the stored file.
"""

import datetime
import hashlib
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q

from commissions import selectors, tasks
from commissions.documents import DetailLine, StatementContent, SummaryRow
from commissions.models import (
    RETENTION_MONTHS,
    CommissionLine,
    CommissionStatement,
    StatementDocument,
    payments_document_name,
)
from enrollment.models import Group
from portal.imports import ImportRowsError, cell_date, cell_decimal, cell_text

# Bump when the PDF or XLS layout changes, so every stored file is drawn again on next request.
LAYOUT_VERSION = "1"
ZERO = Decimal("0.00")


class DocumentNotFound(LookupError):
    pass


@dataclass(frozen=True)
class DocumentSource:
    """What a document name stands for: one statement, or the statements of a payment date."""

    broker_code: str
    name: str
    statement_date: datetime.date
    statements: list  # [CommissionStatement]; one for a category statement

    @property
    def is_payments(self):
        return self.name == payments_document_name(self.statement_date)


def document_source(broker_code: str, name: str, *, today) -> DocumentSource:
    """The statements behind a document name in the retention window; DocumentNotFound if none."""
    statements = list(selectors.statements_for(broker_code, today=today))
    for statement in statements:
        if statement.document_name == name:
            return DocumentSource(broker_code, name, statement.statement_date, [statement])
    for statement_date in {s.statement_date for s in statements}:
        if name == payments_document_name(statement_date):
            paid = [s for s in statements if s.statement_date == statement_date]
            return DocumentSource(broker_code, name, statement_date, paid)
    raise DocumentNotFound(name)


def _kind_totals(lines):
    totals = dict.fromkeys(CommissionLine.Kind.values, ZERO)
    for line in lines:
        totals[line.kind] += line.amount
    return totals


def statement_content(source: DocumentSource) -> StatementContent:
    """What the document of `source` shows, read from the database."""
    first = source.statements[0]
    common = {
        "name": source.name,
        "broker_code": source.broker_code,
        "npn": first.npn,
        "payee_name": first.payee_name,
        "agency_name": first.agency_name,
        "period": first.period,
        "statement_date": source.statement_date,
    }
    if source.is_payments:
        summary = []
        for statement in source.statements:
            totals = _kind_totals(statement.lines.only("kind", "amount"))
            summary.append(
                SummaryRow(
                    label=f"{statement.category_label}: {statement.get_payment_method_display()} "
                    f"{statement.payment_reference}".rstrip(),
                    commission=totals[CommissionLine.Kind.COMMISSION],
                    adjustments=totals[CommissionLine.Kind.ADJUSTMENT],
                    chargebacks=totals[CommissionLine.Kind.CHARGEBACK],
                )
            )
        return StatementContent(title="IFP / Group Checks & EFTs", summary=summary, **common)
    rows = list(
        first.lines.order_by("id").values_list(
            "kind",
            "group__number",
            "member_id",
            "description",
            "product",
            "coverage_period",
            "subscriber_count",
            "premium",
            "rate",
            "amount",
        )
    )
    totals = _kind_totals(CommissionLine(kind=row[0], amount=row[-1]) for row in rows)
    labels = dict(CommissionLine.Kind.choices)
    lines = [
        DetailLine(labels[kind], group or "", member, *rest) for kind, group, member, *rest in rows
    ]
    summary = [
        SummaryRow(
            label=first.category_label,
            commission=totals[CommissionLine.Kind.COMMISSION],
            adjustments=totals[CommissionLine.Kind.ADJUSTMENT],
            chargebacks=totals[CommissionLine.Kind.CHARGEBACK],
        )
    ]
    market = "Group" if first.category == CommissionStatement.Category.GROUP else "IFP"
    title = f"{market} Commission Statement – {first.state}"
    return StatementContent(title=title, summary=summary, lines=lines, **common)


def content_hash(content: StatementContent, format: str) -> str:
    """A digest of everything the document shows, and of the layout it is drawn with."""
    # Dataclass reprs list every field in order; Decimals and dates repr exactly.
    return hashlib.sha256(f"{LAYOUT_VERSION}|{format}|{content!r}".encode()).hexdigest()


def stored_document(source: DocumentSource, format: str) -> tuple[StatementDocument | None, str]:
    """The stored file of `source` in `format` if it still shows what the lines say (else None),
    and the hash of what it should show."""
    digest = content_hash(statement_content(source), format)
    document = StatementDocument.objects.filter(
        broker_code=source.broker_code, name=source.name, format=format, content_hash=digest
    ).first()
    if document is not None and not document.file.storage.exists(document.file.name):
        # Lost from storage (a restored backup, a cleaned disk): draw it again.
        document = None
    return document, digest


def document_generate(
    broker_code: str, name: str, format: str, *, today, force=False
) -> StatementDocument:
    """Draw the document from the lines and store it, unless the stored one is already current
    (or `force`: ops asked for every file to be drawn again)."""
    source = document_source(broker_code, name, today=today)
    content = statement_content(source)
    digest = content_hash(content, format)
    document = StatementDocument.objects.filter(
        broker_code=broker_code, name=name, format=format
    ).first()
    if (
        document is not None
        and document.content_hash == digest
        and document.file.storage.exists(document.file.name)
        and not force
    ):
        return document
    # Drawing loads WeasyPrint, which the web process otherwise never needs.
    from commissions import rendering

    draw = {"pdf": rendering.statement_pdf, "xlsx": rendering.statement_xlsx}[format]
    with tempfile.TemporaryFile() as out:
        draw(content, out)
        out.seek(0)
        try:
            with transaction.atomic():
                document, replaced = _document_store(source, format, digest, out, force=force)
        except IntegrityError:
            # Another worker stored the same document first.
            return StatementDocument.objects.get(broker_code=broker_code, name=name, format=format)
    if replaced and replaced != document.file.name:
        document.file.storage.delete(replaced)
    return document


def _document_store(source, format, digest, out, *, force):
    """Save the drawn file as the document, unless another worker stored it meanwhile."""
    document = (
        StatementDocument.objects.select_for_update()
        .filter(broker_code=source.broker_code, name=source.name, format=format)
        .first()
    )
    if (
        document is not None
        and document.content_hash == digest
        and document.file.storage.exists(document.file.name)
        and not force
    ):
        return document, ""
    document = document or StatementDocument(
        broker_code=source.broker_code, name=source.name, format=format
    )
    replaced = document.file.name if document.file else ""
    document.statement_date = source.statement_date
    document.statement = None if source.is_payments else source.statements[0]
    document.content_hash = digest
    document.file.save(f"{source.name}.{format}", File(out), save=False)
    document.size = document.file.size
    document.save()
    return document, replaced


def documents_of(statement: CommissionStatement) -> list[tuple[str, str]]:
    """(name, format) of every document a statement's lines appear in."""
    names = [statement.document_name, payments_document_name(statement.statement_date)]
    return [(name, format) for name in names for format in StatementDocument.Format.values]


def statements_purge(*, today) -> int:
    """Delete the statements older than the window, with their documents and files."""
    start = selectors.window_start(today)
    documents = StatementDocument.objects.filter(
        Q(statement__period__lt=start) | Q(statement=None, statement_date__lt=start)
    )
    files = list(documents.values_list("file", flat=True))
    with transaction.atomic():
        documents.delete()
        _, deleted = CommissionStatement.objects.filter(period__lt=start).delete()
    storage = StatementDocument._meta.get_field("file").storage
    for name in files:
        storage.delete(name)
    return deleted.get(CommissionStatement._meta.label, 0)


# Ops' file of commission lines. Each row is one line and names its statement; the statement's
# columns must agree on every row of that statement.
STATEMENT_IMPORT_COLUMNS = (
    "broker_id",
    "npn",
    "payee_name",
    "agency_name",
    "period",
    "category",
    "state",
    "statement_date",
    "payment_method",
    "payment_reference",
)
LINE_IMPORT_COLUMNS = (
    "kind",
    "group_number",
    "member_id",
    "description",
    "product",
    "coverage_period",
    "subscribers",
    "premium",
    "rate",
    "amount",
)
COMMISSION_IMPORT_COLUMNS = STATEMENT_IMPORT_COLUMNS + LINE_IMPORT_COLUMNS
COMMISSION_IMPORT_OPTIONAL_COLUMNS = (
    "payee_name",
    "agency_name",
    "payment_reference",
    "kind",
    "group_number",
    "member_id",
    "product",
    "subscribers",
)
COMMISSION_IMPORT_REQUIRED_COLUMNS = tuple(
    c for c in COMMISSION_IMPORT_COLUMNS if c not in COMMISSION_IMPORT_OPTIONAL_COLUMNS
)


def _choice(value, choices, default=None):
    text = cell_text(value).lower()
    if not text and default:
        return default
    for choice in choices:
        if text in (choice.value, choice.label.lower()):
            return choice.value
    return None


def _statement_from_row(values, *, today):
    """The statement columns of a row, checked: ({field: value}, [(column, message)])."""
    problems, fields = [], {}
    fields["broker_code"] = cell_text(values.get("broker_id")).upper()
    if not re.fullmatch(r"[A-Z0-9]{1,12}", fields["broker_code"]):
        problems.append(("broker_id", "Enter the Broker ID: up to 12 letters and digits."))
    fields["npn"] = cell_text(values.get("npn"))
    if not re.fullmatch(r"\d{1,10}", fields["npn"]):
        problems.append(("npn", "Enter the NPN: up to 10 digits."))
    fields["payee_name"] = cell_text(values.get("payee_name"))[:120]
    fields["agency_name"] = cell_text(values.get("agency_name"))[:120]
    for column in ("period", "statement_date"):
        try:
            fields[column] = cell_date(values.get(column))
        except ValueError:
            problems.append((column, "Enter a date as YYYY-MM-DD or MM/DD/YYYY."))
    if "period" in fields:
        fields["period"] = fields["period"].replace(day=1)
        if fields["period"] < selectors.window_start(today):
            problems.append(
                ("period", f"Statements are kept {RETENTION_MONTHS} months; this one is older.")
            )
    fields["category"] = _choice(values.get("category"), CommissionStatement.Category)
    if fields["category"] is None:
        problems.append(("category", "Use group or ifp."))
    fields["state"] = cell_text(values.get("state")).upper()
    if not re.fullmatch(r"[A-Z]{2}", fields["state"]):
        problems.append(("state", "Use a two-letter state code."))
    fields["payment_method"] = _choice(
        values.get("payment_method"), CommissionStatement.PaymentMethod
    )
    if fields["payment_method"] is None:
        problems.append(("payment_method", "Use check or eft."))
    fields["payment_reference"] = cell_text(values.get("payment_reference"))[:30]
    return fields, problems


def _line_from_row(values, groups):
    """The line columns of a row, checked: (CommissionLine, [(column, message)])."""
    problems = []
    line = CommissionLine(
        kind=_choice(values.get("kind"), CommissionLine.Kind, CommissionLine.Kind.COMMISSION),
        member_id=cell_text(values.get("member_id"))[:20],
        description=cell_text(values.get("description")),
        product=cell_text(values.get("product"))[:100],
    )
    if line.kind is None:
        problems.append(("kind", "Use commission, adjustment or chargeback."))
    number = cell_text(values.get("group_number"))
    if number:
        line.group_id = groups.get(number)
        if line.group_id is None:
            problems.append(("group_number", f"No group {number} on file."))
    if not line.description or len(line.description) > 200:
        problems.append(("description", "Enter a description of up to 200 characters."))
    try:
        line.coverage_period = cell_date(values.get("coverage_period")).replace(day=1)
    except ValueError:
        problems.append(("coverage_period", "Enter a date as YYYY-MM-DD or MM/DD/YYYY."))
    subscribers = cell_text(values.get("subscribers")) or "0"
    if subscribers.isdigit():
        line.subscriber_count = int(subscribers)
    else:
        problems.append(("subscribers", "Enter a whole number."))
    for column, field, places in (
        ("premium", "premium", "0.01"),
        ("rate", "rate", "0.0001"),
        ("amount", "amount", "0.01"),
    ):
        try:
            setattr(line, field, cell_decimal(values.get(column), places))
        except ValueError:
            problems.append((column, "Enter a number."))
    if line.rate is not None and not (0 <= line.rate <= 1):
        problems.append(("rate", "Enter the rate as a fraction: 0.05 for 5%."))
    if line.amount is not None:
        if line.kind == CommissionLine.Kind.CHARGEBACK and line.amount > 0:
            problems.append(("amount", "A chargeback takes commission back: enter it negative."))
        if line.kind == CommissionLine.Kind.COMMISSION and line.amount < 0:
            problems.append(("amount", "Enter a negative amount as a chargeback or adjustment."))
    return line, problems


@transaction.atomic
def commission_lines_import(*, rows, by, today) -> dict:
    """Load statements from an ops file: every row or none.

    Each statement in the file (Broker ID, month, category, state) gets exactly the file's
    lines, replacing any it had, so a corrected file can be loaded again; its total is the sum
    of its lines. Any problem raises ImportRowsError listing them all, and nothing is saved.
    Stored documents of the statements are drawn again after the commit, as their lines changed.
    """
    rows = list(rows)
    numbers = {cell_text(values.get("group_number")) for _, values in rows} - {""}
    groups = dict(Group.objects.filter(number__in=numbers).values_list("number", "pk"))
    errors, statements, first_row_of = [], {}, {}
    for number, values in rows:
        fields, problems = _statement_from_row(values, today=today)
        line, line_problems = _line_from_row(values, groups)
        problems += line_problems
        key = tuple(fields.get(c) for c in ("broker_code", "period", "category", "state"))
        if not problems:
            if key in statements and statements[key][0] != fields:
                problems.append(
                    ("", f"The statement's columns differ from row {first_row_of[key]}'s.")
                )
            statements.setdefault(key, (fields, []))[1].append(line)
            first_row_of.setdefault(key, number)
        errors += [(number, column, message) for column, message in problems]
    if not rows:
        errors.append((None, "", "The file has no rows below its header."))
    if errors:
        raise ImportRowsError(errors)
    created, updated = [], []
    for (broker_code, period, category, state), (fields, lines) in statements.items():
        statement, is_new = CommissionStatement.objects.update_or_create(
            broker_code=broker_code,
            period=period,
            category=category,
            state=state,
            defaults={**fields, "total": sum((line.amount for line in lines), ZERO)},
        )
        statement.lines.all().delete()
        for line in lines:
            line.statement = statement
        CommissionLine.objects.bulk_create(lines)
        (created if is_new else updated).append(statement)
    message = "Imported from a file."
    if created:
        LogEntry.objects.log_actions(by.pk, created, ADDITION, message)
    if updated:
        LogEntry.objects.log_actions(by.pk, updated, CHANGE, message)
    ids = [statement.pk for statement in updated]
    if ids:
        transaction.on_commit(lambda: tasks.statement_documents_refresh.delay(ids))
    return {
        "created": len(created),
        "updated": len(updated),
        "lines": sum(len(lines) for _, lines in statements.values()),
    }


def stored_documents_refresh(statement_ids, *, today, force=False) -> int:
    """Draw again the stored documents that show these statements, where what they show changed
    (every one, with `force`). Documents never requested stay ungenerated. Returns how many."""
    drawn = 0
    for statement in CommissionStatement.objects.filter(pk__in=statement_ids):
        for name, format in documents_of(statement):
            stored = StatementDocument.objects.filter(
                broker_code=statement.broker_code, name=name, format=format
            ).first()
            if stored is None and not force:
                continue
            before = stored.content_hash if stored else ""
            try:
                document = document_generate(
                    statement.broker_code, name, format, today=today, force=force
                )
            except DocumentNotFound:
                continue  # outside the window: the purge will take it
            drawn += document.content_hash != before or force
    return drawn


def statement_total_update(statement: CommissionStatement) -> None:
    """The statement's total, after its lines were edited one by one (in the admin)."""
    total = sum(statement.lines.values_list("amount", flat=True), ZERO)
    CommissionStatement.objects.filter(pk=statement.pk).update(total=total)
