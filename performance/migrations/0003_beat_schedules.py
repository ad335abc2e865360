"""Schedule the database layer's beat tasks (django-celery-beat rows, editable in the admin)."""

from django.db import migrations

from performance import schedules

SCHEDULES = [
    # (name, task, every, period)
    ("performance: pg_stat_statements snapshot", "performance.pg_stat_snapshot", 5, "minutes"),
    ("performance: index audit", "performance.index_audit", 24, "hours"),
    ("performance: flush worker query statistics", "performance.flush_query_stats", 1, "minutes"),
]


def create_schedules(apps, schema_editor):
    schedules.create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    schedules.remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0002_querystatdelta_drop_redundant_fk_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
