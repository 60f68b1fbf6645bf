"""Signals the enrollment core sends, so audience apps can react without the core knowing them.

`enrollment_changed` is sent once an enrollment service's transaction has committed (never for
a change that rolled back), with:

- `group`: the enrollment.Group the change was made in,
- `events`: the EnrollmentEvents the service wrote (one per member),
- `by`: the user who made the change.
"""

from django.dispatch import Signal

enrollment_changed = Signal()
