from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from brokers import access
from brokers.access import broker_portal


@require_GET
@broker_portal
def account(request):
    broker = access.broker_for(request.user)
    licenses = broker.licenses.all() if broker else []
    codes = broker.codes.all() if broker else []
    return render(
        request,
        "brokers/account.html",
        {"title": "My Account", "broker": broker, "licenses": licenses, "codes": codes},
    )


@require_POST
@broker_portal
def phone_update(request):
    raise NotImplementedError


@require_POST
@broker_portal
def license_primary(request, pk):
    raise NotImplementedError


@require_POST
@broker_portal
def broker_code_select(request):
    raise NotImplementedError
