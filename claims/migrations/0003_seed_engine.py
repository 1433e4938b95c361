from django.db import migrations

from claims.seed_engine import seed_engine


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_claim_amicable_exhausted")]

    operations = [migrations.RunPython(seed_engine, migrations.RunPython.noop)]
