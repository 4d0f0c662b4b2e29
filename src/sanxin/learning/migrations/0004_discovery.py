# Learning: recommendations and full-text search.
import django.db.models.deletion
from django.db import migrations, models

# The full-text index of ``SearchDoc`` (pre-tokenised by jieba, tokens separated by spaces), the
# database's own: an external-content FTS5 table kept by triggers on SQLite; a GIN index on the
# weighted tsvector expression that ``discovery.search`` queries on PostgreSQL.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE learning_searchdoc_fts USING fts5("
    "title, body, content='learning_searchdoc', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER learning_searchdoc_ai AFTER INSERT ON learning_searchdoc BEGIN "
    "INSERT INTO learning_searchdoc_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER learning_searchdoc_ad AFTER DELETE ON learning_searchdoc BEGIN "
    "INSERT INTO learning_searchdoc_fts(learning_searchdoc_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER learning_searchdoc_au AFTER UPDATE ON learning_searchdoc BEGIN "
    "INSERT INTO learning_searchdoc_fts(learning_searchdoc_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO learning_searchdoc_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS learning_searchdoc_au",
    "DROP TRIGGER IF EXISTS learning_searchdoc_ad",
    "DROP TRIGGER IF EXISTS learning_searchdoc_ai",
    "DROP TABLE IF EXISTS learning_searchdoc_fts",
]
POSTGRES_UP = [
    "CREATE INDEX learning_searchdoc_fts_idx ON learning_searchdoc USING gin ("
    "(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B')))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS learning_searchdoc_fts_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0003_training"),
        ("members", "0007_member_status"),
    ]

    operations = [
        migrations.CreateModel(
            name='LessonSignal',
            fields=[
                ('lesson', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='learning.lesson')),
                ('completions', models.PositiveIntegerField(default=0)),
                ('recent', models.PositiveIntegerField(default=0)),
                ('by_kind', models.JSONField(default=dict)),
                ('neighbours', models.JSONField(default=list)),
                ('computed_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': '课时推荐信号',
                'verbose_name_plural': '课时推荐信号',
            },
        ),
        migrations.CreateModel(
            name='Preference',
            fields=[
                ('member', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='members.member')),
                ('personalised', models.BooleanField(default=True, verbose_name='个性化推荐')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': '推荐偏好',
                'verbose_name_plural': '推荐偏好',
            },
        ),
        migrations.CreateModel(
            name='SignalRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('computed_at', models.DateTimeField(db_index=True)),
                ('members', models.PositiveIntegerField(default=0)),
                ('lessons', models.PositiveIntegerField(default=0)),
                ('completions', models.PositiveIntegerField(default=0)),
                ('kind_members', models.JSONField(default=dict)),
                ('seconds', models.FloatField(default=0)),
            ],
            options={
                'verbose_name': '推荐信号计算',
                'verbose_name_plural': '推荐信号计算',
                'ordering': ['-computed_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SearchDoc',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=24, unique=True)),
                ('title', models.TextField(verbose_name='标题分词')),
                ('body', models.TextField(blank=True, verbose_name='正文分词')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='learning.course')),
                ('lesson', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='learning.lesson')),
            ],
            options={
                'verbose_name': '检索条目',
                'verbose_name_plural': '检索条目',
                'indexes': [models.Index(fields=['course'], name='searchdoc_course_idx')],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
