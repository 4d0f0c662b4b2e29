from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0005_findings")]

    operations: list = []
