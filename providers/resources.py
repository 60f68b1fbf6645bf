"""Reads for Resources: the carrier's participating providers and its published medical
policies and clinical guidelines.

Neither holds member data, and both are the same for every provider office, so they are not
scoped to an office's Tax IDs: any provider portal user may search them (the views' decorator
checks the audience). Only participating practitioners and published policies are ever read.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from portal.accounts.models import Role
from providers.models import MedicalPolicy, Practitioner

# Sort keys the provider search's headings link to: the key, then what breaks ties.
PROVIDER_SORTS = {
    "name": ("last_name", "first_name"),
    "specialty": ("specialty", "last_name", "first_name"),
    "location": ("city", "zip_code", "last_name", "first_name"),
}
SPECIALTIES_CACHE_KEY = "providers:network-specialties"
SPECIALTIES_CACHE_SECONDS = 15 * 60
POLICY_SORTS = {
    "title": ("title",),
    "number": ("number",),
    "effective": ("effective_date", "title"),
    "reviewed": ("last_reviewed", "title"),
}


def _ordered(queryset, sorts, sort, default):
    fields = sorts.get(sort.removeprefix("-"), sorts[default])
    descending = "-" if sort.startswith("-") else ""
    return queryset.order_by(*(f"{descending}{field}" for field in fields), f"{descending}pk")


def _is_provider(user):
    return user.is_authenticated and user.role == Role.PROVIDER_USER


def participating_providers_for(
    user, *, name="", specialty="", location="", accepting=False, sort="name"
):
    """The carrier's participating practitioners matching the search, with their organisation.

    `name`: every word starts the first or the last name ("ann lee", "lee"). `location`: a ZIP
    code or its first digits when it is digits, else the start of the city. `sort` is a key of
    PROVIDER_SORTS, "-" first for descending. Anyone outside the provider portal gets none.
    """
    if not _is_provider(user):
        return Practitioner.objects.none()
    # Prefixes as lower(x) LIKE 'pre%': the expressions of the partial indexes of providers
    # migration 0005 (istartswith's UPPER() would miss them).
    practitioners = Practitioner.objects.filter(is_participating=True).alias(
        last_ci=Lower("last_name"), first_ci=Lower("first_name"), city_ci=Lower("city")
    )
    for word in name.lower().split():
        practitioners = practitioners.filter(
            Q(last_ci__startswith=word) | Q(first_ci__startswith=word)
        )
    if specialty:
        practitioners = practitioners.filter(specialty=specialty)
    if location.isdigit():
        practitioners = practitioners.filter(zip_code__startswith=location)
    elif location:
        practitioners = practitioners.filter(city_ci__startswith=location.lower())
    if accepting:
        practitioners = practitioners.filter(accepting_new_patients=True)
    practitioners = practitioners.select_related("organization").only(
        "first_name",
        "last_name",
        "specialty",
        "accepting_new_patients",
        "office_phone",
        "city",
        "state",
        "zip_code",
        "organization__name",
    )
    return _ordered(practitioners, PROVIDER_SORTS, sort, "name")


def provider_specialties():
    """The specialties of the participating network, for the search's choice of specialty.

    Kept in the cache for SPECIALTIES_CACHE_SECONDS: the DISTINCT reads the whole network on
    every search, and the list changes when ops add a specialty, a few times a year."""
    specialties = cache.get(SPECIALTIES_CACHE_KEY)
    if specialties is None:
        specialties = list(
            Practitioner.objects.filter(is_participating=True)
            .exclude(specialty="")
            .order_by("specialty")
            .values_list("specialty", flat=True)
            .distinct()
        )
        cache.set(SPECIALTIES_CACHE_KEY, specialties, SPECIALTIES_CACHE_SECONDS)
    return specialties


def policies_for(user, *, query="", kind="", category="", sort="title"):
    """The published medical policies and clinical guidelines matching the search.

    `query` is found in the title or starts the policy number; `sort` is a key of
    POLICY_SORTS, "-" first for descending. Anyone outside the provider portal gets none.
    """
    if not _is_provider(user):
        return MedicalPolicy.objects.none()
    policies = MedicalPolicy.objects.filter(is_published=True)
    if query:
        policies = policies.filter(Q(title__icontains=query) | Q(number__istartswith=query))
    if kind:
        policies = policies.filter(kind=kind)
    if category:
        policies = policies.filter(category=category)
    policies = policies.defer("body")
    return _ordered(policies, POLICY_SORTS, sort, "title")


def policy_categories():
    """The categories published policies are filed under, for the list's filter."""
    categories = (
        MedicalPolicy.objects.filter(is_published=True)
        .exclude(category="")
        .values_list("category", flat=True)
    )
    return list(categories.order_by("category").distinct())


def get_policy_for(user, pk):
    """One published policy, or 404 (unpublished, missing, or not a provider portal user)."""
    return get_object_or_404(policies_for(user).defer(None), pk=pk)


def policy_notice():
    """The carrier's Important Notice shown before the policies, or None if it has none."""
    return settings.CARRIER.get("medical_policy_notice") or None


def policy_notice_version(notice):
    """A short fingerprint of the notice's wording: an acknowledgement is of these words, so
    a changed notice is shown again."""
    text = json.dumps(notice, sort_keys=True).encode()
    return hashlib.sha256(text).hexdigest()[:16]
