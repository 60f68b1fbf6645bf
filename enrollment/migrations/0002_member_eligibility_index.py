from django.db import migrations

# Eligibility lookups by last name (exact or prefix) and date of birth. On PostgreSQL the
# text_pattern_ops operator class lets `lower(last_name) LIKE 'smi%'` use the index whatever the
# database collation; DESIGN.md has the measurements (~0.2 ms at 1M members).
CREATE = {
    "postgresql": "CREATE INDEX IF NOT EXISTS member_dob_last_name_idx "
    "ON enrollment_member (dob, lower(last_name) text_pattern_ops)",
    "sqlite": "CREATE INDEX IF NOT EXISTS member_dob_last_name_idx "
    "ON enrollment_member (dob, lower(last_name))",
}
DROP = "DROP INDEX IF EXISTS member_dob_last_name_idx"


def create_index(apps, schema_editor):
    sql = CREATE.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
