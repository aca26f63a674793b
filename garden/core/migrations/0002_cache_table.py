from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (rate-limit counts) needs its table; a no-op with Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_periodic_run")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
