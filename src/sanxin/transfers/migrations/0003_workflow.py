from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("transfers", "0002_ledger")]

    operations: list = []
