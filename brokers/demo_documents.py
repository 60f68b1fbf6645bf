"""Forms & Brochures for the demo: a few small PDFs rendered with WeasyPrint when the demo is
seeded, saved to the "documents" storage and listed as published documents.

Carrier-neutral and fictional: the carrier's name and contacts come from the carrier file.
Draws nothing from `world.rng`, so the rest of the demo's data is the same with or without it.
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile

from brokers.models import Document
from portal.jobs.pdf import render_pdf

Category = Document.Category
# Everything an applicant or employer would fill in, as labelled blank lines.
APPLICANT = ["Full name", "Date of birth", "Home address", "Phone", "Email"]
EMPLOYER = ["Business name", "Tax ID (FEIN)", "Business address", "Number of eligible employees"]

# (file name, title, category, market, state, description, sections, published days ago,
#  published?)
DEMO_DOCUMENTS = [
    (
        "small-group-employer-application",
        "Small Group Employer Application",
        Category.FORM,
        "small_group",
        "",
        "For a new small group (1 to 100 eligible employees) choosing its plans.",
        [
            {"heading": "About the business", "fields": EMPLOYER},
            {"heading": "Plans offered", "fields": ["Plan 1", "Plan 2", "Employer contribution %"]},
            {"heading": "Signature", "fields": ["Authorized signer", "Title", "Date"]},
        ],
        200,
        True,
    ),
    (
        "employee-enrollment-change-form",
        "Employee Enrollment and Change Form",
        Category.FORM,
        "small_group",
        "",
        "Enroll an employee and dependents, or change coverage after a qualifying event.",
        [
            {"heading": "Employee", "fields": APPLICANT},
            {"heading": "Dependents", "fields": ["Spouse or partner", "Child", "Child"]},
            {"heading": "Change", "fields": ["Qualifying event", "Event date", "New plan"]},
        ],
        150,
        True,
    ),
    (
        "broker-of-record-change",
        "Broker of Record Change Form",
        Category.FORM,
        Document.ALL_MARKETS,
        "",
        "The employer appoints a new broker of record for its group.",
        [
            {"heading": "Group", "fields": ["Group name", "Group number"]},
            {"heading": "New broker", "fields": ["Broker name", "NPN", "Broker ID", "Agency"]},
            {"heading": "Employer signature", "fields": ["Name", "Title", "Date"]},
        ],
        320,
        True,
    ),
    (
        "nevada-small-group-supplement",
        "Nevada Small Group Supplement",
        Category.FORM,
        "small_group",
        "NV",
        "State disclosures a Nevada small group signs with its application.",
        [{"heading": "Acknowledgement", "fields": ["Business name", "Signature", "Date"]}],
        90,
        True,
    ),
    (
        "individual-family-plans",
        "Individual & Family Plans at a Glance",
        Category.BROCHURE,
        "ifp",
        "CA",
        "Metal tiers, networks and what a member pays, for clients buying their own coverage.",
        [
            {
                "heading": "Choosing a plan",
                "lines": [
                    "Bronze, Silver, Gold and Platinum plans share one network of doctors and "
                    "hospitals; they differ in the monthly premium and in what a member pays "
                    "for care.",
                    "Open enrollment runs from November 1 to January 31. Outside it, a "
                    "qualifying life event opens a special enrollment period of 60 days.",
                ],
            }
        ],
        45,
        True,
    ),
    (
        "large-group-benefits-overview",
        "Large Group Benefits Overview",
        Category.BROCHURE,
        "large_group",
        "",
        "Plan designs, wellness programs and account management for groups of 101 or more.",
        [
            {
                "heading": "Your account team",
                "lines": [
                    "Every large group has an account manager, an implementation lead for its "
                    "first year, and quarterly reviews of claims and renewals.",
                ],
            }
        ],
        120,
        True,
    ),
    (
        "small-group-rate-sheet-ca",
        "Small Group Rate Sheet, California",
        Category.RATE_SHEET,
        "small_group",
        "CA",
        "Illustrative monthly rates by age band for this quarter's small group plans.",
        [
            {
                "heading": "Illustrative rates",
                "lines": [
                    "Age 21: $310 · Age 30: $352 · Age 40: $396 · Age 50: $553 · Age 60: $841",
                    "Fictional numbers for the demo; a real quote comes from the quoting tool.",
                ],
            }
        ],
        20,
        True,
    ),
    (
        "broker-quick-reference",
        "Broker Quick Reference Guide",
        Category.GUIDE,
        Document.ALL_MARKETS,
        "",
        "Where to find commissions, eligibility, forms and help in this portal.",
        [
            {
                "heading": "In the portal",
                "lines": [
                    "Book of Business lists your groups; Eligibility, Status & Activity checks "
                    "a member's coverage; Commission Statements has 18 months of statements.",
                    "Support Tools lists the phone menus and your contracting status.",
                ],
            }
        ],
        10,
        True,
    ),
    (
        "next-year-small-group-brochure",
        "Next Year's Small Group Brochure (draft)",
        Category.BROCHURE,
        "small_group",
        "",
        "Not yet published: ops see it in the admin, brokers don't.",
        [{"heading": "Draft", "lines": ["To be published with next year's plans."]}],
        0,
        False,
    ),
]


def documents(world):
    """Render and store the demo's forms and brochures; returns the Document rows."""
    storage = Document._meta.get_field("file").storage
    rows = []
    for (
        name,
        title,
        category,
        market,
        state,
        description,
        sections,
        age,
        published,
    ) in DEMO_DOCUMENTS:
        document = Document(
            title=title,
            description=description,
            category=category,
            market=market,
            state=state,
            is_published=published,
            published_on=world.as_of - datetime.timedelta(days=age) if published else None,
            content_type="application/pdf",
        )
        pdf = render_pdf(
            "brokers/resources/demo_document.html",
            {"document": document, "sections": sections, "carrier": settings.CARRIER},
        )
        path = f"demo/{name}.pdf"
        # Seeding again replaces the files rather than piling up renamed copies.
        storage.delete(path)
        document.file.name = storage.save(path, ContentFile(pdf))
        document.filename = f"{name}.pdf"
        document.size = len(pdf)
        rows.append(document)
    world.insert(Document, rows)
    return rows
