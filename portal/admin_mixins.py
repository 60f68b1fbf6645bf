from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse

from portal.imports import ImportRowsError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through services (permission grants) or never (history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserObjectPermissionAdmin(ReadOnlyAdmin):
    """Which user holds which function on which group or Tax ID (guardian's direct-FK rows):
    for support to answer "why can't I see it?". Grants change only through the services."""

    list_display = ["content_object", "user", "permission"]
    list_select_related = ["permission", "content_object", "user"]
    list_filter = ["permission__codename"]
    search_fields = ["user__email", "content_object__number"]
    show_full_result_count = False


class GroupObjectPermissionAdmin(UserObjectPermissionAdmin):
    """The same for grants to an office (a Django auth group)."""

    list_display = ["content_object", "group", "permission"]
    list_select_related = ["permission", "content_object", "group"]
    search_fields = ["group__name", "content_object__number"]


class FileImportAdmin(admin.ModelAdmin):
    """A model admin with an "Import" page: an .xlsx/.csv file checked whole, all or nothing.

    Subclasses set `import_form` (a portal.imports.ImportFileForm), `import_help` (a template
    explaining the columns) and implement `import_rows(request, rows)`, which saves the rows
    (raising ImportRowsError to save nothing) and returns the success message.
    """

    import_form = None
    import_help = ""
    change_list_template = "admin/file_import_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        info = self.opts.app_label, self.opts.model_name
        extra_context = {
            **(extra_context or {}),
            "can_import": self.can_import(request),
            "import_url": reverse("admin:{}_{}_import".format(*info)),
        }
        return super().changelist_view(request, extra_context)

    def can_import(self, request):
        # An import adds rows and changes existing ones.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_rows(self, request, rows) -> str:
        raise NotImplementedError

    def import_help_context(self) -> dict:
        """What `import_help` needs besides the columns."""
        return {}

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        errors = []
        form = self.import_form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                message = self.import_rows(request, form.rows)
            except ImportRowsError as error:
                errors = error.errors
            else:
                self.message_user(request, message, messages.SUCCESS)
                info = self.opts.app_label, self.opts.model_name
                return redirect("admin:{}_{}_changelist".format(*info))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {self.opts.verbose_name_plural}",
            "form": form,
            "errors": errors,
            "columns": self.import_form.columns,
            "required_columns": self.import_form.required,
            "help_template": self.import_help,
            **self.import_help_context(),
        }
        return render(request, "admin/file_import.html", context)
