"""Invoices' PDF and XLS files: drawn once from what the bill shows, kept, served again.

A file is known by its invoice and format. `content_hash` is a digest of the `InvoiceContent`
it was drawn from and of the layout, so a bill whose figures or roster changed (an adjustment,
a regenerated invoice) gets a new file on its next request, and an unchanged one is never drawn
twice. Drawing runs in the worker (billing.tasks.invoice_document_generate); the web process only
asks whether the stored file is current.
"""

import hashlib
import tempfile

from django.core.files import File
from django.db import IntegrityError, transaction

from billing.documents import InvoiceContent, invoice_content
from billing.models import Invoice, InvoiceDocument

# Bump when the PDF or XLSX layout changes, so every stored file is drawn again on next request.
LAYOUT_VERSION = "1"


def content_hash(content: InvoiceContent, format: str) -> str:
    """A digest of everything the document shows, and of the layout it is drawn with."""
    # Dataclass reprs list every field in order; Decimals and dates repr exactly.
    return hashlib.sha256(f"{LAYOUT_VERSION}|{format}|{content!r}".encode()).hexdigest()


def _current(document, digest):
    """Whether `document` shows `digest` and its file is still in storage (a restored backup or
    a cleaned disk may have lost it: then it is drawn again)."""
    return (
        document is not None
        and document.content_hash == digest
        and document.file.storage.exists(document.file.name)
    )


def stored_invoice_document(invoice: Invoice, format: str) -> tuple[InvoiceDocument | None, str]:
    """The stored file of `invoice` in `format` if it still shows what the bill says (else
    None), and the hash of what it should show.

    The caller has checked that the user may see the invoice (employers.selectors).
    """
    digest = content_hash(invoice_content(invoice), format)
    document = InvoiceDocument.objects.filter(invoice=invoice, format=format).first()
    return (document if _current(document, digest) else None), digest


def invoice_document_generate(invoice_id: int, format: str, *, force=False) -> InvoiceDocument:
    """Draw the invoice's document and store it, unless the stored one is already current
    (or `force`). Raises Invoice.DoesNotExist for an invoice that is gone."""
    invoice = Invoice.objects.get(pk=invoice_id)
    content = invoice_content(invoice)
    digest = content_hash(content, format)
    document = InvoiceDocument.objects.filter(invoice=invoice, format=format).first()
    if _current(document, digest) and not force:
        return document
    # Drawing loads WeasyPrint, which the web process otherwise never needs.
    from billing import rendering

    draw = {"pdf": rendering.invoice_pdf, "xlsx": rendering.invoice_xlsx}[format]
    with tempfile.TemporaryFile() as out:
        draw(content, out)
        out.seek(0)
        try:
            with transaction.atomic():
                document, replaced = _document_store(invoice, content, format, digest, out, force)
        except IntegrityError:
            # Another worker stored the same document first.
            return InvoiceDocument.objects.get(invoice=invoice, format=format)
    if replaced and replaced != document.file.name:
        document.file.storage.delete(replaced)
    return document


def _document_store(invoice, content, format, digest, out, force):
    """Save the drawn file as the document, unless another worker stored it meanwhile.

    Returns (document, the name of the file it replaced or "")."""
    document = (
        InvoiceDocument.objects.select_for_update().filter(invoice=invoice, format=format).first()
    )
    if _current(document, digest) and not force:
        return document, ""
    document = document or InvoiceDocument(invoice=invoice, format=format)
    replaced = document.file.name if document.file else ""
    document.content_hash = digest
    document.file.save(f"{content.name}.{format}", File(out), save=False)
    document.size = document.file.size
    document.save()
    return document, replaced
