# Community: 党务公开, 协商议事, 党员示范岗 and 责任区.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_awards"),
        ("core", "0003_industry"),
        ("orgs", "0003_person_name_index"),
        ("registry", "0006_organization_normalized_name_unindexed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AffairsNotice",
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
                            ("notice", "通知"),
                            ("decision", "决议决定"),
                            ("dues", "党费收缴公开"),
                            ("development", "发展党员公示"),
                            ("selection", "评选结果"),
                            ("other", "其他"),
                        ],
                        max_length=12,
                        verbose_name="类别",
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="标题")),
                ("body", models.TextField(verbose_name="正文")),
                (
                    "published_on",
                    models.DateField(default=django.utils.timezone.localdate, verbose_name="发布日期"),
                ),
                ("expires_on", models.DateField(blank=True, null=True, verbose_name="有效期至")),
                ("pinned", models.BooleanField(default=False, verbose_name="置顶")),
                ("withdrawn", models.BooleanField(default=False, verbose_name="已撤回")),
                ("withdrawn_reason", models.CharField(blank=True, max_length=300, verbose_name="撤回原因")),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="撤回时间")),
                (
                    "attachments",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="core.storedfile", verbose_name="附件"
                    ),
                ),
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
                        verbose_name="发布组织",
                    ),
                ),
                (
                    "public_notice",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.publicnotice",
                        verbose_name="公示",
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
                "verbose_name": "党务公开",
                "verbose_name_plural": "党务公开",
            },
        ),
        migrations.CreateModel(
            name="Consultation",
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
                ("topic", models.CharField(max_length=100, verbose_name="议题")),
                ("background", models.TextField(verbose_name="背景")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "拟协商"),
                            ("consulting", "协商中"),
                            ("agreed", "达成一致"),
                            ("not_agreed", "未达成一致"),
                            ("following", "跟踪落实"),
                            ("closed", "已办结"),
                        ],
                        default="proposed",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("outcome", models.TextField(blank=True, verbose_name="协商结果")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="形成结果时间")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="办结时间")),
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
                    "enterprise",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.organization",
                        verbose_name="涉及企业",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="发起党组织",
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
                "verbose_name": "协商议事",
                "verbose_name_plural": "协商议事",
            },
        ),
        migrations.CreateModel(
            name="ConsultationParty",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("enterprise", "企业方"),
                            ("workers", "劳动者代表"),
                            ("union", "工会"),
                            ("party", "党组织"),
                            ("other", "其他"),
                        ],
                        max_length=12,
                        verbose_name="身份",
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="名称或姓名")),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parties",
                        to="community.consultation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "协商参与方",
                "verbose_name_plural": "协商参与方",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="ConsultationMeeting",
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
                ("held_at", models.DateTimeField(verbose_name="时间")),
                (
                    "mode",
                    models.CharField(
                        choices=[("online", "线上（云议事）"), ("offline", "线下")],
                        max_length=8,
                        verbose_name="方式",
                    ),
                ),
                ("link", models.URLField(blank=True, verbose_name="会议链接")),
                ("place", models.CharField(blank=True, max_length=120, verbose_name="地点")),
                ("minutes", models.TextField(blank=True, verbose_name="会议纪要")),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="community.consultation",
                    ),
                ),
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
                    "attended",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="community.consultationparty", verbose_name="出席方"
                    ),
                ),
            ],
            options={
                "verbose_name": "协商会议",
                "verbose_name_plural": "协商会议",
                "ordering": ["held_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Designation",
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
                        choices=[("post", "党员示范岗"), ("area", "党员责任区")],
                        max_length=6,
                        verbose_name="类别",
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="名称")),
                ("place", models.CharField(max_length=200, verbose_name="地点或区域")),
                ("stands_for", models.CharField(blank=True, max_length=300, verbose_name="承诺与职责")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="撤销日期")),
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
                        verbose_name="设岗组织",
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
                "verbose_name": "示范岗与责任区",
                "verbose_name_plural": "示范岗与责任区",
            },
        ),
        migrations.CreateModel(
            name="Deed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("done_on", models.DateField(verbose_name="日期")),
                ("text", models.TextField(verbose_name="履职内容")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.person",
                        verbose_name="党员",
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
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "designation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deeds",
                        to="community.designation",
                    ),
                ),
            ],
            options={
                "verbose_name": "履职记录",
                "verbose_name_plural": "履职记录",
                "ordering": ["-done_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="FollowUp",
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
                ("what", models.CharField(max_length=200, verbose_name="事项")),
                ("who", models.CharField(max_length=60, verbose_name="责任方")),
                ("due_on", models.DateField(verbose_name="完成期限")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="完成情况")),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="followups",
                        to="community.consultation",
                    ),
                ),
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
                "verbose_name": "跟踪落实事项",
                "verbose_name_plural": "跟踪落实事项",
                "ordering": ["due_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Holding",
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
                ("start_on", models.DateField(verbose_name="起")),
                ("end_on", models.DateField(blank=True, null=True, verbose_name="止")),
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
                    "designation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holdings",
                        to="community.designation",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.person",
                        verbose_name="党员",
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
                "verbose_name": "上岗记录",
                "verbose_name_plural": "上岗记录",
                "ordering": ["start_on", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="NoticeRead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("read_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reads",
                        to="community.affairsnotice",
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
            options={
                "verbose_name": "阅读回执",
                "verbose_name_plural": "阅读回执",
            },
        ),
        migrations.CreateModel(
            name="Opinion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(verbose_name="意见")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opinions",
                        to="community.consultation",
                    ),
                ),
            ],
            options={
                "verbose_name": "职工意见",
                "verbose_name_plural": "职工意见",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="affairsnotice",
            index=models.Index(fields=["org", "-pinned", "-published_on"], name="affairs_notice_board_idx"),
        ),
        migrations.AddConstraint(
            model_name="affairsnotice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("withdrawn", False), models.Q(("withdrawn_reason", ""), _negated=True), _connector="OR"
                ),
                name="affairs_notice_withdraw_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="affairsnotice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("expires_on__isnull", True),
                    ("expires_on__gte", models.F("published_on")),
                    _connector="OR",
                ),
                name="affairs_notice_expiry_after_publish",
            ),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(fields=["org", "status", "-created_at"], name="affairs_consult_org_idx"),
        ),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["proposed", "consulting"]),
                    models.Q(("outcome", ""), _negated=True),
                    _connector="OR",
                ),
                name="affairs_consult_outcome_when_decided",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationparty",
            constraint=models.UniqueConstraint(
                fields=("consultation", "name"), name="affairs_party_name_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationmeeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("mode", "online"), models.Q(("link", ""), _negated=True)),
                    models.Q(("mode", "offline"), models.Q(("place", ""), _negated=True)),
                    _connector="OR",
                ),
                name="affairs_meeting_link_or_place",
            ),
        ),
        migrations.AddIndex(
            model_name="designation",
            index=models.Index(fields=["org", "kind"], name="affairs_designation_org_idx"),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True)),
                fields=("org", "kind", "name"),
                name="affairs_designation_once",
            ),
        ),
        migrations.AddIndex(
            model_name="deed",
            index=models.Index(fields=["designation", "-done_on"], name="affairs_deed_idx"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["done_on", "due_on"], name="affairs_followup_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("done_on__isnull", True), models.Q(("note", ""), _negated=True), _connector="OR"
                ),
                name="affairs_followup_done_with_note",
            ),
        ),
        migrations.AddIndex(
            model_name="holding",
            index=models.Index(fields=["person", "end_on"], name="affairs_holding_person_idx"),
        ),
        migrations.AddConstraint(
            model_name="holding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_on__isnull", True), ("end_on__gt", models.F("start_on")), _connector="OR"
                ),
                name="community_holding_positive_period",
                violation_error_message="结束日期应晚于开始日期",
            ),
        ),
        migrations.AddConstraint(
            model_name="holding",
            constraint=models.UniqueConstraint(
                condition=models.Q(("end_on__isnull", True)),
                fields=("designation",),
                name="affairs_one_open_holding",
            ),
        ),
        migrations.AddIndex(
            model_name="noticeread",
            index=models.Index(fields=["user", "notice"], name="affairs_read_user_idx"),
        ),
        migrations.AddConstraint(
            model_name="noticeread",
            constraint=models.UniqueConstraint(fields=("notice", "user"), name="affairs_read_once"),
        ),
    ]
