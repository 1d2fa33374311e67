"""On PostgreSQL, the database itself refuses a room or an account booked twice at once: exclusion
constraints over the planned window (btree_gist lets the equality on the room/account id share the
GiST index with the range overlap). People are on sessions through several columns and a many-to-many
table, which one constraint cannot state: the service checks them under row locks. SQLite has no
exclusion constraints; there the service check is the only guard (writes are serialised anyway)."""

from django.db import migrations

_TABLE = "live_livesession"
_CONSTRAINTS = {
    "live_session_room_no_overlap": "studio_id",
    "live_session_account_no_overlap": "account_id",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in _CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE {_TABLE} ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(planned_start, planned_end, '[)') WITH &&) "
            f"WHERE ({column} IS NOT NULL AND planned_start IS NOT NULL)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {_TABLE} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("live", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
