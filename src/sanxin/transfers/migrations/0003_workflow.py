import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0002_ledger"),
        ("members", "0006_funds"),
        ("orgs", "0002_person_ethnicity_education_household"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Transfer",
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
                            ("out", "转出（平台内）"),
                            ("external", "转往平台外"),
                            ("mobile_out", "流出"),
                            ("mobile_in", "流入"),
                        ],
                        max_length=12,
                        verbose_name="类型",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("applied", "待转出组织审批"),
                            ("escalated", "待上级党组织审批"),
                            ("approved", "待接收"),
                            ("rejected", "未获批准"),
                            ("accepted", "已接收，待报到"),
                            ("returned", "已退回"),
                            ("reported", "已报到"),
                            ("cancelled", "已撤销"),
                            ("expired", "介绍信已过期"),
                        ],
                        default="applied",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                (
                    "to_name",
                    models.CharField(blank=True, max_length=200, verbose_name="接收组织名称（平台外）"),
                ),
                (
                    "to_code",
                    models.CharField(blank=True, max_length=40, verbose_name="接收组织代码（平台外）"),
                ),
                ("holder_since", models.DateField(verbose_name="办理起始日期")),
                ("reason", models.CharField(max_length=200, verbose_name="转接原因")),
                ("applied_on", models.DateField(verbose_name="申请日期")),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="办结日期")),
                (
                    "outcome_note",
                    models.CharField(blank=True, max_length=200, verbose_name="驳回/退回/撤销原因"),
                ),
                (
                    "approver",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_to_approve",
                        to="orgs.org",
                        verbose_name="上级审批组织",
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
                    "from_org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_out",
                        to="orgs.org",
                        verbose_name="转出组织",
                    ),
                ),
                (
                    "holder",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_held",
                        to="orgs.org",
                        verbose_name="当前办理组织",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers",
                        to="members.member",
                    ),
                ),
                (
                    "to_org",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_in",
                        to="orgs.org",
                        verbose_name="接收组织",
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
                "verbose_name": "组织关系转接",
                "verbose_name_plural": "组织关系转接",
                "ordering": ["-applied_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="TransferLetter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=40, unique=True, verbose_name="介绍信编号")),
                ("issued_on", models.DateField(verbose_name="开具日期")),
                ("valid_until", models.DateField(verbose_name="有效期至")),
                (
                    "issued_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="开具组织",
                    ),
                ),
                (
                    "transfer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="letter",
                        to="transfers.transfer",
                    ),
                ),
            ],
            options={
                "verbose_name": "组织关系介绍信",
                "verbose_name_plural": "组织关系介绍信",
            },
        ),
        migrations.CreateModel(
            name="TransferStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("action", models.CharField(max_length=20, verbose_name="事项")),
                ("label", models.CharField(max_length=40, verbose_name="事项名称")),
                ("on", models.DateField(verbose_name="日期")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="办理人",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="办理组织",
                    ),
                ),
                (
                    "transfer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="transfers.transfer",
                    ),
                ),
            ],
            options={
                "verbose_name": "转接步骤",
                "verbose_name_plural": "转接步骤",
                "ordering": ["transfer_id", "on", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(fields=["state", "holder", "holder_since"], name="transfer_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(fields=["member", "state"], name="transfer_member_idx"),
        ),
        migrations.AddConstraint(
            model_name="transfer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["applied", "escalated", "approved"])),
                fields=("member",),
                name="transfer_one_open_per_member",
                violation_error_message="该党员已有一项正在办理的组织关系转接",
            ),
        ),
        migrations.AddConstraint(
            model_name="transfer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("to_org__isnull", False), models.Q(("to_name", ""), _negated=True), _connector="OR"
                ),
                name="transfer_has_destination",
                violation_error_message="请选择接收组织或填写平台外接收组织名称",
            ),
        ),
        migrations.AddConstraint(
            model_name="transferletter",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_until__gt", models.F("issued_on"))),
                name="letter_valid_after_issue",
                violation_error_message="有效期应晚于开具日期",
            ),
        ),
    ]
