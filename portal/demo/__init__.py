"""The ground floor of the demo world that `manage.py seed_demo` builds.

Each app builds its own part in its `demo.py` (brokers their agencies and brokers, providers
their offices and claims, and so on) and `demo.builder` calls them in order. What they share
lives here, importing no audience app: `pools` holds the seeded raw material (names, streets,
places), `world` the random generator, dates, sizes per unit of scale and row counts, and `cast`
the documented demo logins and the records they work on. Nothing describes a real person: names
come from Faker with a fixed seed, phone numbers are in the 555-01xx range set aside for
fiction, and SSNs, NPIs and tax IDs use ranges that are never issued.
"""

# Published in README.md: every demo login shares it.
PASSWORD = "portal-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
