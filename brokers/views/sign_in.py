"""The broker's front door: the broker sign-in page and "Forgot your username?"."""

import hmac

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_http_methods

from brokers.forms.sign_in import ForgotUsernameForm
from brokers.models import Broker
from portal.accounts.views import audience_sign_in, username_reminder

sign_in = audience_sign_in(template_name="brokers/sign_in.html")


def registered_broker_users(*, npn, tax_id):
    """The login of the registered broker with this NPN and Tax ID, as a list of none or one.

    The Tax ID is encrypted at rest, so it is compared here, after the unique NPN has found
    the one candidate.
    """
    broker = Broker.objects.select_related("user").filter(npn=npn, user__isnull=False).first()
    if broker is None or not hmac.compare_digest((broker.tax_id or "").encode(), tax_id.encode()):
        return []
    return [broker.user]


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_username(request):
    return username_reminder(
        request,
        form_class=ForgotUsernameForm,
        users_matching=registered_broker_users,
        audience="broker",
        intro="Enter the National Producer Number (NPN) and Tax ID you contracted with. "
        "If they match a registered broker, we email the username to the address on file.",
        sign_in_url_name="brokers:sign-in",
    )
