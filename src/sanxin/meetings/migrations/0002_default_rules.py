"""The default rules of 三会一课 and 主题党日 (DOMAIN §5), in force from 2020-01-01; offices change them
with new effective-dated rules, never by editing these."""

import datetime as dt

from django.db import migrations

DEFAULTS = [
    # kind, period, min, audience, quorum, org_type, note
    ("general", "quarter", 1, "members", "voting_majority", "", "支部党员大会一般每季度召开一次"),
    ("committee", "month", 1, "committee", "invited_majority", "", "支部委员会一般每月召开一次"),
    ("group", "month", 1, "group", "none", "group", "党小组会一般每月召开一次"),
    ("lecture", "quarter", 1, "members", "none", "", "党课一般每季度一次，书记每年至少讲一次"),
    ("theme_day", "month", 1, "members", "none", "", "主题党日每月一次"),
    ("life_meeting", "year", 1, "members", "voting_majority", "", "组织生活会一般每年召开一次"),
    ("appraisal", "year", 1, "members", "voting_majority", "", "民主评议党员一般每年开展一次"),
]


def ensure(MeetingRule) -> None:
    """Create the default rules that have no open rule yet (idempotent)."""
    for kind, period, n, audience, quorum, org_type, note in DEFAULTS:
        MeetingRule.objects.get_or_create(
            kind=kind,
            org_type=org_type,
            end_on=None,
            defaults={
                "period": period,
                "min_count": n,
                "audience": audience,
                "quorum": quorum,
                "note": note,
                "start_on": dt.date(2020, 1, 1),
            },
        )


def forwards(apps, schema_editor):
    ensure(apps.get_model("meetings", "MeetingRule"))


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
