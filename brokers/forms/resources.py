"""Forms & Brochures: the admin's upload form, which checks what a file really is, and the
broker list's filters."""

import zipfile
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from brokers.models import Document

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Extension -> (content type served, a test of the file's first bytes and structure).
# An Office file is a zip; its main part tells a Word document from a workbook.
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENT_TYPES = {
    ".pdf": (PDF, "PDF"),
    ".docx": (DOCX, "Word document"),
    ".xlsx": (XLSX, "Excel workbook"),
}
OFFICE_MAIN_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def sniffed_extension(upload) -> str | None:
    """What the file's content says it is (".pdf", ".docx", ".xlsx"), whatever its name says."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return next((ext for ext, part in OFFICE_MAIN_PARTS.items() if part in names), None)


class DocumentAdminForm(forms.ModelForm):
    """Ops upload a document: PDF, Word (.docx) or Excel (.xlsx) only, checked by name and
    content, up to DOCUMENT_MAX_BYTES."""

    class Meta:
        model = Document
        fields = [
            "title",
            "description",
            "category",
            "market",
            "state",
            "file",
            "is_published",
            "published_on",
            "expires_on",
        ]
        # No "Currently: <link>": the storage has no public URL; the admin links its own
        # download instead.
        widgets = {"file": forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"})}
        help_texts = {
            "file": f"PDF, Word (.docx) or Excel (.xlsx), at most "
            f"{filesizeformat(DOCUMENT_MAX_BYTES)}. Choose a file only to replace the current one."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = None

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not isinstance(file, UploadedFile):
            return file  # unchanged on edit
        extension = Path(file.name).suffix.lower()
        if extension not in DOCUMENT_TYPES:
            raise forms.ValidationError(
                "Upload a PDF, Word (.docx) or Excel (.xlsx) file; %(name)s is none of these.",
                code="file_type",
                params={"name": file.name},
            )
        if file.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is %(size)s; the most a document may be is %(max)s.",
                code="file_size",
                params={
                    "size": filesizeformat(file.size),
                    "max": filesizeformat(DOCUMENT_MAX_BYTES),
                },
            )
        if sniffed_extension(file) != extension:
            _, label = DOCUMENT_TYPES[extension]
            raise forms.ValidationError(
                "%(name)s is named like a %(label)s but its content is not one. "
                "Save it again as a real %(label)s and upload that.",
                code="file_content",
                params={"name": file.name, "label": label},
            )
        content_type, _ = DOCUMENT_TYPES[extension]
        self.upload = {
            "filename": Path(file.name).name[:150],
            "content_type": content_type,
            "size": file.size,
        }
        return file

    def clean(self):
        cleaned = super().clean()
        published_on, expires_on = cleaned.get("published_on"), cleaned.get("expires_on")
        if published_on and expires_on and expires_on < published_on:
            self.add_error("expires_on", "The last day can't be before the publishing date.")
        return cleaned


class DocumentFilterForm(forms.Form):
    """The broker list's filters; an unknown value is ignored rather than an error."""

    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "All categories"), *Document.Category.choices],
    )
    market = forms.ChoiceField(
        label="Market", required=False, choices=[("", "All markets"), *Document.MARKETS[1:]]
    )
    state = forms.ChoiceField(label="State", required=False)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "All states"), *((s, s) for s in states)]
