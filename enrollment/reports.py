"""Reports over enrollment data, registered as report job kinds (see portal/jobs/registry.py)."""

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from enrollment.models import Group, Member
from portal.jobs.registry import Report, ReportError, register
from portal.jobs.writers import write_xlsx

GROUP_GONE_MESSAGE = "The group for this report could not be found."


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
        # Families together: ordered by their subscriber, the subscriber first.
        return (
            Member.objects.filter(group=self.group)
            .annotate(
                family_name=Coalesce("subscriber__last_name", "last_name"),
                family_id=Coalesce("subscriber_id", "id"),
                is_dependent=Case(
                    When(subscriber__isnull=True, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
            .order_by("family_name", "family_id", "is_dependent", "dob", "id")
        )

    def generate(self, job, out, progress):
        if self.group is None:
            raise ReportError(GROUP_GONE_MESSAGE)
        members = self.members()
        total = members.count()
        rows = members.values_list(
            "pk",
            "member_id",
            "last_name",
            "first_name",
            "relationship",
            "dob",
            "status",
            F("plan__code"),
            F("plan__name"),
        ).iterator(chunk_size=2000)
        relationships = dict(Member.Relationship.choices)
        statuses = dict(Member.Status.choices)
        exported = []

        def lines():
            for pk, member_id, last, first, relationship, dob, status, plan_code, plan_name in rows:
                exported.append(pk)
                plan = f"{plan_code} {plan_name}" if plan_code else ""
                yield (
                    member_id,
                    last,
                    first,
                    relationships.get(relationship, relationship),
                    dob,
                    statuses.get(status, status),
                    plan,
                )

        write_xlsx(
            out,
            sheet_title=f"Subscribers {self.group.number}",
            headers=self.headers,
            rows=lines(),
            widths=self.widths,
            total=total,
            progress=progress,
        )
        return {"enrollment.Group": [self.group.pk], "enrollment.Member": exported}
