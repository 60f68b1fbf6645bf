"""Group Documents as employer@ pages through them: the first and the last page, newest first.

The seed publishes three documents a suffix; a large employer with many suffixes and years of
notices has hundreds, so the setup tops employer@'s groups up to 300 published documents (rows
only: the list never opens the files) before timing.
"""

import datetime

from bench import scenario
from employers import selectors
from employers.models import GroupDocument
from portal.accounts.models import User

LIST = "/employers/documents/"
DOCUMENTS = 300


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")


def _documents_for_employer():
    user = User.objects.get(email="employer@demo.test")
    missing = DOCUMENTS - selectors.group_documents_for(user).count()
    groups = list(selectors.groups_for(user))
    GroupDocument.objects.bulk_create(
        GroupDocument(
            group=groups[n % len(groups)],
            title=f"Notice {n:04d}",
            category=GroupDocument.Category.NOTICE,
            file=f"bench/notice-{n:04d}.pdf",
            filename=f"notice-{n:04d}.pdf",
            content_type="application/pdf",
            size=1024,
            is_published=True,
            published_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
        )
        for n in range(max(0, missing))
    )
    return -(-DOCUMENTS // 20)


@scenario("employer-document-list-first-page", baseline="bare-view", repeat=200)
def document_list_first_page(ctx):
    """Group Documents as employer@: the first page, newest first."""
    _documents_for_employer()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, LIST)


@scenario("employer-document-list-last-page", baseline="bare-view", repeat=200)
def document_list_last_page(ctx):
    """Group Documents as employer@: the last page, by title."""
    last = _documents_for_employer()
    client = ctx.client_for("employer@demo.test")
    return lambda: _get(client, f"{LIST}?sort=title&page={last}")
