"""Sales & Quoting Resources (Forms & Brochures) and Support Tools."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from brokers.forms import resources as resource_forms
from brokers.models import Document
from portal import uploads
from portal.audit.models import AuditEvent
from tests import factories as f
from tests.factories import TINY_PDF

LIST = reverse("brokers:sales-resources")
SUPPORT = reverse("brokers:support")
ADD = reverse("admin:brokers_document_add")


@pytest.fixture(autouse=True)
def document_storage(tmp_path):
    """Documents go to the test's own folder, not var/documents."""
    storage = Document._meta.get_field("file").storage
    storage.__dict__["base_location"] = storage.__dict__["location"] = str(tmp_path / "documents")
    yield storage
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)


def _titles(response):
    return [document.title for document in response.context["page"].object_list]


def _download(pk):
    return reverse("brokers:document-download", args=[pk])


# The list


def test_brokers_see_published_current_documents_only(cast, client):
    today = timezone.localdate()
    f.DocumentFactory(title="Employee application")
    f.DocumentFactory(title="Draft brochure", is_published=False)
    f.DocumentFactory(title="Old rate sheet", expires_on=today - datetime.timedelta(days=1))
    f.DocumentFactory(title="Next quarter", published_on=today + datetime.timedelta(days=1))
    client.force_login(cast.broker)

    response = client.get(LIST)

    assert response.status_code == 200
    assert _titles(response) == ["Employee application"]
    assert b"Sales &amp; Quoting Resources" in response.content


def test_filters_by_market_and_state_keep_documents_for_all(cast, client):
    f.DocumentFactory(title="All markets, all states")
    f.DocumentFactory(title="Small group, CA", market="small_group", state="CA")
    f.DocumentFactory(title="Small group, NV", market="small_group", state="NV")
    f.DocumentFactory(title="Large group, CA", market="large_group", state="CA")
    client.force_login(cast.broker)

    response = client.get(LIST, {"market": "small_group", "state": "CA"})

    assert _titles(response) == ["All markets, all states", "Small group, CA"]
    # The state filter offers the states documents are filed under.
    assert [value for value, _ in response.context["form"].fields["state"].choices] == [
        "",
        "CA",
        "NV",
    ]


def test_filter_by_category(cast, client):
    f.DocumentFactory(title="Application", category="form")
    f.DocumentFactory(title="Plan overview", category="brochure")
    client.force_login(cast.broker)
    assert _titles(client.get(LIST, {"category": "brochure"})) == ["Plan overview"]


def test_an_unknown_filter_value_is_ignored(cast, client):
    f.DocumentFactory(title="Application")
    client.force_login(cast.broker)
    assert _titles(client.get(LIST, {"market": "nonsense", "sort": "size"})) == ["Application"]


def test_sorts_by_title_and_date_either_way(cast, client):
    f.DocumentFactory(title="B guide", published_on=datetime.date(2026, 1, 5))
    f.DocumentFactory(title="A form", published_on=datetime.date(2026, 3, 5))
    f.DocumentFactory(title="C brochure", published_on=datetime.date(2026, 2, 5))
    client.force_login(cast.broker)

    assert _titles(client.get(LIST)) == ["A form", "B guide", "C brochure"]
    assert _titles(client.get(LIST, {"sort": "-title"})) == ["C brochure", "B guide", "A form"]
    response = client.get(LIST, {"sort": "-published"})
    assert _titles(response) == ["A form", "C brochure", "B guide"]
    assert b'aria-sort="descending"' in response.content


def test_pages_through_documents(cast, client):
    for n in range(25):
        f.DocumentFactory(title=f"Form {n:02d}")
    client.force_login(cast.broker)

    response = client.get(LIST, {"page": 2})

    assert _titles(response) == [f"Form {n:02d}" for n in range(20, 25)]
    assert b"displaying 21 to 25" in response.content


def test_empty_states(cast, client):
    client.force_login(cast.broker)
    assert b"No forms or brochures are published yet" in client.get(LIST).content

    f.DocumentFactory(market="large_group")
    response = client.get(LIST, {"market": "small_group"})
    assert b"No forms or brochures match these filters" in response.content


def test_htmx_filter_swaps_just_the_results(cast, client):
    f.DocumentFactory(title="Application")
    client.force_login(cast.broker)
    response = client.get(
        LIST, {"category": "form"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="document-results"
    )
    assert b'id="document-results"' in response.content
    assert b"<h1>" not in response.content


@pytest.mark.parametrize("count", [3, 30])
def test_list_queries_do_not_grow_with_documents(
    cast, client, django_assert_max_num_queries, count
):
    for n in range(count):
        f.DocumentFactory(title=f"Form {n:02d}", state=["CA", "NV", ""][n % 3])
    client.force_login(cast.broker)
    client.get(LIST)  # the session and the user's permissions are cached after this

    # Session, user, office broker with its Broker IDs, states for the filter, count, the
    # page; and the session's save (a savepoint, an UPDATE, its release).
    with django_assert_max_num_queries(9):
        response = client.get(LIST, {"state": "CA", "sort": "-published"})
    assert response.status_code == 200


def test_office_staff_use_it_without_a_tool(cast, client):
    f.DocumentFactory(title="Application")
    client.force_login(cast.staff)
    assert _titles(client.get(LIST)) == ["Application"]


@pytest.mark.parametrize("role", ["ops", "employer", "provider"])
def test_other_audiences_get_404(cast, client, role):
    document = f.DocumentFactory()
    client.force_login(getattr(cast, role))
    assert client.get(LIST).status_code == 404
    assert client.get(_download(document.pk)).status_code == 404
    assert client.get(SUPPORT).status_code == 404


def test_the_list_needs_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302


# The download


def test_download_streams_the_file_and_audits_it(cast, client):
    document = f.DocumentFactory(filename="Employee application.pdf")
    client.force_login(cast.staff)

    response = client.get(_download(document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Employee application.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.user, event.object_type, event.object_id) == (
        cast.staff,
        "brokers.Document",
        str(document.pk),
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"is_published": False},
        {"expires_on": datetime.date(2020, 1, 31)},
        {"published_on": datetime.date(2099, 1, 1)},
    ],
)
def test_a_document_not_published_now_answers_404(cast, client, attributes):
    document = f.DocumentFactory(**attributes)
    client.force_login(cast.broker)
    assert client.get(_download(document.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_bad_pk_answers_404(cast, client):
    client.force_login(cast.broker)
    assert client.get(_download(999999)).status_code == 404


def test_a_file_missing_from_storage_answers_404(cast, client):
    document = f.DocumentFactory()
    document.file.storage.delete(document.file.name)
    client.force_login(cast.broker)
    assert client.get(_download(document.pk)).status_code == 404


def test_download_refuses_post(cast, client):
    document = f.DocumentFactory()
    client.force_login(cast.broker)
    assert client.post(_download(document.pk)).status_code == 405


# The admin upload


def _office_file(main_part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


def _upload(client, name, content, **fields):
    data = {
        "title": "Employee application",
        "description": "",
        "category": "form",
        "market": "small_group",
        "state": "ca",
        "file": SimpleUploadedFile(name, content),
        "is_published": "on",
        "published_on": "",
        "expires_on": "",
        **fields,
    }
    return client.post(ADD, data)


def test_ops_upload_a_real_pdf(cast, client):
    client.force_login(cast.ops)

    response = _upload(client, "application.pdf", TINY_PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.filename, document.content_type, document.size) == (
        "application.pdf",
        "application/pdf",
        len(TINY_PDF),
    )
    assert document.state == "CA"
    assert document.uploaded_by == cast.ops
    assert document.published_on == timezone.localdate()
    assert document.file.read() == TINY_PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("application.docx", _office_file("word/document.xml")),
        ("rates.xlsx", _office_file("xl/workbook.xml")),
    ],
)
def test_ops_upload_word_and_excel_files(cast, client, name, content):
    client.force_login(cast.ops)
    assert _upload(client, name, content).status_code == 302
    assert Document.objects.get().content_type == uploads.DOCUMENT_TYPES[name[-5:]][0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("application.pdf", b"MZ\x90\x00 not a pdf at all", "its content is not one"),
        ("rates.xlsx", _office_file("word/document.xml"), "its content is not one"),
        ("application.docx", b"PK\x03\x04 broken zip", "its content is not one"),
        ("script.html", b"%PDF-1.4 but named .html", "is none of these"),
        ("application", TINY_PDF, "is none of these"),
    ],
)
def test_the_upload_refuses_a_file_that_is_not_what_it_claims(cast, client, name, content, message):
    client.force_login(cast.ops)

    response = _upload(client, name, content)

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["file"])
    assert not Document.objects.exists()
    assert not any(response.context["adminform"].form.errors.get(k) for k in ("title", "state"))


def test_the_upload_refuses_an_oversized_file(cast, client, monkeypatch):
    monkeypatch.setattr(resource_forms, "DOCUMENT_MAX_BYTES", len(TINY_PDF) - 1)
    client.force_login(cast.ops)

    response = _upload(client, "application.pdf", TINY_PDF)

    assert response.status_code == 200
    assert "the most a document may be is" in str(response.context["adminform"].form.errors)
    assert not Document.objects.exists()


def test_the_limit_is_twenty_megabytes():
    assert resource_forms.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024


def test_ops_download_from_the_admin_even_unpublished(cast, client):
    document = f.DocumentFactory(is_published=False)
    client.force_login(cast.ops)
    change = client.get(reverse("admin:brokers_document_change", args=[document.pk]))
    download = reverse("admin:brokers_document_download", args=[document.pk])
    assert download.encode() in change.content

    response = client.get(download)

    assert b"".join(response.streaming_content) == TINY_PDF
    assert AuditEvent.objects.filter(
        user=cast.ops, action=AuditEvent.Action.DOWNLOAD, object_id=str(document.pk)
    ).exists()


def test_brokers_cannot_reach_the_admin_download(cast, client):
    document = f.DocumentFactory()
    client.force_login(cast.broker)
    response = client.get(reverse("admin:brokers_document_download", args=[document.pk]))
    assert response.status_code == 302  # to the admin's login


# Support Tools


def test_support_shows_the_carriers_contacts_and_contracting_help(cast, client, settings):
    client.force_login(cast.broker)
    response = client.get(SUPPORT)
    for contact in settings.CARRIER["contacts"]["broker"]:
        assert contact["phone"].encode() in response.content
        for option in contact.get("options", []):
            assert option.encode() in response.content
    contracting = settings.CARRIER["contracting"]
    assert contracting["certification_url"].encode() in response.content
    assert contracting["email"].encode() in response.content


def test_support_shows_the_brokers_contracting_status_and_broker_ids(cast, client):
    broker = cast.broker.broker
    f.ContractingRecordFactory(
        npn=broker.npn,
        states_appointed="CA,OR",
        status="active",
        created_on=datetime.date(2019, 4, 2),
    )
    client.force_login(cast.staff)  # office staff see their broker's

    response = client.get(SUPPORT)

    content = response.content.decode()
    assert "Active" in content
    assert "CA, OR" in content
    assert "04/02/2019" in content
    assert broker.codes.get().code in content
    assert broker.npn in content


def test_support_says_when_no_contracting_record_is_on_file(cast, client):
    client.force_login(cast.broker)
    assert b"No contracting record is on file" in client.get(SUPPORT).content


def test_support_warns_of_a_license_expiring_within_60_days(cast, client):
    broker = cast.broker.broker
    today = timezone.localdate()
    broker.licenses.update(expires_on=today + datetime.timedelta(days=400))
    client.force_login(cast.broker)
    assert b"Expires within 60 days" not in client.get(SUPPORT).content

    f.LicenseFactory(
        broker=broker, state="NV", is_primary=False, expires_on=today + datetime.timedelta(days=30)
    )
    response = client.get(SUPPORT)

    assert b"Expires within 60 days" in response.content
    assert response.context["licenses"][0]["license"].state == "NV"


def test_support_flags_an_expired_license(cast, client):
    cast.broker.broker.licenses.update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(cast.broker)
    assert b"Expired:" in client.get(SUPPORT).content


def test_support_queries(cast, client, django_assert_max_num_queries):
    client.force_login(cast.broker)
    client.get(SUPPORT)
    # Session, user, office broker with its Broker IDs, contracting record, licenses; the
    # session's save (three).
    with django_assert_max_num_queries(8):
        assert client.get(SUPPORT).status_code == 200


# Demo data


def test_demo_documents_are_real_pdfs_the_list_serves(cast, client):
    from brokers.demo_documents import DEMO_DOCUMENTS, documents
    from portal.demo.world import World

    world = World(seed=1, scale=0.01, as_of=timezone.localdate(), log=lambda *args: None)
    rows = documents(world)

    assert len(rows) == len(DEMO_DOCUMENTS)
    client.force_login(cast.broker)
    listed = client.get(LIST, {"page": 1})
    published = [row for row in rows if row.is_published]
    assert listed.context["page"].paginator.count == len(published)
    response = client.get(_download(published[0].pk))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_ops_publish_a_draft_without_uploading_it_again(cast, client):
    document = f.DocumentFactory(is_published=False, published_on=None, title="Draft")
    client.force_login(cast.ops)
    change = reverse("admin:brokers_document_change", args=[document.pk])

    response = client.post(
        change,
        {
            "title": "Draft",
            "description": "",
            "category": "form",
            "market": "all",
            "state": "",
            "is_published": "on",
            "published_on": "",
            "expires_on": "",
        },
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_published
    assert document.published_on == timezone.localdate()
    assert document.file.read() == TINY_PDF
    assert document.uploaded_by is None  # the file is still the one uploaded before


def test_expiry_before_publishing_is_refused(cast, client):
    client.force_login(cast.ops)
    response = _upload(
        client, "application.pdf", TINY_PDF, published_on="2026-10-01", expires_on="2026-09-30"
    )
    errors = response.context["adminform"].form.errors["expires_on"]
    assert errors == ["The last day can't be before the publishing date."]
    assert not Document.objects.exists()
