"""The access review as XLSX report jobs, for an employer or an auditor to recertify access."""

from django.utils import timezone
from django.utils.functional import cached_property

from access_review.access import can_review_access
from access_review.selectors import group_reach, ops_with_group_access, user_reach
from enrollment.models import Group
from portal.accounts.models import User
from portal.jobs.registry import Report, ReportError, register
from portal.jobs.writers import write_xlsx

HEADERS = ["User", "Name", "Role", "Reaches", "Through", "Functions", "Registered"]
WIDTHS = [32, 26, 22, 30, 60, 60, 12]


def _positive_id(data, name):
    try:
        value = int(data[name])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"A {name} is required.") from None
    if value <= 0:
        raise ValueError(f"A {name} is required.")
    return value


def target_label(target):
    if isinstance(target, Group):
        return f"Group {target.number} {target.name}"
    return f"Tax ID {target.number} {target.name}"


def reach_row(reach):
    user = reach.user
    return (
        user.email,
        user.get_full_name(),
        user.get_role_display(),
        target_label(reach.target),
        reach.through,
        ", ".join(reach.functions),
        "no (invited)" if reach.pending else "yes",
    )


class _AccessReviewReport(Report):
    def is_available_to(self, user):
        return can_review_access(user)

    def _write(self, out, progress, rows, sheet_title):
        write_xlsx(
            out,
            sheet_title=sheet_title,
            headers=HEADERS,
            rows=rows,
            widths=WIDTHS,
            total=len(rows),
            progress=progress,
        )


@register
class GroupAccessReviewReport(_AccessReviewReport):
    """Everyone who can reach one group and through which grant; ops staff at the end."""

    kind = "access_review_group"
    title = "Group access review"

    @classmethod
    def clean_parameters(cls, data):
        return {"group": _positive_id(data, "group")}

    @cached_property
    def group(self):
        return Group.objects.filter(pk=self.parameters.get("group")).first()

    def filename(self):
        return f"access-review-{self.group.number}-{timezone.localdate():%Y-%m-%d}.xlsx"

    def generate(self, job, out, progress):
        if self.group is None:
            raise ReportError("The group for this review could not be found.")
        rows = [reach_row(reach) for reach in group_reach(self.group)]
        rows += [
            (
                user.email,
                user.get_full_name(),
                "Ops staff",
                "Every group (admin)",
                "Ops role: " + ", ".join(group.name for group in user.groups.all()),
                "view in the admin",
                "yes",
            )
            for user in ops_with_group_access()
        ]
        self._write(out, progress, rows, f"Access {self.group.number}")
        return {"enrollment.Group": [self.group.pk]}


@register
class UserAccessReviewReport(_AccessReviewReport):
    """Everything one user can reach, with the grant behind each."""

    kind = "access_review_user"
    title = "User access review"

    @classmethod
    def clean_parameters(cls, data):
        return {"user": _positive_id(data, "user")}

    @cached_property
    def reviewed(self):
        return User.objects.filter(pk=self.parameters.get("user")).first()

    def filename(self):
        return f"access-review-user-{self.reviewed.pk}-{timezone.localdate():%Y-%m-%d}.xlsx"

    def generate(self, job, out, progress):
        if self.reviewed is None:
            raise ReportError("The user for this review could not be found.")
        rows = [reach_row(reach) for reach in user_reach(self.reviewed)]
        self._write(out, progress, rows, "Access")
        return {"accounts.User": [self.reviewed.pk]}
