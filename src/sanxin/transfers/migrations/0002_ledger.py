from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]

    operations: list = []
