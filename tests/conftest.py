import pytest
from django.core.cache import cache

from tests.cast import build_cast


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    """Every test runs tasks in-process, with a private cache and report folder.

    CI sets REDIS_URL so that the tests marked celery_worker can start a real worker; the rest
    must not queue work for a worker that isn't there, nor share rate-limit counters.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # locmem keeps its contents across tests in one process
    settings.PORTAL_REQUIRE_MFA = False
    # Real password hashing costs ~0.3 s a user; the tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.files.storage import storages

    from billing.models import InvoiceDocument
    from commissions.models import StatementDocument
    from portal.jobs.models import ReportJob

    # Report files, ops' documents, statement and invoice files go to the test's own folder, never
    # to var/.
    moved = [
        ReportJob._meta.get_field("file").storage,
        storages["documents"],
        StatementDocument._meta.get_field("file").storage,
        InvoiceDocument._meta.get_field("file").storage,
    ]
    folders = ["reports", "documents", "statements", "invoices"]
    for storage, folder in zip(moved, folders, strict=True):
        storage.__dict__["base_location"] = storage.__dict__["location"] = str(tmp_path / folder)
    yield
    for storage in moved:
        storage.__dict__.pop("base_location", None)
        storage.__dict__.pop("location", None)


@pytest.fixture
def cast(db):
    """One user of every role, plus users of other tenants (see tests/cast.py)."""
    return build_cast()
