"""My Account: the broker's details as the carrier holds them, their profiles (licenses), and
the Broker ID the portal is viewed for."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brokers import access, services
from brokers.access import broker_portal
from brokers.forms.account import BrokerCodeSelectForm, PhoneForm
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record


def _account_page(request, *, phone_form=None, status=200):
    broker = access.broker_for(request.user)
    is_broker = broker is not None and broker.user_id == request.user.pk
    return render(
        request,
        "brokers/account.html",
        {
            "title": "My Account",
            "broker": broker,
            "is_broker": is_broker,
            "licenses": broker.licenses.all() if broker else [],
            "codes": broker.codes.all() if broker else [],
            "phone_form": phone_form
            or PhoneForm(initial={"phone": broker.phone if broker else ""}),
        },
        status=status,
    )


def _own_broker(request):
    """The broker record of the signed-in broker; office staff change nothing here."""
    broker = access.broker_for(request.user)
    if broker is None or broker.user_id != request.user.pk:
        raise Http404
    return broker


@require_GET
@broker_portal
def account(request):
    return _account_page(request)


@require_http_methods(["POST"])
@broker_portal
def phone_update(request):
    broker = _own_broker(request)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _account_page(request, phone_form=form, status=400)
    services.broker_phone_update(broker=broker, phone=form.cleaned_data["phone"], by=request.user)
    audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[broker])
    messages.success(request, "Your telephone number was updated.")
    return redirect("brokers:account")


@require_POST
@broker_portal
def license_primary(request, pk):
    broker = _own_broker(request)
    license = get_object_or_404(broker.licenses, pk=pk)
    services.license_mark_primary(license=license, by=request.user)
    audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[license])
    messages.success(request, f"Your {license.state} license is now your primary profile.")
    return redirect("brokers:account")


@require_POST
@broker_portal
def broker_code_select(request):
    codes = access.broker_codes_for(request.user)
    form = BrokerCodeSelectForm(request.POST, codes=codes)
    if form.is_valid():
        request.session[access.BROKER_CODE_SESSION_KEY] = int(form.cleaned_data["code"])
        chosen = access.acting_broker_code(request, codes)
        messages.success(request, f"Now viewing the dashboard for {chosen.display_name}.")
    else:
        messages.error(request, "Choose one of your Broker IDs.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "brokers:home"
    return redirect(back)
