"""The Schedule of Benefits of a plan, as a PDF drawn once per plan version and served again.

What a schedule shows is the plan's own data (code, name, type, market, state) with the cost
shares of its plan type. The file's name carries a hash of that content, so a changed plan (or
a new layout) is a new file and an unchanged one is never drawn twice: "cached per plan
version" needs no table of its own. Drawing runs in the worker (providers.tasks).
"""

import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from enrollment.models import Plan

# Bump when the PDF's layout changes, so every plan's file is drawn again.
LAYOUT_VERSION = 1
FOLDER = "benefit-schedules"

# Cost shares by plan type: (category, service, in network, out of network).
_COMMON = [
    ("Preventive care", "Preventive care and screenings", "No charge", "40% after deductible"),
    ("Preventive care", "Well-child visits and immunizations", "No charge", "40% after deductible"),
    ("Emergency care", "Emergency room", "$250 copay a visit", "$250 copay a visit"),
    ("Emergency care", "Ambulance", "$150 copay", "$150 copay"),
    ("Prescription drugs", "Generic (tier 1)", "$10 copay", "Not covered"),
    ("Prescription drugs", "Preferred brand (tier 2)", "$35 copay", "Not covered"),
    ("Prescription drugs", "Specialty (tier 4)", "20% up to $250", "Not covered"),
]
COST_SHARES = {
    Plan.PlanType.HMO: [
        ("Deductible", "Individual / family", "$0 / $0", "Not covered"),
        ("Out-of-pocket maximum", "Individual / family", "$4,000 / $8,000", "Not covered"),
        ("Office visits", "Primary care physician", "$20 copay", "Not covered"),
        ("Office visits", "Specialist (with referral)", "$40 copay", "Not covered"),
        ("Diagnostic tests", "Lab tests", "No charge", "Not covered"),
        ("Diagnostic tests", "Imaging (CT, PET, MRI)", "$100 copay", "Not covered"),
        ("Hospital", "Inpatient stay", "$250 copay a day, up to 5 days", "Not covered"),
        ("Hospital", "Outpatient surgery", "$150 copay", "Not covered"),
        *_COMMON,
    ],
    Plan.PlanType.EPO: [
        ("Deductible", "Individual / family", "$500 / $1,000", "Not covered"),
        ("Out-of-pocket maximum", "Individual / family", "$5,000 / $10,000", "Not covered"),
        ("Office visits", "Primary care physician", "$25 copay", "Not covered"),
        ("Office visits", "Specialist", "$50 copay", "Not covered"),
        ("Diagnostic tests", "Lab tests", "$10 copay", "Not covered"),
        ("Diagnostic tests", "Imaging (CT, PET, MRI)", "20% after deductible", "Not covered"),
        ("Hospital", "Inpatient stay", "20% after deductible", "Not covered"),
        ("Hospital", "Outpatient surgery", "20% after deductible", "Not covered"),
        *_COMMON,
    ],
    Plan.PlanType.PPO: [
        ("Deductible", "Individual / family", "$1,000 / $2,000", "$2,000 / $4,000"),
        ("Out-of-pocket maximum", "Individual / family", "$6,000 / $12,000", "$12,000 / $24,000"),
        ("Office visits", "Primary care physician", "$30 copay", "40% after deductible"),
        ("Office visits", "Specialist", "$60 copay", "40% after deductible"),
        ("Diagnostic tests", "Lab tests", "20% after deductible", "40% after deductible"),
        (
            "Diagnostic tests",
            "Imaging (CT, PET, MRI)",
            "20% after deductible",
            "40% after deductible",
        ),
        ("Hospital", "Inpatient stay", "20% after deductible", "40% after deductible"),
        ("Hospital", "Outpatient surgery", "20% after deductible", "40% after deductible"),
        *_COMMON,
    ],
}


def schedule_content(plan):
    """What the plan's schedule shows, as plain data (hashed for its version)."""
    return {
        "layout": LAYOUT_VERSION,
        "code": plan.code,
        "name": plan.name,
        "plan_type": plan.plan_type,
        "market": plan.get_market_display(),
        "state": plan.state,
        "rows": [list(row) for row in COST_SHARES.get(plan.plan_type, [])],
    }


def schedule_file_name(plan):
    """The stored file's name for the plan as it is now: its code and its content's hash."""
    content = json.dumps(schedule_content(plan), sort_keys=True).encode()
    return f"{FOLDER}/{plan.code}-{hashlib.sha256(content).hexdigest()[:20]}.pdf"


def stored_schedule(plan):
    """The name of the plan's current schedule in storage, or None until it is drawn."""
    name = schedule_file_name(plan)
    return name if storages["documents"].exists(name) else None


def schedule_draw(plan):
    """Draw the plan's current schedule and store it, unless it is stored already; its name."""
    name = schedule_file_name(plan)
    storage = storages["documents"]
    if storage.exists(name):
        return name
    # Drawing loads WeasyPrint, which the web process otherwise never needs.
    from portal.jobs.pdf import render_pdf

    pdf = render_pdf("providers/benefit_schedule_pdf.html", {"schedule": schedule_content(plan)})
    # Two workers drawing the same version store the same bytes; the second save would take
    # another name, so only a missing file is saved.
    if not storage.exists(name):
        storage.save(name, ContentFile(pdf))
    return name
