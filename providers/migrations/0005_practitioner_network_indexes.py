from django.db import migrations

# Find a Provider (Resources) reads only participating practitioners, so its indexes are partial
# on is_participating. At --scale 26 (~8,500 in the network) the first page by name sorted the
# whole network joined to the practices (17.8 ms on a loaded machine) and every name, city or
# ZIP search filtered it row by row; with these the page is a walk down the name index that
# stops after 25 rows, and a search is one or two index probes. Prefixes are compared as
# lower(x) LIKE 'pre%', which text_pattern_ops lets PostgreSQL answer from the index whatever
# the database collation (as enrollment's member_dob_last_name_idx). Written as SQL rather than
# Meta.indexes because they are expressions with operator classes; the model is unchanged.
INDEXES = {
    "practitioner_network_name_idx": "(last_name, first_name, id)",
    "practitioner_network_last_name_idx": "(lower(last_name) text_pattern_ops)",
    "practitioner_network_first_name_idx": "(lower(first_name) text_pattern_ops)",
    "practitioner_network_city_idx": "(lower(city) text_pattern_ops)",
    "practitioner_network_zip_idx": "(zip_code varchar_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, columns in INDEXES.items():
        if not postgres:
            # SQLite has no operator classes; its LIKE is case-insensitive anyway.
            columns = columns.replace(" text_pattern_ops", "").replace(" varchar_pattern_ops", "")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON providers_practitioner {columns} "
            "WHERE is_participating"
        )


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("providers", "0004_registration_users_and_resources")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
