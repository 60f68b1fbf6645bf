"""Documents ops upload for people to download (forms, brochures, a group's contracts): only
PDF, Word (.docx) and Excel (.xlsx), checked by name and by content, within a size limit."""

import zipfile
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Extension -> (content type served, what people call it).
DOCUMENT_TYPES = {
    ".pdf": (PDF, "PDF"),
    ".docx": (DOCX, "Word document"),
    ".xlsx": (XLSX, "Excel workbook"),
}
# An Office file is a zip; its main part tells a Word document from a workbook.
OFFICE_MAIN_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
ACCEPT = ",".join(DOCUMENT_TYPES)


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


def document_upload_check(file, *, max_bytes) -> dict | None:
    """Check a newly chosen file; None when the form kept the current one.

    Returns what to store with it (filename, content_type, size), or raises ValidationError
    saying what is wrong in words an ops person can act on.
    """
    if not isinstance(file, UploadedFile):
        return None
    extension = Path(file.name).suffix.lower()
    if extension not in DOCUMENT_TYPES:
        raise forms.ValidationError(
            "Upload a PDF, Word (.docx) or Excel (.xlsx) file; %(name)s is none of these.",
            code="file_type",
            params={"name": file.name},
        )
    if file.size > max_bytes:
        raise forms.ValidationError(
            "The file is %(size)s; the most a document may be is %(max)s.",
            code="file_size",
            params={"size": filesizeformat(file.size), "max": filesizeformat(max_bytes)},
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
    return {"filename": Path(file.name).name[:150], "content_type": content_type, "size": file.size}
