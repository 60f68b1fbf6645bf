"""Manage Accounts & Reports → Reports: standard and custom employer reports, run once or on a
schedule, each run a report job (portal.jobs) that leaves an XLSX or PDF file for 30 days.

- catalogue.py: what a report may ask for (the custom columns, the periods, who may see what);
- kinds.py: the report job kinds that write the files;
- selectors.py / services.py: definitions, scoped to their owner, and running them;
- tasks.py: celery beat's run of the definitions due, and the email when a file is ready.
"""
