from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.shortcuts import render

from portal import crypto
from portal.accounts import services
from portal.mail import queue_email


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Shown for any address after repeated failures, so it says nothing of whether the
        # account exists; an account that did exist is locked by then (see services).
        "too_many_login_attempts": "Too many failed sign-in attempts. Try again later, or use "
        "Forgot Password / Unlock Account to set a new password and unlock your account.",
    }

    def is_open_for_signup(self, request):
        # Each audience registers through its own verified flow (NPN + Tax ID, group number +
        # policyholder ID, licence + Tax ID); there is no open sign-up form.
        return False

    def send_mail(self, template_prefix, email, context):
        """allauth's emails (password reset, verification) go out through Celery like ours."""
        context.setdefault("carrier", settings.CARRIER)
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            None,
        )
        queue_email(
            to=message.to,
            subject=message.subject,
            text=message.body,
            html=html,
            from_email=message.from_email,
        )

    def authentication_failed(self, request, **credentials):
        if credentials.get("email"):
            services.login_failure_record(email=credentials["email"])

    def pre_login(self, request, user, **kwargs):
        if user.is_active and user.locked_at:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return render(request, "account/account_locked.html", status=403)
        response = super().pre_login(request, user, **kwargs)
        if response is None:
            services.login_success_record(user=user)
        return response

    def set_password(self, user, password):
        super().set_password(user, password)
        if user.locked_at or user.failed_login_count:
            services.user_unlock(user=user)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        return settings.CARRIER["name"]
