"""Transactions: Claim Status by Tax ID and subscriber ID, and a claim's detail with its lines.

The search is a GET so that its pages can be linked and paged; it carries a Tax ID and a
member ID, never a name, date of birth or SSN. Paging is by keyset (received date + pk in
`after`): a Tax ID can have tens of thousands of claims, and OFFSET grows with the depth.
"""

import datetime
from html import escape

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from providers import access, selectors
from providers.access import function_required, provider_portal
from providers.forms import ClaimSearchForm
from providers.models import Claim

claims_function = function_required("inquire_claims")


def _cursor(value):
    """(received_on, pk) from `after` ("2026-09-10.123"), or None for anything else."""
    try:
        day, pk = value.split(".")
        return datetime.date.fromisoformat(day), int(pk)
    except (AttributeError, ValueError):
        return None


@require_GET
@provider_portal
@claims_function
def claim_list(request):
    tax_ids = access.granted_tax_ids(request.user, "inquire_claims")
    asked = "tax_id" in request.GET
    form = ClaimSearchForm(request.GET if asked else None, tax_ids=tax_ids)
    context = {
        "title": "Claim Status",
        "breadcrumbs": [("Transactions", reverse("providers:transactions"))],
        "form": form,
        "searched": False,
    }
    if asked and form.is_valid():
        after = _cursor(request.GET.get("after", ""))
        claims = selectors.claims_for(
            request.user,
            tax_id=form.cleaned_data["tax_id"],
            subscriber=form.cleaned_data["subscriber"],
            after=after,
        )
        more = len(claims) > selectors.CLAIMS_PER_PAGE
        claims = claims[: selectors.CLAIMS_PER_PAGE]
        audit_record(
            request=request,
            action=AuditEvent.Action.SEARCH,
            object_type=Claim._meta.label,
            object_ids=[claim.pk for claim in claims],
        )
        query = request.GET.copy()
        query.pop("after", None)
        next_query = ""
        if more:
            last = claims[-1]
            query["after"] = f"{last.received_on.isoformat()}.{last.pk}"
            next_query = query.urlencode()
            query.pop("after")
        context.update(
            searched=True,
            claims=claims,
            rows=_claim_rows(claims),
            paged=after is not None,
            first_query=query.urlencode(),
            next_query=next_query,
            subscriber=form.cleaned_data["subscriber"],
        )
    return render(request, "providers/claim_list.html", context)


def _date(day):
    return day.strftime("%m/%d/%Y")


def _claim_rows(claims):
    """The claims' table rows as HTML, values escaped with the standard library's html.escape
    as Django's escape does. A page is 25 rows of nine cells; through the template's tags and
    filters they were a third of the page's time (the Book of Business rows do the same)."""
    prefix = reverse("providers:claim-detail", args=[0]).removesuffix("0/")
    rows = []
    for claim in claims:
        member = claim.member
        dates = _date(claim.service_from)
        if claim.service_to != claim.service_from:
            dates += f" – {_date(claim.service_to)}"
        rows.append(
            f'<tr><th scope="row"><a href="{prefix}{claim.pk}/">{escape(claim.number)}</a></th>'
            f"<td>{escape(member.last_name)}, {escape(member.first_name)} "
            f'<span class="hint">{escape(member.member_id)}</span></td>'
            f"<td>{dates}</td><td>{_date(claim.received_on)}</td>"
            f'<td class="num">${claim.billed_amount}</td>'
            f'<td class="num">${claim.allowed_amount}</td>'
            f'<td class="num">${claim.paid_amount}</td>'
            f'<td><span class="status status--{escape(claim.status)}">'
            f"{escape(claim.status_display)}</span></td>"
            f"<td>{escape(claim.denial_reason) or '—'}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@require_GET
@provider_portal
@claims_function
def claim_detail(request, pk):
    claim = selectors.get_claim_for(request.user, pk)
    audit_record(request=request, action=AuditEvent.Action.VIEW, objects=[claim])
    return render(
        request,
        "providers/claim_detail.html",
        {
            "title": f"Claim {claim.number}",
            "breadcrumbs": [
                ("Transactions", reverse("providers:transactions")),
                ("Claim Status", reverse("providers:claim-list")),
            ],
            "claim": claim,
            "lines": list(claim.lines.all()),
        },
    )
