# Community: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = []
