from django.core.validators import RegexValidator


def digits(count):
    return RegexValidator(rf"^\d{{{count}}}$", f"Enter exactly {count} digits.")


def digits_between(low, high):
    return RegexValidator(rf"^\d{{{low},{high}}}$", f"Enter {low} to {high} digits.")
