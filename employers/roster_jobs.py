"""The roster upload's apply step, as a report job (portal/jobs): the checked file is kept,
encrypted, until a worker enrolls it in one transaction, with a progress bar on the way.

The job runs through portal.jobs' own task (claim, heartbeat, retry on a lost worker); its
"report" is the list of the members it enrolled, with their new member IDs. A job delivered
twice finds its own audit rows and enrolls nothing again.

A broker whose office the employer granted perform_enrollment uploads on the employer's behalf:
the job enrolls with the broker-portal user as `by` and, as on whose behalf, the employer and
the broker (employers.access.on_behalf_of_text), worked out from the requester when it runs, as
a broker's single enrollment records them.
"""

import base64
import hashlib
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from employers import selectors
from employers.access import on_behalf_of_text
from enrollment.models import Group, Member
from enrollment.roster import (
    ROSTER_COLUMNS,
    ROSTER_REQUIRED,
    RosterEnrollError,
    roster_check,
    roster_enroll,
)
from portal import crypto
from portal.activity.services import activity_record
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record_for_user
from portal.imports import ImportFileError, read_table
from portal.jobs.models import ReportJob, report_storage
from portal.jobs.registry import Report, ReportError, register
from portal.jobs.writers import write_xlsx

ROSTER_KIND = "employer_roster_upload"
# The upload is checked while the administrator waits (a 10,000-row workbook in about five
# seconds; openpyxl reads some 2,500 rows a second here), and enrolled by the job. A group
# suffix's roster is far smaller; 50 MB is what the issue names as hostile.
ROSTER_MAX_BYTES = 5 * 1024 * 1024
ROSTER_MAX_ROWS = 10_000
# Where a checked upload waits for its job: the uploader's id in the name lets the job's
# access check tell that it is theirs.
UPLOAD_FOLDER = "roster-uploads"
UPLOAD_NAME = re.compile(rf"{UPLOAD_FOLDER}/(\d+)/[0-9a-f]{{64}}\.bin")
GONE_MESSAGE = "The uploaded file is no longer available, so nothing was enrolled. Upload it again."


def roster_upload_store(*, user, upload) -> str:
    """Keep an uploaded roster, encrypted (it holds SSNs), for its job; returns the name.

    The name is a keyed digest of the content: the same file sent twice (a double click) gets
    the same name, so report_job_request hands back the job already queued for it.
    """
    upload.seek(0)
    data = upload.read()
    name = f"{UPLOAD_FOLDER}/{user.pk}/{crypto.digest(hashlib.sha256(data).hexdigest())}.bin"
    storage = report_storage()
    if not storage.exists(name):
        name = storage.save(name, ContentFile(crypto.encrypt(base64.b64encode(data).decode())))
    return name


def _upload_read(name, filename):
    storage = report_storage()
    try:
        with storage.open(name, "rb") as handle:
            token = handle.read().decode()
    except FileNotFoundError:
        raise ReportError(GONE_MESSAGE) from None
    return ContentFile(base64.b64decode(crypto.decrypt(token)), name=filename)


def _portal_namespace(user):
    from brokers.access import BROKER_ROLES

    return "brokers" if user.role in BROKER_ROLES else "employers"


def roster_job_path(job):
    """The job's page in its requester's portal (the employer's or the broker's)."""
    return reverse(f"{_portal_namespace(job.requester)}:roster-job", args=[job.pk])


def _on_behalf_of(user, group):
    """What the enrollment records as on whose behalf: for a broker-portal user the employer
    and the broker, as on their single enrollment; an administrator's upload records none."""
    if _portal_namespace(user) == "brokers":
        return on_behalf_of_text(user, group.parent.employer)
    return ""


@register
class RosterUpload(Report):
    """Enroll a checked roster file in one group, all rows or none; the file it leaves is the
    list of members enrolled (no SSNs)."""

    kind = ROSTER_KIND
    title = "Roster upload result"
    headers = [
        "Member ID",
        "Relationship",
        "Last name",
        "First name",
        "Date of birth",
        "Plan",
        "Coverage starts",
    ]
    widths = [14, 16, 22, 18, 14, 40, 16]

    @classmethod
    def clean_parameters(cls, data):
        try:
            group = int(data["group"])
            upload = str(data["upload"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("A group and an upload are required.") from None
        if group <= 0 or not UPLOAD_NAME.fullmatch(upload):
            raise ValueError("A group and an upload are required.")
        # The name's end is kept: its extension says how the kept file is read.
        return {"group": group, "upload": upload, "filename": str(data.get("filename", ""))[-100:]}

    def is_available_to(self, user):
        # Only the uploader's own file, on a group where they may still enroll people (an
        # administrator by their functions, a broker by the employer's grant).
        match = UPLOAD_NAME.fullmatch(self.parameters.get("upload", ""))
        return bool(
            match
            and match.group(1) == str(user.pk)
            and selectors.enrollment_groups_for(user, "perform_enrollment")
            .filter(pk=self.parameters["group"])
            .exists()
        )

    def filename(self):
        return f"roster-upload-{self.parameters['group']}-enrolled.xlsx"

    def generate(self, job, out, progress):
        group = (
            Group.objects.filter(pk=self.parameters["group"])
            .select_related("parent__employer")
            .first()
        )
        if group is None:
            raise ReportError("The group for this upload could not be found.")
        path = roster_job_path(job)
        if not roster_job_enrolled(job).exists():
            self._enroll(job, group, path, progress)
        # Audit rows name objects as text; PostgreSQL would not compare them with integer keys.
        ids = [int(pk) for pk in roster_job_enrolled(job).values_list("object_id", flat=True) if pk]
        members = (
            Member.objects.filter(pk__in=ids)
            .select_related("plan")
            .prefetch_related("coverages")
            .order_by("member_id")
        )
        enrolled = list(members)
        relationships = dict(Member.Relationship.choices)
        write_xlsx(
            out,
            sheet_title="Enrolled",
            headers=self.headers,
            rows=(
                (
                    m.member_id,
                    relationships.get(m.relationship, m.relationship),
                    m.last_name,
                    m.first_name,
                    m.dob,
                    str(m.plan) if m.plan else "",
                    min((c.start_date for c in m.coverages.all()), default=None),
                )
                for m in enrolled
            ),
            widths=self.widths,
        )
        return {"enrollment.Member": [m.pk for m in enrolled]}

    def _enroll(self, job, group, path, progress):
        """Check the kept file again (the group may have changed since the upload was checked)
        and enroll it in one transaction, recording what changed in the same transaction.

        The file is deleted once it is enrolled or refused; a job that broke off for another
        reason keeps it for the retry (the jobs' purge removes it once it is old)."""
        name = self.parameters["upload"]
        try:
            self._check_and_enroll(job, group, path, progress)
        except ReportError:
            report_storage().delete(name)
            raise
        report_storage().delete(name)

    def _check_and_enroll(self, job, group, path, progress):
        upload = _upload_read(self.parameters["upload"], self.parameters["filename"] or "x.csv")
        try:
            rows = read_table(
                upload,
                columns=ROSTER_COLUMNS,
                required=ROSTER_REQUIRED,
                max_bytes=ROSTER_MAX_BYTES,
                max_rows=ROSTER_MAX_ROWS,
            )
        except ImportFileError as error:
            raise ReportError(str(error)) from None
        # Checking is the first half of the bar, enrolling the second.
        families, problems, _ = roster_check(
            group, rows, progress=lambda done, total: progress(done, 2 * total)
        )
        if problems:
            raise ReportError(
                f"The file now has {len(problems)} problem(s), so nothing was enrolled. "
                "Upload it again to see them."
            )
        try:
            with transaction.atomic():
                made = roster_enroll(
                    group=group,
                    families=families,
                    by=job.requester,
                    on_behalf_of=_on_behalf_of(job.requester, group),
                    key_prefix=f"roster-{job.pk}",
                    progress=lambda done, total: progress(total + done, 2 * total),
                )
                _record(job, group, path, [member for _, member in made])
        except RosterEnrollError as error:
            raise ReportError(f"Nothing was enrolled. {error}") from None


def roster_job_enrolled(job):
    """The audit rows of the members this job enrolled (none until it has).

    Found through the requester's own rows since the job was made (the audit log's (user, at)
    index), not by path alone, which would read every member's audit rows.
    """
    return AuditEvent.objects.filter(
        user=job.requester_id,
        at__gte=job.created_at,
        action=AuditEvent.Action.CHANGE,
        object_type="enrollment.Member",
        path=roster_job_path(job),
    )


def _record(job, group, path, members):
    """The audit log's CHANGE rows (which also mark the job as enrolled) and a Recent Activity
    line saying what changed."""
    audit_record_for_user(
        user=job.requester,
        action=AuditEvent.Action.CHANGE,
        object_type="enrollment.Member",
        object_ids=[member.pk for member in members],
        path=path,
    )
    employees = sum(1 for member in members if member.is_subscriber)
    dependents = len(members) - employees
    activity_record(
        recipients=[job.requester],
        actor=job.requester,
        summary=f"Roster upload to group {group.number}: {employees} employee(s) and "
        f"{dependents} dependent(s) enrolled.",
        link=path,
    )


def roster_jobs_for(user):
    return ReportJob.objects.filter(requester=user, kind=ROSTER_KIND)
