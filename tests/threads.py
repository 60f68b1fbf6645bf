"""Calls run at once, as concurrent requests would be: for the PostgreSQL race tests."""

import threading
import time

from django.db import connection


def run_at_once(calls, *, stagger=0.0):
    """Run each call in a thread of its own, started `stagger` seconds apart, and wait for all.

    Returns what each call returned, or the exception it raised, in the order of `calls`. Each
    thread closes its own database connection when done (a thread's connection is its own).
    """
    results = [None] * len(calls)

    def run(n, call):
        try:
            results[n] = call()
        except Exception as error:  # noqa: BLE001 - the caller looks at what each got
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
        time.sleep(stagger)
    for thread in threads:
        thread.join(timeout=30)
    return results
