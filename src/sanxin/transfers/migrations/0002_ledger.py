import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial"), ("members", "0006_funds")]

    operations = [
        migrations.CreateModel(
            name='LedgerHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('size', models.BigIntegerField(unique=True, verbose_name='树大小')),
                ('root', models.BinaryField(max_length=32, verbose_name='根哈希')),
                ('timestamp', models.BigIntegerField(verbose_name='签名时间（毫秒）')),
                ('key_id', models.CharField(max_length=40, verbose_name='密钥编号')),
                ('signature', models.BinaryField(max_length=64, verbose_name='签名')),
            ],
            options={
                'verbose_name': '签名树头',
                'verbose_name_plural': '签名树头',
                'ordering': ['size'],
            },
        ),
        migrations.CreateModel(
            name='LedgerLeaf',
            fields=[
                ('index', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='序号')),
                ('commitment', models.BinaryField(max_length=32, verbose_name='承诺值')),
                ('kind', models.CharField(max_length=40, verbose_name='事件类型')),
                ('created_at', models.DateTimeField(verbose_name='记入时间')),
            ],
            options={
                'verbose_name': '账本叶子',
                'verbose_name_plural': '账本叶子',
                'ordering': ['index'],
            },
        ),
        migrations.CreateModel(
            name='LedgerNode',
            fields=[
                ('key', models.BigIntegerField(primary_key=True, serialize=False)),
                ('hash', models.BinaryField(max_length=32)),
            ],
            options={
                'verbose_name': '账本节点',
                'verbose_name_plural': '账本节点',
            },
        ),
        migrations.CreateModel(
            name='LedgerState',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('size', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': '账本状态',
                'verbose_name_plural': '账本状态',
            },
        ),
        migrations.CreateModel(
            name='LedgerOpening',
            fields=[
                ('leaf', models.OneToOneField(db_column='index', on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='opening', serialize=False, to='transfers.ledgerleaf')),
                ('version', models.PositiveSmallIntegerField(default=1, verbose_name='编码版本')),
                ('salt', models.BinaryField(max_length=32, null=True, verbose_name='盐')),
                ('event', models.TextField(null=True, verbose_name='事件（规范化 JSON）')),
                ('shredded_at', models.DateTimeField(blank=True, null=True, verbose_name='销毁时间')),
                ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.member')),
            ],
            options={
                'verbose_name': '账本承诺的打开值',
                'verbose_name_plural': '账本承诺的打开值',
                'indexes': [models.Index(fields=['member', 'leaf'], name='ledger_opening_member_idx')],
            },
        ),
    ]
