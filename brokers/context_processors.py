from brokers import access


def broker_codes(request):
    """The "Viewing dashboard for" choices on every broker-portal page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in access.BROKER_ROLES:
        return {}
    codes = access.broker_codes_for(user)
    return {"broker_codes": codes, "acting_broker_code": access.acting_broker_code(request, codes)}
