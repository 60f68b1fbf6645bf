"""The portal's URLs plus the bare view the request baseline times."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from enrollment.models import Member
from portal.urls import urlpatterns as portal_urlpatterns


@require_GET
def bare_member(request, member_id):
    # One query on a unique index and a plain-text answer: no template, no permission checks.
    last_name = Member.objects.values_list("last_name", flat=True).get(member_id=member_id)
    return HttpResponse(last_name, content_type="text/plain")


urlpatterns = [
    path("bench/bare-member/<str:member_id>/", bare_member, name="bench-bare-member"),
    *portal_urlpatterns,
]
