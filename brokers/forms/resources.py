"""Forms & Brochures: the admin's upload form, which checks what a file really is, and the
broker list's filters."""

from django import forms
from django.template.defaultfilters import filesizeformat

from brokers.models import Document
from portal import uploads

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


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
        self.upload = uploads.document_upload_check(file, max_bytes=DOCUMENT_MAX_BYTES)
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
