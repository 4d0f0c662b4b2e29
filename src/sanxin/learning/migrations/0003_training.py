# Learning: training programmes, cohorts, offline trainings, views.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_quizzes")]

    operations = []
