import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_pipeline"),
        ("core", "0003_industry"),
        ("orgs", "0002_person_ethnicity_education_household"),
        ("registry", "0005_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FindingBatch",
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
                ("work_kind", models.CharField(max_length=16, verbose_name="默认新就业形态")),
                ("stats", models.JSONField(blank=True, default=dict, verbose_name="比对结果")),
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
                    "industry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.industry",
                        verbose_name="行业",
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.importjob",
                    ),
                ),
                (
                    "platform",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.organization",
                        verbose_name="平台企业",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.region",
                        verbose_name="所在区划",
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
                "verbose_name": "双找名单",
                "verbose_name_plural": "双找名单",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Finding",
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
                        choices=[("member", "找党员"), ("work", "找新就业")],
                        max_length=8,
                        verbose_name="类别",
                    ),
                ),
                ("elsewhere", models.BooleanField(default=False, verbose_name="组织关系在外地")),
                (
                    "listed_status",
                    models.CharField(blank=True, max_length=20, verbose_name="名单中的政治面貌"),
                ),
                ("work_kind", models.CharField(max_length=16, verbose_name="新就业形态")),
                ("work_area", models.CharField(blank=True, max_length=200, verbose_name="站点/区域")),
                ("matched_by", models.CharField(max_length=12, verbose_name="匹配方式")),
                ("reason", models.CharField(max_length=200, verbose_name="发现原因")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待核实"),
                            ("confirmed", "已核实并登记"),
                            ("rejected", "已否定"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="办结时间")),
                ("joined_on", models.DateField(blank=True, null=True, verbose_name="入党日期")),
                ("standing", models.CharField(blank=True, max_length=16, verbose_name="党员类别")),
                ("converted_on", models.DateField(blank=True, null=True, verbose_name="转正日期")),
                (
                    "branch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="登记到支部",
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
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.person",
                        verbose_name="人员",
                    ),
                ),
                (
                    "platform",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.organization",
                        verbose_name="平台企业",
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
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="findings",
                        to="members.findingbatch",
                    ),
                ),
            ],
            options={
                "verbose_name": "双找发现",
                "verbose_name_plural": "双找发现",
                "ordering": ["batch_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="FindingCheck",
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
                    "side",
                    models.CharField(
                        choices=[("office", "组织部门核实"), ("industry", "行业核实")],
                        max_length=10,
                        verbose_name="核实方",
                    ),
                ),
                ("confirmed", models.BooleanField(verbose_name="核实属实")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                (
                    "checked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="核实人",
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
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checks",
                        to="members.finding",
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
                "verbose_name": "双核记录",
                "verbose_name_plural": "双核记录",
                "ordering": ["finding_id", "created_at"],
            },
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["person", "kind", "platform"], name="finding_person_kind_idx"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["batch", "kind", "status"], name="finding_batch_idx"),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(
                fields=("batch", "person", "kind"), name="finding_once_per_batch"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingcheck",
            constraint=models.UniqueConstraint(
                fields=("finding", "side"), name="finding_check_once_per_side"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingcheck",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("confirmed", True), models.Q(("reason", ""), _negated=True), _connector="OR"
                ),
                name="finding_check_reject_has_reason",
                violation_error_message="否定时请填写理由",
            ),
        ),
    ]
