"""Group Documents: ops' upload form in the admin, and the administrators' list filters."""

from django import forms
from django.template.defaultfilters import filesizeformat

from employers.models import GroupDocument
from portal import uploads

GROUP_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class GroupDocumentAdminForm(forms.ModelForm):
    class Meta:
        model = GroupDocument
        fields = ["group", "title", "category", "file", "is_published", "published_on"]
        # The storage has no public URL: no "Currently: <link>".
        widgets = {"file": forms.FileInput(attrs={"accept": uploads.ACCEPT})}
        help_texts = {
            "file": f"PDF, Word (.docx) or Excel (.xlsx), at most "
            f"{filesizeformat(GROUP_DOCUMENT_MAX_BYTES)}. Choose a file only to replace the "
            "current one."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = None

    def clean_file(self):
        file = self.cleaned_data["file"]
        self.upload = uploads.document_upload_check(file, max_bytes=GROUP_DOCUMENT_MAX_BYTES)
        return file


class GroupDocumentFilterForm(forms.Form):
    """An unknown value is ignored rather than an error: the list shows everything."""

    group = forms.ChoiceField(label="Group", required=False)
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "All categories"), *GroupDocument.Category.choices],
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All groups")] + [
            (str(group.pk), f"{group.number} {group.name}") for group in groups
        ]
