# The member credential (党员数字身份证): issued credentials and the public keys that signed them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_funds'),
        ('transfers', '0003_workflow'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CredentialKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kid', models.CharField(max_length=32, unique=True, verbose_name='密钥标识')),
                ('alg', models.CharField(max_length=16, verbose_name='算法')),
                ('public_key', models.BinaryField(verbose_name='公钥')),
                ('first_used_at', models.DateTimeField(auto_now_add=True, verbose_name='首次签发')),
            ],
            options={
                'verbose_name': '身份证签名公钥',
                'verbose_name_plural': '身份证签名公钥',
                'ordering': ['first_used_at'],
            },
        ),
        migrations.CreateModel(
            name='Credential',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cid', models.CharField(max_length=32, unique=True, verbose_name='证书编号')),
                ('token', models.TextField(verbose_name='编码')),
                ('org_name', models.CharField(max_length=200, verbose_name='组织名称')),
                ('org_code', models.CharField(max_length=40, verbose_name='组织代码')),
                ('status', models.CharField(max_length=8, verbose_name='党员类别')),
                ('issued_at', models.DateTimeField(verbose_name='签发时间')),
                ('expires_at', models.DateTimeField(verbose_name='有效期至')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='注销时间')),
                ('revocation', models.CharField(blank=True, choices=[('reissued', '已换发新证'), ('transfer_out', '组织关系已转出'), ('org_changed', '组织关系已调整'), ('membership_ended', '党员身份已终止'), ('lost', '遗失'), ('misuse', '冒用或不当使用'), ('other', '其他')], max_length=20, verbose_name='注销原因')),
                ('revocation_note', models.CharField(blank=True, max_length=200, verbose_name='注销说明')),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credentials', to='members.member')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('key', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credentials', to='transfers.credentialkey')),
            ],
            options={
                'verbose_name': '党员数字身份证',
                'verbose_name_plural': '党员数字身份证',
                'ordering': ['-issued_at', '-pk'],
                'indexes': [models.Index(fields=['member', '-issued_at'], name='credential_member_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('member',), name='credential_one_current_per_member', violation_error_message='该党员已有一张有效的数字身份证'), models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('issued_at'))), name='credential_expires_after_issue', violation_error_message='有效期须晚于签发时间'), models.CheckConstraint(condition=models.Q(models.Q(('revocation', ''), ('revoked_at__isnull', True)), models.Q(('revoked_at__isnull', False), models.Q(('revocation', ''), _negated=True)), _connector='OR'), name='credential_revocation_has_reason', violation_error_message='注销须注明原因')],
            },
        ),
    ]
