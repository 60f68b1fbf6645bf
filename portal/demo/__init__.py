"""The fictional carrier that `manage.py seed_demo` builds.

`pools` holds the seeded raw material (names, streets, places), `world` builds the plans,
agencies, employers, members, money and provider records, and `cast` adds the documented demo
logins on top. Nothing here describes a real person: names come from Faker with a fixed seed,
phone numbers are in the 555-01xx range set aside for fiction, and SSNs, NPIs and tax IDs use
ranges that are never issued.
"""

# Published in README.md: every demo login shares it.
PASSWORD = "portal-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
