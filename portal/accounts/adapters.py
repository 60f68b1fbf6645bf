from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from portal import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Each audience registers through its own verified flow (NPN + Tax ID, group number +
        # policyholder ID, licence + Tax ID); there is no open sign-up form.
        return False

    def send_mail(self, template_prefix, email, context):
        context.setdefault("carrier", settings.CARRIER)
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        return settings.CARRIER["name"]
