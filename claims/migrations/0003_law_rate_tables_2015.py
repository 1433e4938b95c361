"""Complete the rate tables from 2015, one source per row (legal-brief §1.3, §6.5, §12).

Idempotent: ``update_or_create`` on (series, first day), so an upgraded
database ends up with the same rows as a fresh ``migrate``.
"""

from django.db import migrations

from claims.law.seed import seed_rates_update


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_reference_data")]

    operations = [
        migrations.RunPython(seed_rates_update, migrations.RunPython.noop),
    ]
