from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0003_dues")]

    operations: list = []
