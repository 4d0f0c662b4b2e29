# Community: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_activities"),
        ("core", "0003_industry"),
        ("learning", "0004_discovery"),
        ("orgs", "0003_person_name_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AwardCandidate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("reasons", models.TextField(verbose_name="推荐理由")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "待审核"), ("approved", "审核通过"), ("rejected", "未通过")],
                        default="pending",
                        max_length=10,
                        verbose_name="审核状态",
                    ),
                ),
                ("review_reason", models.CharField(blank=True, max_length=300, verbose_name="审核意见")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("votes", models.PositiveIntegerField(default=0, verbose_name="有效票数")),
                ("rank", models.PositiveIntegerField(blank=True, null=True, verbose_name="名次")),
                ("awarded", models.BooleanField(default=False, verbose_name="当选")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="创建人",
                    ),
                ),
                (
                    "nominated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="所在组织",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.person",
                        verbose_name="被提名人",
                    ),
                ),
                ("photos", models.ManyToManyField(blank=True, related_name="+", to="core.storedfile")),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "story_course",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="learning.course",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="更新人",
                    ),
                ),
            ],
            options={
                "verbose_name": "评选候选人",
                "verbose_name_plural": "评选候选人",
                "ordering": ["selection_id", "pk"],
            },
        ),
        migrations.CreateModel(
            name="AwardCertificate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=24, unique=True, verbose_name="证书编号")),
                ("token", models.CharField(max_length=32, unique=True)),
                ("issued_at", models.DateTimeField(verbose_name="发证时间")),
                (
                    "candidate",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="certificate",
                        to="community.awardcandidate",
                    ),
                ),
            ],
            options={
                "verbose_name": "评选荣誉证书",
                "verbose_name_plural": "评选荣誉证书",
                "ordering": ["number"],
            },
        ),
        migrations.CreateModel(
            name="AwardSelection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("title", models.CharField(max_length=80, verbose_name="评选名称")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("description", models.TextField(blank=True, verbose_name="评选说明")),
                ("work_kinds", models.JSONField(blank=True, default=list, verbose_name="从业类型")),
                ("members_only", models.BooleanField(default=False, verbose_name="仅限党员")),
                ("min_job_years", models.PositiveSmallIntegerField(default=0, verbose_name="最低从业年限")),
                ("min_party_years", models.PositiveSmallIntegerField(default=0, verbose_name="最低党龄")),
                ("awardees", models.PositiveSmallIntegerField(verbose_name="评选名额")),
                ("nominate_from", models.DateField(verbose_name="提名开始")),
                ("nominate_until", models.DateField(verbose_name="提名截止")),
                ("vote_from", models.DateField(verbose_name="投票开始")),
                ("vote_until", models.DateField(verbose_name="投票截止")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("running", "进行中"),
                            ("closed", "投票已结束"),
                            ("published", "结果已公布"),
                        ],
                        default="running",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="创建人",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="主办党组织",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="更新人",
                    ),
                ),
            ],
            options={
                "verbose_name": "评选活动",
                "verbose_name_plural": "评选活动",
                "ordering": ["-year", "-vote_from", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="awardcandidate",
            name="selection",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="candidates",
                to="community.awardselection",
            ),
        ),
        migrations.CreateModel(
            name="AwardVote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="投票日")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("device_hash", models.CharField(max_length=64)),
                ("client_hash", models.CharField(max_length=64)),
                ("flagged", models.BooleanField(default=False, verbose_name="疑似刷票")),
                ("flag_reason", models.CharField(blank=True, max_length=200, verbose_name="标记原因")),
                (
                    "review",
                    models.CharField(
                        blank=True,
                        choices=[("", "待复核"), ("kept", "认定有效"), ("voided", "认定无效")],
                        default="",
                        max_length=8,
                        verbose_name="复核结论",
                    ),
                ),
                (
                    "candidate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="vote_rows",
                        to="community.awardcandidate",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "selection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="votes",
                        to="community.awardselection",
                    ),
                ),
                (
                    "voter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "评选投票",
                "verbose_name_plural": "评选投票",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="AwardVoteRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SiliangRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("flag", "亮旗帜"),
                            ("identity", "亮身份"),
                            ("mark", "亮标识"),
                            ("pledge", "亮承诺"),
                        ],
                        max_length=10,
                        verbose_name="类别",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                ("pledge", models.TextField(blank=True, verbose_name="承诺内容")),
                ("on", models.DateField(verbose_name="日期")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="创建人",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="党组织",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.person",
                    ),
                ),
                (
                    "photo",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.storedfile",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="更新人",
                    ),
                ),
            ],
            options={
                "verbose_name": "四亮记录",
                "verbose_name_plural": "四亮记录",
                "ordering": ["org_id", "kind", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="awardselection",
            index=models.Index(fields=["org", "year"], name="award_selection_org_idx"),
        ),
        migrations.AddConstraint(
            model_name="awardselection",
            constraint=models.UniqueConstraint(
                fields=("org", "year", "title"), name="award_selection_once_a_year"
            ),
        ),
        migrations.AddConstraint(
            model_name="awardselection",
            constraint=models.CheckConstraint(
                condition=models.Q(("awardees__gte", 1)), name="award_selection_has_awardees"
            ),
        ),
        migrations.AddConstraint(
            model_name="awardselection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("nominate_until__gte", models.F("nominate_from")),
                    ("vote_from__gt", models.F("nominate_until")),
                    ("vote_until__gte", models.F("vote_from")),
                ),
                name="award_selection_phases_in_order",
                violation_error_message="阶段日期应依次为：提名开始 ≤ 提名截止 < 投票开始 ≤ 投票截止",
            ),
        ),
        migrations.AddIndex(
            model_name="awardcandidate",
            index=models.Index(fields=["selection", "status"], name="award_candidate_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="awardcandidate",
            constraint=models.UniqueConstraint(fields=("selection", "person"), name="award_candidate_once"),
        ),
        migrations.AddConstraint(
            model_name="awardcandidate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "rejected"), _negated=True),
                    models.Q(("review_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="award_rejected_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="awardcandidate",
            constraint=models.CheckConstraint(
                condition=models.Q(("awarded", False), ("status", "approved"), _connector="OR"),
                name="award_awardee_approved",
            ),
        ),
        migrations.AddIndex(
            model_name="awardvote",
            index=models.Index(fields=["selection", "device_hash", "day"], name="award_vote_device_idx"),
        ),
        migrations.AddIndex(
            model_name="awardvote",
            index=models.Index(fields=["candidate", "flagged"], name="award_vote_candidate_idx"),
        ),
        migrations.AddConstraint(
            model_name="awardvote",
            constraint=models.UniqueConstraint(
                fields=("selection", "voter", "day"), name="award_vote_once_a_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="awardvote",
            constraint=models.CheckConstraint(
                condition=models.Q(("flagged", True), ("review", ""), _connector="OR"),
                name="award_vote_review_flagged",
            ),
        ),
        migrations.AddIndex(
            model_name="awardvoterequest",
            index=models.Index(fields=["user", "at"], name="award_vote_request_idx"),
        ),
        migrations.AddIndex(
            model_name="siliangrecord",
            index=models.Index(fields=["org", "kind"], name="siliang_org_kind_idx"),
        ),
        migrations.AddConstraint(
            model_name="siliangrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "flag"), ("person__isnull", True)),
                    models.Q(models.Q(("kind", "flag"), _negated=True), ("person__isnull", False)),
                    _connector="OR",
                ),
                name="siliang_flag_is_branch_others_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="siliangrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "pledge"), _negated=True),
                    models.Q(("pledge", ""), _negated=True),
                    _connector="OR",
                ),
                name="siliang_pledge_has_text",
            ),
        ),
        migrations.AddConstraint(
            model_name="siliangrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", False)),
                fields=("kind", "person"),
                name="siliang_once_a_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="siliangrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", True)),
                fields=("kind", "org"),
                name="siliang_flag_once_a_branch",
            ),
        ),
    ]
