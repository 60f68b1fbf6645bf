"""Settings for the Celery worker started by test_jobs_worker.py: the portal's, made quick.

The real values (a 5-minute stale heartbeat, Redis sweeping for unacknowledged messages every
~100 s) would make the test wait minutes for what it shows in seconds.
"""

from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS

REPORT_JOB_STALE_SECONDS = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    # Look for messages whose worker died every second, rather than every 10 x 10 seconds.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
