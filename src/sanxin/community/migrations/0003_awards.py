# Community: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0002_activities")]

    operations = []
