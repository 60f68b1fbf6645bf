"""Group Documents: an administrator lists and downloads the documents ops published to the
groups they may see (own suffix 200; a sibling suffix, another employer or an unpublished
document 404), every download audited; ops upload only real PDF, Word and Excel files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employers.models import GroupDocument
from portal.audit.models import AuditEvent
from tests.factories import TINY_PDF, GroupDocumentFactory

LIST = reverse("employers:document-list")


def _download(document):
    return reverse("employers:document-download", args=[document.pk])


@pytest.fixture
def documents(cast):
    return {
        "own": GroupDocumentFactory(group=cast.employer_groups[0], title="Own suffix SBC"),
        "sibling": GroupDocumentFactory(group=cast.employer_groups[1], title="Sibling contract"),
        "other_employer": GroupDocumentFactory(
            group=cast.other_employer_group, title="Other employer notice"
        ),
        "unpublished": GroupDocumentFactory(
            group=cast.employer_groups[0], title="Draft notice", is_published=False
        ),
    }


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("employer", {"own", "sibling"}),
        ("groupadmin", {"own"}),
        ("employer2", {"other_employer"}),
    ],
)
def test_each_administrator_reaches_only_their_groups_documents(
    client, cast, documents, role, allowed
):
    client.force_login(cast.users[role])
    listed = {d.title for d in client.get(LIST).context["page"].object_list}
    assert listed == {documents[key].title for key in allowed}
    for key, document in documents.items():
        response = client.get(_download(document))
        assert response.status_code == (200 if key in allowed else 404), key


def test_a_download_is_audited_and_not_cached(client, cast, documents):
    client.force_login(cast.groupadmin)
    response = client.get(_download(documents["own"]))
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Disposition"] == 'attachment; filename="benefits.pdf"'
    assert response["Cache-Control"] == "private, no-cache"
    assert AuditEvent.objects.filter(
        user=cast.groupadmin,
        action=AuditEvent.Action.DOWNLOAD,
        object_type="employers.GroupDocument",
        object_id=str(documents["own"].pk),
    ).exists()


def test_filter_sort_and_empty_states(client, cast, documents):
    client.force_login(cast.employer)
    response = client.get(LIST, {"group": cast.employer_groups[1].pk, "sort": "title"})
    assert [d.title for d in response.context["page"].object_list] == ["Sibling contract"]
    response = client.get(LIST, {"category": "contract"})
    assert "No documents match these filters." in response.content.decode()
    # An unknown filter value or sort is ignored, never an error.
    assert client.get(LIST, {"group": "nope", "sort": "nope", "page": "x"}).status_code == 200
    client.force_login(cast.employer2)
    GroupDocument.objects.all().delete()
    assert "No documents have been published" in client.get(LIST).content.decode()


def test_the_list_costs_the_same_queries_for_one_document_or_many(
    client, cast, documents, django_assert_max_num_queries
):
    client.force_login(cast.employer)
    client.get(LIST)
    with django_assert_max_num_queries(10) as few:
        client.get(LIST)
    for n in range(15):
        GroupDocumentFactory(group=cast.employer_groups[n % 2])
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 17


def test_ops_upload_only_real_documents(client, cast):
    client.force_login(cast.ops)
    add = reverse("admin:employers_groupdocument_add")
    form = {
        "group": cast.employer_groups[0].pk,
        "title": "2027 Summary of Benefits",
        "category": "benefits",
        "is_published": "on",
    }
    renamed = SimpleUploadedFile("sbc.pdf", b"MZ not a pdf")
    response = client.post(add, {**form, "file": renamed})
    assert "is named like a PDF but its content is not one" in response.content.decode()
    assert not GroupDocument.objects.exists()

    response = client.post(add, {**form, "file": SimpleUploadedFile("sbc.pdf", TINY_PDF)})
    assert response.status_code == 302
    document = GroupDocument.objects.get()
    assert (document.filename, document.content_type, document.uploaded_by) == (
        "sbc.pdf",
        "application/pdf",
        cast.ops,
    )
    assert document.published_on is not None
