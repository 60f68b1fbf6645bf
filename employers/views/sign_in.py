"""The employer's front door: sign-in and "Forgot your username?", both public."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_http_methods

from employers import selectors
from employers.forms.sign_in import ForgotUsernameForm
from portal.accounts.views import audience_sign_in, username_reminder

sign_in = audience_sign_in(template_name="employers/sign_in.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_username(request):
    return username_reminder(
        request,
        form_class=ForgotUsernameForm,
        users_matching=selectors.admin_users_for_identity,
        audience="employer",
        intro="Enter a group number and your policyholder ID. If they match, we email every "
        "administrator of that employer their own username, at the address on file.",
        sign_in_url_name="employers:sign-in",
    )
