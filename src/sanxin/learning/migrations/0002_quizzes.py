# Learning: quizzes and contests.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0001_initial'),
        ('members', '0007_member_status'),
        ('orgs', '0003_person_name_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Attempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('questions', models.JSONField(default=list)),
                ('key', models.JSONField(default=list)),
                ('answers', models.JSONField(default=list)),
                ('results', models.JSONField(default=list)),
                ('status', models.CharField(choices=[('running', '答题中'), ('submitted', '已交卷'), ('expired', '超时未交卷')], default='running', max_length=10, verbose_name='状态')),
                ('started_at', models.DateTimeField(verbose_name='开始时间')),
                ('deadline', models.DateTimeField(blank=True, null=True, verbose_name='截止时间')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='交卷时间')),
                ('seconds_used', models.PositiveIntegerField(blank=True, null=True, verbose_name='用时（秒）')),
                ('score', models.PositiveIntegerField(blank=True, null=True, verbose_name='得分')),
                ('max_score', models.PositiveIntegerField(verbose_name='满分')),
                ('passed', models.BooleanField(blank=True, null=True, verbose_name='合格')),
                ('branch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='所在支部')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
            ],
            options={
                'verbose_name': '答卷',
                'verbose_name_plural': '答卷',
                'ordering': ['-started_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Bank',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('name', models.CharField(max_length=100, verbose_name='题库名称')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='所属党组织')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '题库',
                'verbose_name_plural': '题库',
                'ordering': ['owner_id', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Contest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('title', models.CharField(max_length=120, verbose_name='竞赛名称')),
                ('description', models.TextField(blank=True, verbose_name='竞赛说明')),
                ('opens_at', models.DateTimeField(verbose_name='开始时间')),
                ('closes_at', models.DateTimeField(verbose_name='截止时间')),
                ('time_limit_s', models.PositiveIntegerField(verbose_name='答题时限（秒）')),
                ('draw', models.JSONField(default=dict, verbose_name='各题型抽题数')),
                ('points', models.JSONField(default=dict, verbose_name='各题型每题分值')),
                ('pass_score', models.PositiveIntegerField(verbose_name='合格分数')),
                ('award_top', models.PositiveSmallIntegerField(default=0, verbose_name='获奖名次数')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('published', '已发布'), ('cancelled', '已取消')], default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='发布时间')),
                ('certified_at', models.DateTimeField(blank=True, null=True, verbose_name='证书发放时间')),
                ('bank', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='learning.bank', verbose_name='题库')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('organiser', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='主办党组织')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '知识竞赛',
                'verbose_name_plural': '知识竞赛',
                'ordering': ['-opens_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Certificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=24, unique=True, verbose_name='证书编号')),
                ('token', models.CharField(max_length=32, unique=True)),
                ('kind', models.CharField(choices=[('award', '获奖证书'), ('participation', '参赛证书')], max_length=14, verbose_name='证书类型')),
                ('rank', models.PositiveIntegerField(verbose_name='名次')),
                ('score', models.PositiveIntegerField(verbose_name='得分')),
                ('issued_at', models.DateTimeField(verbose_name='发放时间')),
                ('attempt', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='certificate', to='learning.attempt')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
                ('contest', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='learning.contest')),
            ],
            options={
                'verbose_name': '竞赛证书',
                'verbose_name_plural': '竞赛证书',
                'ordering': ['contest_id', 'rank', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='attempt',
            name='contest',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='learning.contest'),
        ),
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('kind', models.CharField(choices=[('single', '单选题'), ('multiple', '多选题'), ('judge', '判断题'), ('fill', '填空题')], max_length=10, verbose_name='题型')),
                ('stem', models.TextField(verbose_name='题干')),
                ('stem_key', models.CharField(max_length=64)),
                ('options', models.JSONField(blank=True, default=list, verbose_name='选项')),
                ('answer', models.JSONField(default=list, verbose_name='答案')),
                ('explanation', models.TextField(blank=True, verbose_name='解析')),
                ('tags', models.JSONField(blank=True, default=list, verbose_name='标签')),
                ('active', models.BooleanField(default=True, verbose_name='启用')),
                ('bank', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='learning.bank')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '试题',
                'verbose_name_plural': '试题',
                'ordering': ['bank_id', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Quiz',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('count', models.PositiveSmallIntegerField(verbose_name='每次抽题数')),
                ('tag', models.CharField(blank=True, max_length=20, verbose_name='只抽该标签的题')),
                ('pass_percent', models.PositiveSmallIntegerField(default=60, verbose_name='及格线（%）')),
                ('bank', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='learning.bank', verbose_name='题库')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('lesson', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='quiz', to='learning.lesson', verbose_name='课时')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新人')),
            ],
            options={
                'verbose_name': '课后测验',
                'verbose_name_plural': '课后测验',
            },
        ),
        migrations.AddField(
            model_name='attempt',
            name='quiz',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='learning.quiz'),
        ),
        migrations.AddConstraint(
            model_name='bank',
            constraint=models.UniqueConstraint(fields=('owner', 'name'), name='quiz_bank_name_per_owner', violation_error_message='该党组织已有同名题库'),
        ),
        migrations.AddIndex(
            model_name='contest',
            index=models.Index(fields=['organiser', 'status'], name='quiz_contest_organiser_idx'),
        ),
        migrations.AddConstraint(
            model_name='contest',
            constraint=models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='contest_window'),
        ),
        migrations.AddConstraint(
            model_name='contest',
            constraint=models.CheckConstraint(condition=models.Q(('time_limit_s__gte', 60)), name='contest_time_limit_min'),
        ),
        migrations.AddIndex(
            model_name='question',
            index=models.Index(fields=['bank', 'active', 'kind'], name='quiz_question_draw_idx'),
        ),
        migrations.AddConstraint(
            model_name='question',
            constraint=models.UniqueConstraint(fields=('bank', 'stem_key'), name='quiz_question_unique_stem', violation_error_message='题库中已有相同的题目'),
        ),
        migrations.AddConstraint(
            model_name='quiz',
            constraint=models.CheckConstraint(condition=models.Q(('count__gte', 1), ('count__lte', 50)), name='quiz_count_between_1_and_50'),
        ),
        migrations.AddConstraint(
            model_name='quiz',
            constraint=models.CheckConstraint(condition=models.Q(('pass_percent__lte', 100)), name='quiz_pass_percent_le_100'),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['contest', 'status', '-score', 'seconds_used'], name='attempt_ranking_idx'),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['member', '-started_at'], name='attempt_member_idx'),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['quiz', 'member'], name='attempt_quiz_member_idx'),
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.UniqueConstraint(condition=models.Q(('contest__isnull', False)), fields=('contest', 'member'), name='quiz_one_attempt_per_contest', violation_error_message='每名党员每场竞赛只能答题一次'),
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('contest__isnull', False), ('quiz__isnull', True)), models.Q(('contest__isnull', True), ('quiz__isnull', False)), _connector='OR'), name='attempt_of_contest_or_quiz'),
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'submitted'), _negated=True), models.Q(('score__isnull', False), ('submitted_at__isnull', False)), _connector='OR'), name='attempt_submitted_has_score'),
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'expired'), _negated=True), ('score__isnull', True), _connector='OR'), name='attempt_expired_no_score'),
        ),
    ]
