"""党组织经费: the funds ledger. Its rows are append-only: PostgreSQL refuses UPDATE and DELETE by
trigger (TRUNCATE, which needs the table owner, stays possible for the test runner's flush); SQLite
refuses UPDATE (its flush deletes rows), as for the audit log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PG_UP = """
CREATE OR REPLACE FUNCTION members_fundentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'members_fundentry is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS members_fundentry_append_only ON members_fundentry;
CREATE TRIGGER members_fundentry_append_only BEFORE UPDATE OR DELETE ON members_fundentry
  FOR EACH ROW EXECUTE FUNCTION members_fundentry_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS members_fundentry_append_only ON members_fundentry;
DROP FUNCTION IF EXISTS members_fundentry_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS members_fundentry_no_update BEFORE UPDATE ON members_fundentry
BEGIN SELECT RAISE(ABORT, 'members_fundentry is append-only (UPDATE refused)'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS members_fundentry_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_industry"),
        ("members", "0005_findings"),
        ("orgs", "0002_person_ethnicity_education_household"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FundEntry",
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
                            ("dues_return", "党费返还/下拨"),
                            ("allocation_in", "党建工作经费"),
                            ("other_income", "其他收入"),
                            ("spending", "支出"),
                            ("allocation_out", "下拨下级经费"),
                        ],
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("activity", "活动"),
                            ("study", "学习资料"),
                            ("care", "慰问"),
                            ("position", "阵地建设"),
                            ("other", "其他"),
                        ],
                        max_length=10,
                        verbose_name="支出用途",
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="金额（元）")),
                ("occurred_on", models.DateField(verbose_name="日期")),
                ("counterpart", models.CharField(blank=True, max_length=100, verbose_name="对方单位/个人")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="摘要")),
                ("period_from", models.DateField(blank=True, null=True, verbose_name="党费所属期起")),
                ("period_to", models.DateField(blank=True, null=True, verbose_name="党费所属期止")),
                ("transfer", models.UUIDField(blank=True, db_index=True, null=True, verbose_name="下拨批次")),
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
                        related_name="fund_entries",
                        to="orgs.org",
                        verbose_name="党组织",
                    ),
                ),
                (
                    "receipt",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.storedfile",
                        verbose_name="凭证",
                    ),
                ),
                (
                    "reverses",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversal",
                        to="members.fundentry",
                        verbose_name="冲销的记录",
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
                "verbose_name": "经费收支",
                "verbose_name_plural": "经费收支",
                "ordering": ["org_id", "occurred_on", "pk"],
                "indexes": [models.Index(fields=["org", "occurred_on"], name="fund_org_date_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("reverses__isnull", True),
                                models.Q(
                                    models.Q(
                                        ("kind__in", ["dues_return", "allocation_in", "other_income"]),
                                        ("amount__gt", 0),
                                    ),
                                    models.Q(("kind__in", ["spending", "allocation_out"]), ("amount__lt", 0)),
                                    _connector="OR",
                                ),
                            ),
                            models.Q(
                                models.Q(("reverses__isnull", True), _negated=True),
                                models.Q(
                                    models.Q(
                                        ("kind__in", ["dues_return", "allocation_in", "other_income"]),
                                        ("amount__lt", 0),
                                    ),
                                    models.Q(("kind__in", ["spending", "allocation_out"]), ("amount__gt", 0)),
                                    _connector="OR",
                                ),
                            ),
                            _connector="OR",
                        ),
                        name="fund_sign_follows_kind",
                        violation_error_message="金额的正负与收支类别不符",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "spending"), _negated=True),
                            models.Q(("reverses__isnull", True), _negated=True),
                            models.Q(("receipt__isnull", False), models.Q(("category", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="fund_spending_has_receipt",
                        violation_error_message="支出须有用途和凭证",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("period_from__isnull", True),
                            ("period_to__gte", models.F("period_from")),
                            _connector="OR",
                        ),
                        name="fund_period_in_order",
                        violation_error_message="所属期止不能早于所属期起",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
