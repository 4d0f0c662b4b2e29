# Learning: training programmes, cohorts, offline trainings, views.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0002_quizzes'),
        ('members', '0007_member_status'),
        ('orgs', '0003_person_name_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='credit',
            name='note',
            field=models.CharField(blank=True, max_length=200, verbose_name='说明'),
        ),
        migrations.AddField(
            model_name='credit',
            name='reverses',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversal', to='learning.credit'),
        ),
        migrations.AlterField(
            model_name='credit',
            name='lesson',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='learning.lesson'),
        ),
        migrations.CreateModel(
            name='Cohort',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('name', models.CharField(max_length=60, verbose_name='班次')),
                ('track', models.CharField(blank=True, choices=[('', '—'), ('province', '省级'), ('city', '市级'), ('county', '县级'), ('startup', '初创期'), ('succession', '接班期'), ('mature', '成熟期')], max_length=12, verbose_name='层级/成长阶段')),
                ('starts_on', models.DateField(verbose_name='开始日期')),
                ('ends_on', models.DateField(verbose_name='结束日期')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '培训班次',
                'verbose_name_plural': '培训班次',
                'ordering': ['programme_id', 'starts_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='LessonView',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField(verbose_name='日期')),
                ('column', models.CharField(max_length=10, verbose_name='栏目')),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='learning.lesson')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.member')),
                ('org', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='orgs.org')),
            ],
            options={
                'verbose_name': '课时浏览',
                'verbose_name_plural': '课时浏览',
            },
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('title', models.CharField(max_length=120, verbose_name='培训班名称')),
                ('summary', models.TextField(blank=True, verbose_name='简介')),
                ('mode', models.CharField(choices=[('online', '线上'), ('offline', '线下'), ('hybrid', '线上线下')], max_length=8, verbose_name='形式')),
                ('audience', models.CharField(choices=[('general', '党员培训'), ('secretary', '书记示范培训'), ('entrepreneur', '新生代企业家培训')], default='general', max_length=14, verbose_name='类别')),
                ('starts_on', models.DateField(verbose_name='开始日期')),
                ('ends_on', models.DateField(verbose_name='结束日期')),
                ('required_hours', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='结业学时')),
                ('courses', models.ManyToManyField(blank=True, related_name='programmes', to='learning.course', verbose_name='课程')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='主办党组织')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '培训班',
                'verbose_name_plural': '培训班',
                'ordering': ['-starts_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Enrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enrolled_at', models.DateTimeField(auto_now_add=True, verbose_name='报名时间')),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='learning.cohort')),
                ('enrolled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='learning.programme')),
            ],
            options={
                'verbose_name': '培训学员',
                'verbose_name_plural': '培训学员',
                'ordering': ['cohort_id', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='cohort',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cohorts', to='learning.programme'),
        ),
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('on', models.DateField(verbose_name='提醒日期')),
                ('sent_at', models.DateTimeField(verbose_name='提醒时间')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='当时学时')),
                ('required', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='年度要求')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.member')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '学时提醒',
                'verbose_name_plural': '学时提醒',
                'ordering': ['-sent_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Training',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('title', models.CharField(max_length=120, verbose_name='培训名称')),
                ('held_on', models.DateField(verbose_name='培训日期')),
                ('place', models.CharField(max_length=120, verbose_name='地点')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='学时')),
                ('summary', models.TextField(blank=True, verbose_name='内容摘要')),
                ('cohort', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='trainings', to='learning.cohort')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='组织单位')),
                ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='trainings', to='learning.programme')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '线下培训',
                'verbose_name_plural': '线下培训',
                'ordering': ['-held_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('present', models.BooleanField(default=True, verbose_name='出席')),
                ('marked_at', models.DateTimeField(verbose_name='登记时间')),
                ('removed_at', models.DateTimeField(blank=True, null=True, verbose_name='更正时间')),
                ('removed_reason', models.CharField(blank=True, max_length=200, verbose_name='更正原因')),
                ('marked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
                ('removed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('training', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='learning.training')),
            ],
            options={
                'verbose_name': '培训出勤',
                'verbose_name_plural': '培训出勤',
                'ordering': ['training_id', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='credit',
            name='training',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='learning.training'),
        ),
        migrations.AddConstraint(
            model_name='credit',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('lesson__isnull', False), ('training__isnull', True)), models.Q(('lesson__isnull', True), ('training__isnull', False)), _connector='OR'), name='credit_lesson_or_training'),
        ),
        migrations.AddConstraint(
            model_name='credit',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', True)), fields=('member', 'training'), name='credit_once_per_training'),
        ),
        migrations.AddConstraint(
            model_name='credit',
            constraint=models.CheckConstraint(condition=models.Q(('reverses__isnull', True), ('training__isnull', False), _connector='OR'), name='credit_reversal_only_of_training'),
        ),
        migrations.AddIndex(
            model_name='lessonview',
            index=models.Index(fields=['on', 'column'], name='lesson_view_on_idx'),
        ),
        migrations.AddIndex(
            model_name='lessonview',
            index=models.Index(fields=['lesson', 'on'], name='lesson_view_lesson_idx'),
        ),
        migrations.AddConstraint(
            model_name='lessonview',
            constraint=models.UniqueConstraint(fields=('member', 'lesson', 'on'), name='lesson_view_once_a_day'),
        ),
        migrations.AddIndex(
            model_name='programme',
            index=models.Index(fields=['org', '-starts_on'], name='programme_org_idx'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='programme_dates_in_order'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('required_hours__gt', 0)), name='programme_hours_positive'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['member'], name='enrolment_member_idx'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(fields=('programme', 'member'), name='enrolment_once_per_programme'),
        ),
        migrations.AddConstraint(
            model_name='cohort',
            constraint=models.UniqueConstraint(fields=('programme', 'name'), name='cohort_name_once'),
        ),
        migrations.AddConstraint(
            model_name='cohort',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='cohort_dates_in_order'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(fields=['member', '-sent_at'], name='reminder_member_idx'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(fields=('member', 'on'), name='reminder_once_a_day'),
        ),
        migrations.AddIndex(
            model_name='training',
            index=models.Index(fields=['org', '-held_on'], name='training_org_idx'),
        ),
        migrations.AddConstraint(
            model_name='training',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0)), name='training_hours_positive'),
        ),
        migrations.AddConstraint(
            model_name='training',
            constraint=models.CheckConstraint(condition=models.Q(('cohort__isnull', True), ('programme__isnull', False), _connector='OR'), name='training_cohort_has_programme'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('training', 'member'), name='attendance_once_per_training'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.CheckConstraint(condition=models.Q(('present', True), ('removed_at__isnull', False), _connector='OR'), name='attendance_removed_has_time'),
        ),
    ]
