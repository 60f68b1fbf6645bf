"""The broker's front door: the broker sign-in page and "Forgot your username?"."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_http_methods

from brokers import selectors
from brokers.forms.sign_in import ForgotUsernameForm
from portal.accounts.views import audience_sign_in, username_reminder

sign_in = audience_sign_in(template_name="brokers/sign_in.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_username(request):
    return username_reminder(
        request,
        form_class=ForgotUsernameForm,
        users_matching=selectors.registered_broker_users,
        audience="broker",
        intro="Enter the National Producer Number (NPN) and Tax ID you contracted with. "
        "If they match a registered broker, we email the username to the address on file.",
        sign_in_url_name="brokers:sign-in",
    )
