# Learning: recommendations and full-text search.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_training")]

    operations = []
