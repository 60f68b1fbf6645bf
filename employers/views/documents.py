"""Group Documents: benefit summaries, contracts and notices ops publish to a group, listed for
the administrators of that group and downloaded through an audited, permission-checked view."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from employers import selectors
from employers.access import employer_portal
from employers.forms.documents import GroupDocumentFilterForm
from portal.downloads import audited_download
from portal.lists import chosen_sort, list_template, sortable_columns

DOCUMENTS_PER_PAGE = 20
COLUMNS = [
    ("Title", "title"),
    ("Group", "group"),
    ("Category", None),
    ("Published", "published"),
    ("File", None),
]


@require_GET
@employer_portal
def document_list(request):
    groups = list(selectors.groups_for(request.user).order_by("number"))
    form = GroupDocumentFilterForm(request.GET, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    group = next((g for g in groups if str(g.pk) == filters.get("group")), None)
    sort = chosen_sort(request, selectors.GROUP_DOCUMENT_SORTS, "-published")
    documents = selectors.group_documents_for(
        request.user, sort=sort, group=group, category=filters.get("category") or None
    )
    context = {
        "title": "Group Documents",
        "form": form,
        "page": Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page")),
        "sort": sort,
        "columns": sortable_columns(COLUMNS, sort),
        "filtered": bool(group or filters.get("category")),
    }
    template = list_template(request, "employers/documents/document_list.html", "document-results")
    return render(request, template, context)


@require_GET
@employer_portal
def document_download(request, pk):
    document = selectors.get_group_document_for(request.user, pk)
    # Unpublishing must take effect at once: no shared cache may keep the file.
    return audited_download(
        request,
        document.file,
        filename=document.filename,
        content_type=document.content_type,
        audited=[document],
    )
