"""The kinds of report a job can produce, each a small class registered under its `kind`.

A report module (for example `enrollment/reports.py`) defines a `Report` subclass and decorates
it with `@register`. `JobsConfig.ready()` imports every installed app's `reports` module, so the
web process and the Celery worker know the same kinds.
"""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

_reports = {}


class ReportError(Exception):
    """A failure the requester can be told about in plain words (no PHI, no internals)."""


class Report:
    """One kind of report, in the manner of django-oscar's report generators.

    An instance is built from a job's stored parameters. Subclasses set `kind`, `title` and the
    output format, and implement `clean_parameters`, `is_available_to`, `filename` and `generate`.
    """

    kind = ""
    title = ""
    content_type = XLSX
    extension = "xlsx"

    def __init__(self, parameters):
        self.parameters = parameters

    @classmethod
    def clean_parameters(cls, data):
        """The parameters to store on the job, from untrusted input; ValueError if unusable."""
        return {}

    def is_available_to(self, user):
        """Whether `user` may request and download this report. Deny unless a kind says so."""
        return False

    def filename(self):
        """The name the download is saved as."""
        return f"{self.kind}.{self.extension}"

    def generate(self, job, out, progress):
        """Write the report to the binary file `out`, calling `progress(done, total)` as it goes.

        Returns what was exported, for the audit log: {object type label: [ids]}.
        """
        raise NotImplementedError


def register(report_class):
    """Class decorator that makes a report kind available to jobs."""
    existing = _reports.get(report_class.kind)
    if not report_class.kind or (existing is not None and existing is not report_class):
        raise ValueError(f"Report kind {report_class.kind!r} is empty or already registered.")
    _reports[report_class.kind] = report_class
    return report_class


def get_report_class(kind):
    """The report class registered under `kind`; LookupError if there is none."""
    try:
        return _reports[kind]
    except KeyError:
        raise LookupError(f"No report kind {kind!r}.") from None


def get_report(kind, parameters):
    return get_report_class(kind)(parameters)


def title_for(kind):
    report_class = _reports.get(kind)
    return report_class.title if report_class else kind
