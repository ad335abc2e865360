"""Schedule the monitoring beat tasks (django-celery-beat rows, editable in the admin)."""

from django.db import migrations

from performance import schedules

SCHEDULES = [
    # (name, task, every, period)
    ("performance: merge span samples into rollups", "performance.rollup_spans", 1, "minutes"),
    ("performance: detect bottlenecks", "performance.detect_bottlenecks", 5, "minutes"),
    ("performance: trim monitoring data", "performance.trim_monitoring", 1, "hours"),
]


def create_schedules(apps, schema_editor):
    schedules.create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    schedules.remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0004_monitoring"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
