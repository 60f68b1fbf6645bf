"""Reports over enrollment data, registered as report job kinds (see portal/jobs/registry.py)."""

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from enrollment.models import Group, Member, ParentGroup
from portal.jobs.registry import Report, ReportError, register
from portal.jobs.writers import write_xlsx

GROUP_GONE_MESSAGE = "The group for this report could not be found."
PARENT_GONE_MESSAGE = "The parent group for this report could not be found."


def roster_members(group_ids):
    """The members of some groups, families together: each subscriber, then their dependents.

    Ordered by group, then by the subscriber's name; a dependent sorts under their subscriber.
    """
    return (
        Member.objects.filter(group_id__in=group_ids)
        .annotate(
            family_name=Coalesce("subscriber__last_name", "last_name"),
            family_id=Coalesce("subscriber_id", "id"),
            is_dependent=Case(
                When(subscriber__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("group_id", "family_name", "family_id", "is_dependent", "dob", "id")
    )


ROSTER_COLUMNS = (
    "pk",
    "group_id",
    "member_id",
    "last_name",
    "first_name",
    "relationship",
    "dob",
    "status",
    F("plan__code"),
    F("plan__name"),
)


def write_roster(out, *, members, groups, sheet_title, with_group, progress):
    """Write `members` (roster_members()) as a sheet; returns the member ids written.

    `groups` maps a group id to its number, for the Group column when `with_group`.
    Identifying columns only: never SSNs, addresses or phone numbers.
    """
    total = members.count()
    rows = members.values_list(*ROSTER_COLUMNS).iterator(chunk_size=2000)
    relationships = dict(Member.Relationship.choices)
    statuses = dict(Member.Status.choices)
    exported = []
    remember = exported.append

    def lines():
        for pk, group_id, member_id, last, first, relationship, dob, status, code, name in rows:
            remember(pk)
            line = (
                member_id,
                last,
                first,
                relationships.get(relationship, relationship),
                dob,
                statuses.get(status, status),
                f"{code} {name}" if code else "",
            )
            yield (groups[group_id], *line) if with_group else line

    headers = GroupRosterReport.headers
    widths = GroupRosterReport.widths
    write_xlsx(
        out,
        sheet_title=sheet_title,
        headers=["Group", *headers] if with_group else headers,
        rows=lines(),
        widths=[14, *widths] if with_group else widths,
        total=total,
        progress=progress,
    )
    return exported


@register
class GroupRosterReport(Report):
    """The subscriber list of one group suffix: each subscriber followed by their dependents.

    Identifying columns only: never SSNs, addresses or phone numbers.
    """

    kind = "group_roster_xlsx"
    title = "Subscriber list"
    headers = [
        "Member ID",
        "Last name",
        "First name",
        "Relationship",
        "Date of birth",
        "Status",
        "Plan",
    ]
    widths = [14, 22, 18, 16, 14, 12, 40]

    @classmethod
    def clean_parameters(cls, data):
        try:
            group_id = int(data["group"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("A group is required.") from None
        if group_id <= 0:
            raise ValueError("A group is required.")
        return {"group": group_id}

    @cached_property
    def group(self):
        return Group.objects.filter(pk=self.parameters.get("group")).first()

    def is_available_to(self, user):
        return self.group is not None and user.has_perm("enrollment.view_roster", self.group)

    def filename(self):
        return f"subscriber-list-{self.group.number}-{timezone.localdate():%Y-%m-%d}.xlsx"

    def members(self):
        return roster_members([self.group.pk])

    def generate(self, job, out, progress):
        if self.group is None:
            raise ReportError(GROUP_GONE_MESSAGE)
        exported = write_roster(
            out,
            members=self.members(),
            groups={self.group.pk: self.group.number},
            sheet_title=f"Subscribers {self.group.number}",
            with_group=False,
            progress=progress,
        )
        return {"enrollment.Group": [self.group.pk], "enrollment.Member": exported}


@register
class ParentRosterReport(Report):
    """Every subscriber, with their dependents, of the suffixes of one parent group that the
    requester may see the roster of (a broker: the suffixes of their book; others are left out).

    The Book of Business's "Get XLS" on a parent group. The suffixes are decided again when the
    file is made, so a suffix whose roster access was taken away meanwhile is not in it.
    """

    kind = "parent_roster_xlsx"
    title = "Parent group subscriber list"

    @classmethod
    def clean_parameters(cls, data):
        try:
            parent_id = int(data["parent"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("A parent group is required.") from None
        if parent_id <= 0:
            raise ValueError("A parent group is required.")
        return {"parent": parent_id}

    @cached_property
    def parent(self):
        return ParentGroup.objects.filter(pk=self.parameters.get("parent")).first()

    def suffixes_for(self, user):
        """The parent's suffixes whose roster `user` may see, in group-number order."""
        if self.parent is None:
            return []
        suffixes = Group.objects.filter(parent=self.parent).select_related("parent")
        return [group for group in suffixes if user.has_perm("enrollment.view_roster", group)]

    def is_available_to(self, user):
        return bool(self.suffixes_for(user))

    def filename(self):
        return f"subscriber-list-{self.parent.number}-{timezone.localdate():%Y-%m-%d}.xlsx"

    def generate(self, job, out, progress):
        if self.parent is None:
            raise ReportError(PARENT_GONE_MESSAGE)
        suffixes = self.suffixes_for(job.requester)
        groups = {group.pk: group.number for group in suffixes}
        exported = write_roster(
            out,
            members=roster_members(list(groups)),
            groups=groups,
            sheet_title=f"Subscribers {self.parent.number}",
            with_group=True,
            progress=progress,
        )
        return {"enrollment.Group": list(groups), "enrollment.Member": exported}
