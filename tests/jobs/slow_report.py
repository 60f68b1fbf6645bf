"""A test-only report kind: the group roster, slowed down so a worker can be killed mid-job.

The worker under test imports it with `celery worker --include tests.jobs.slow_report`; it is
never part of the portal itself.
"""

import time

from enrollment.reports import GroupRosterReport
from portal.jobs.registry import register

SECONDS_PER_ROW = 0.15


@register
class SlowRosterReport(GroupRosterReport):
    kind = "test_slow_roster_xlsx"
    title = "Subscriber list (slow, for tests)"

    def generate(self, job, out, progress):
        def slow_progress(done, total):
            time.sleep(SECONDS_PER_ROW)
            progress(done, total)

        return super().generate(job, out, slow_progress)
