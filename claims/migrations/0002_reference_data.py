"""Reference data: legal rates, default scenarios and the route cost table."""

from django.db import migrations

from claims.engine.seed import seed_engine
from claims.law.seed import seed_rates


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [
        migrations.RunPython(seed_engine, migrations.RunPython.noop),
        migrations.RunPython(seed_rates, migrations.RunPython.noop),
    ]
