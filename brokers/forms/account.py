import re

from django import forms


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="Telephone number",
        max_length=20,
        help_text="Ten digits, for example 916-555-0142.",
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )

    def clean_phone(self):
        digits = re.sub(r"\D", "", self.cleaned_data["phone"])
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            raise forms.ValidationError("Enter a ten-digit telephone number.")
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


class BrokerCodeSelectForm(forms.Form):
    code = forms.ChoiceField(label="Viewing dashboard for")

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(str(code.pk), code.display_name) for code in codes]
