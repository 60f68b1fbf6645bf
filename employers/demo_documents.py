"""Group Documents for the demo: a benefit summary, the group contract and a notice for each of
employer@'s suffixes (and employer2@'s), rendered with WeasyPrint when the demo is seeded.

Fictional and carrier-neutral; draws nothing from `world.rng`, so the rest of the demo's data is
the same with or without it.
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile

from employers.models import GroupDocument
from enrollment.models import Group
from portal.jobs.pdf import render_pdf

Category = GroupDocument.Category
# (file name stem, title, category, what it says, published days ago)
PER_GROUP = [
    (
        "summary-of-benefits",
        "Summary of Benefits and Coverage",
        Category.BENEFIT_SUMMARY,
        "What the plans of this group cover, what members pay for common services, and how to "
        "reach member services.",
        90,
    ),
    (
        "group-contract",
        "Group Contract",
        Category.CONTRACT,
        "The agreement between the employer and the carrier for this group: eligibility, "
        "premiums, renewal and termination.",
        300,
    ),
    (
        "renewal-notice",
        "Renewal Notice",
        Category.NOTICE,
        "Next year's rates and plan changes for this group, and the dates of open enrollment.",
        20,
    ),
]


def documents(world):
    """Render and store the demo groups' documents; returns the GroupDocument rows."""
    tenants = world.tenants
    groups = [*tenants.employer_groups, *Group.objects.filter(parent__employer=tenants.employer2)]
    storage = GroupDocument._meta.get_field("file").storage
    rows = []
    for group in groups:
        for stem, title, category, summary, age in PER_GROUP:
            document = GroupDocument(
                group=group,
                title=title,
                category=category,
                is_published=True,
                published_on=world.as_of - datetime.timedelta(days=age),
                content_type="application/pdf",
            )
            pdf = render_pdf(
                "employers/documents/demo_document.html",
                {"document": document, "summary": summary, "carrier": settings.CARRIER},
            )
            path = f"demo/groups/{group.number}-{stem}.pdf"
            # Seeding again replaces the files rather than piling up renamed copies.
            storage.delete(path)
            document.file.name = storage.save(path, ContentFile(pdf))
            document.filename = f"{group.number}-{stem}.pdf"
            document.size = len(pdf)
            rows.append(document)
    world.insert(GroupDocument, rows)
    return rows
