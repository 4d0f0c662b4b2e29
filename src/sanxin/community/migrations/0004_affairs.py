# Community: 党务公开, 协商议事, 党员示范岗 and 责任区.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0003_awards")]

    operations = []
