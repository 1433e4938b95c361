from django.db import migrations

from claims.law.seed import seed_rates


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(seed_rates, migrations.RunPython.noop)]
