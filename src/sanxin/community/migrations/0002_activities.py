# Community: 需求征集 → 活动开展 → 效果评估, volunteer teams and hours.
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("orgs", "0003_person_name_index"),
        ("stations", "0004_candidate_one_a_place"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Need",
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
                ("title", models.CharField(max_length=80, verbose_name="需求")),
                ("body", models.TextField(verbose_name="说明")),
                (
                    "kind",
                    models.CharField(
                        choices=[("activity", "活动"), ("service", "服务")],
                        max_length=10,
                        verbose_name="类型",
                    ),
                ),
                ("vote_starts", models.DateTimeField(blank=True, null=True, verbose_name="投票开始")),
                ("vote_ends", models.DateTimeField(blank=True, null=True, verbose_name="投票截止")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "征集中"), ("adopted", "已采纳"), ("declined", "未采纳")],
                        default="open",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("votes", models.PositiveIntegerField(default=0, verbose_name="票数")),
                ("reason", models.TextField(blank=True, verbose_name="办理说明")),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
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
                    "decided_by",
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
                        verbose_name="征集党组织",
                    ),
                ),
                (
                    "proposer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="提出人",
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
                "verbose_name": "活动需求",
                "verbose_name_plural": "活动需求",
                "ordering": ["-votes", "-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Activity",
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
                ("title", models.CharField(max_length=80, verbose_name="活动名称")),
                ("description", models.TextField(verbose_name="活动内容")),
                (
                    "kind",
                    models.CharField(
                        choices=[("activity", "活动"), ("service", "服务")],
                        max_length=10,
                        verbose_name="类型",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="开始时间")),
                ("ends_at", models.DateTimeField(verbose_name="结束时间")),
                ("place", models.CharField(blank=True, max_length=200, verbose_name="地点")),
                ("capacity", models.PositiveIntegerField(verbose_name="名额")),
                ("signup_deadline", models.DateTimeField(verbose_name="报名截止")),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1,
                        default=Decimal("0"),
                        max_digits=4,
                        verbose_name="志愿时长（小时/人）",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("published", "已发布"), ("finished", "已结束"), ("cancelled", "已取消")],
                        default="published",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("checkin_code", models.CharField(editable=False, max_length=6, verbose_name="签到码")),
                ("cancel_reason", models.CharField(blank=True, max_length=200, verbose_name="取消原因")),
                ("summary", models.TextField(blank=True, verbose_name="活动总结")),
                ("summary_at", models.DateTimeField(blank=True, null=True)),
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
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="组织人",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="stations.station",
                        verbose_name="驿站",
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
                (
                    "need",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity",
                        to="community.need",
                        verbose_name="来源需求",
                    ),
                ),
            ],
            options={
                "verbose_name": "组织活动",
                "verbose_name_plural": "组织活动",
                "ordering": ["-starts_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="NeedVote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "need",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vote_rows",
                        to="community.need",
                    ),
                ),
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
            name="Participation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("signed_up", "已报名"), ("waitlisted", "候补"), ("cancelled", "已取消")],
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("signed_up_at", models.DateTimeField(verbose_name="报名时间")),
                ("checked_in_at", models.DateTimeField(blank=True, null=True, verbose_name="签到时间")),
                (
                    "checkin_method",
                    models.CharField(
                        blank=True, choices=[("roster", "组织人点名"), ("code", "签到码")], max_length=8
                    ),
                ),
                (
                    "hours",
                    models.DecimalField(
                        blank=True, decimal_places=1, max_digits=4, null=True, verbose_name="志愿时长"
                    ),
                ),
                ("rating", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="评分")),
                ("comment", models.CharField(blank=True, max_length=500, verbose_name="评价")),
                ("rated_at", models.DateTimeField(blank=True, null=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participations",
                        to="community.activity",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "活动报名",
                "verbose_name_plural": "活动报名",
                "ordering": ["signed_up_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Team",
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
                ("name", models.CharField(max_length=60, verbose_name="服务队名称")),
                ("description", models.CharField(blank=True, max_length=300, verbose_name="简介")),
                ("is_active", models.BooleanField(default=True, verbose_name="在册")),
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
                        verbose_name="所属党组织",
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
                "verbose_name": "志愿服务队",
                "verbose_name_plural": "志愿服务队",
                "ordering": ["org__path", "name"],
            },
        ),
        migrations.AddField(
            model_name="activity",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="activities",
                to="community.team",
                verbose_name="志愿服务队",
            ),
        ),
        migrations.CreateModel(
            name="TeamMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("joined_on", models.DateField(verbose_name="加入日期")),
                ("left_on", models.DateField(blank=True, null=True, verbose_name="退出日期")),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="community.team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "服务队队员",
                "verbose_name_plural": "服务队队员",
                "ordering": ["joined_on", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["org", "status", "-votes"], name="need_org_status_votes_idx"),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "declined"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="need_declined_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("vote_starts__isnull", True),
                    ("vote_ends__isnull", True),
                    ("vote_ends__gt", models.F("vote_starts")),
                    _connector="OR",
                ),
                name="need_vote_window_ordered",
            ),
        ),
        migrations.AddConstraint(
            model_name="needvote",
            constraint=models.UniqueConstraint(fields=("need", "user"), name="need_vote_once_a_person"),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(fields=["activity", "status", "signed_up_at"], name="participation_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(fields=["user", "checked_in_at"], name="participation_user_idx"),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                fields=("activity", "user"), name="participation_once_a_person"
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(("checked_in_at__isnull", True), ("status", "signed_up"), _connector="OR"),
                name="participation_checked_in_signed_up",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rating__isnull", True),
                    models.Q(("checked_in_at__isnull", False), ("rating__gte", 1), ("rating__lte", 5)),
                    _connector="OR",
                ),
                name="participation_rating_1_to_5_checked_in",
            ),
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(fields=("org", "name"), name="team_name_once_an_org"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["org", "starts_at"], name="activity_org_starts_idx"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["status", "starts_at"], name="activity_status_starts_idx"),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="activity_ends_after"
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("capacity__gte", 1)), name="activity_capacity_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("hours__gte", 0)), name="activity_hours_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("signup_deadline__lte", models.F("ends_at"))),
                name="activity_deadline_before_end",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "cancelled"), _negated=True),
                    models.Q(("cancel_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="activity_cancel_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="teammembership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("left_on__isnull", True)),
                fields=("team", "user"),
                name="team_member_once_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="teammembership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("left_on__isnull", True), ("left_on__gte", models.F("joined_on")), _connector="OR"
                ),
                name="team_member_left_after_joined",
            ),
        ),
    ]
