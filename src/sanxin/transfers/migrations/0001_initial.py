from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("members", "0006_funds")]

    operations: list = []
