from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("transfers", "0003_workflow")]

    operations: list = []
