"""Who may use the access review: ops whose role may review the audit log (the security role)."""

# The security role's permission; the access review has no model of its own to hold one.
ACCESS_REVIEW_PERMISSION = "audit.view_auditevent"


def can_review_access(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(ACCESS_REVIEW_PERMISSION)
