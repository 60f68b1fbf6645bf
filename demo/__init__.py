"""The top floor: `manage.py seed_demo`, which builds the demo world from every app's part.

Each app owns its part (`brokers/demo.py`, `enrollment/demo.py`, ...); `portal/demo/` is the
ground floor they share (the seeded pools, dates, sizes and the cast sheet). Only this app
imports them all, and `builder.build_world` says in what order they run.
"""
