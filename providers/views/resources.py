"""Resources: the participating-provider search, the medical policies and clinical guidelines
(after the carrier's Important Notice), and the notice before any link that leaves the portal.

Every provider portal user may use them, delegated administrators included: they hold no member
data, so no function is needed and nothing is audited.

The Important Notice is acknowledged once a session, not once per user for ever: like the
seed's disclaimer it is a reminder to read before relying on a policy, not a contract a user
signs (the Terms of Use are that, recorded per user). The session keeps a fingerprint of the
notice's words, so a notice the carrier changes is shown again.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from portal.leaving import leaving_link, leaving_notice
from portal.lists import chosen_sort, list_template, sortable_columns
from providers import resources
from providers.access import provider_portal
from providers.resource_forms import PolicySearchForm, ProviderSearchForm

BASE = "providers/base.html"
PROVIDERS_PER_PAGE = 25
POLICIES_PER_PAGE = 20
# The session key holding the fingerprint of the Important Notice the user acknowledged.
NOTICE_SESSION_KEY = "providers_policy_notice"

PROVIDER_COLUMNS = [
    ("Provider", "name"),
    ("Specialty", "specialty"),
    ("Location", "location"),
    ("Phone", None),
    ("Accepting new patients", None),
]
POLICY_COLUMNS = [
    ("Title", "title"),
    ("Number", "number"),
    ("Type", None),
    ("Category", None),
    ("Effective", "effective"),
    ("Last reviewed", "reviewed"),
]


def _resources_crumb():
    return [("Resources", reverse("providers:resources"))]


def _outside_links(request, links):
    """The carrier file's links as (label, description, notice link), each through the notice."""
    notice = reverse("providers:leaving")
    outside = []
    for link in links:
        href = leaving_link(notice, link.get("url", ""), back=request.path)
        if href:
            outside.append((link["label"], link.get("description", ""), href))
    return outside


@require_GET
@provider_portal
def resources_home(request):
    return render(
        request,
        "providers/resources/home.html",
        {
            "title": "Resources",
            "links": _outside_links(request, settings.CARRIER.get("provider_links", [])),
        },
    )


@require_GET
@provider_portal
def provider_search(request):
    """Find a participating provider: by name, specialty, city or ZIP code, and whether they
    accept new patients; sorted and paged, the results swapped in place with htmx."""
    form = ProviderSearchForm(request.GET, specialties=resources.provider_specialties())
    filters = form.valid_filters()
    sort = chosen_sort(request, resources.PROVIDER_SORTS, "name")
    practitioners = resources.participating_providers_for(request.user, sort=sort, **filters)
    page = Paginator(practitioners, PROVIDERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Find a Provider",
        "breadcrumbs": _resources_crumb(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(PROVIDER_COLUMNS, sort),
        "filtered": any(filters.values()),
    }
    template = list_template(
        request, "providers/resources/provider_search.html", "provider-results"
    )
    return render(request, template, context)


def _notice_acknowledged(request, notice):
    if notice is None:
        return True
    return request.session.get(NOTICE_SESSION_KEY) == resources.policy_notice_version(notice)


def _to_notice(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('providers:policy-notice')}?{query}")


@require_http_methods(["GET", "POST"])
@provider_portal
def policy_notice(request):
    """The Important Notice; acknowledging it (POST) opens the policies for the session."""
    notice = resources.policy_notice()
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    policies = reverse("providers:policy-list")
    # Only back into the policies: `next` is never a way off the site or elsewhere in it.
    if not (
        wanted.startswith(policies)
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    ):
        wanted = policies
    if notice is None:
        return redirect(wanted)
    if request.method == "POST":
        request.session[NOTICE_SESSION_KEY] = resources.policy_notice_version(notice)
        return redirect(wanted)
    return render(
        request,
        "providers/resources/policy_notice.html",
        {
            "title": notice.get("heading", "Important Notice"),
            "breadcrumbs": _resources_crumb(),
            "notice": notice,
            "next": wanted,
        },
    )


@require_GET
@provider_portal
def policy_list(request):
    """Medical policies and clinical guidelines: search by title or number, filter by type and
    category, sorted and paged; only after the Important Notice."""
    if not _notice_acknowledged(request, resources.policy_notice()):
        return _to_notice(request)
    form = PolicySearchForm(request.GET, categories=resources.policy_categories())
    filters = form.valid_filters()
    sort = chosen_sort(request, resources.POLICY_SORTS, "title")
    policies = resources.policies_for(request.user, sort=sort, **filters)
    page = Paginator(policies, POLICIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Medical Policies & Clinical Guidelines",
        "breadcrumbs": _resources_crumb(),
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(POLICY_COLUMNS, sort),
        "filtered": any(filters.values()),
    }
    template = list_template(request, "providers/resources/policy_list.html", "policy-results")
    return render(request, template, context)


@require_GET
@provider_portal
def policy_detail(request, pk):
    if not _notice_acknowledged(request, resources.policy_notice()):
        return _to_notice(request)
    policy = resources.get_policy_for(request.user, pk)
    return render(
        request,
        "providers/resources/policy_detail.html",
        {
            "title": policy.title,
            "breadcrumbs": [
                *_resources_crumb(),
                ("Medical Policies & Clinical Guidelines", reverse("providers:policy-list")),
            ],
            "policy": policy,
            "document_link": leaving_link(
                reverse("providers:leaving"), policy.external_url, back=request.path
            ),
        },
    )


@require_GET
@provider_portal
def leaving(request):
    """ "You are now leaving": the other site's address and a link to it, never a redirect."""
    return leaving_notice(
        request,
        base=BASE,
        cancel_url=reverse("providers:resources"),
        breadcrumbs=_resources_crumb(),
    )
