"""Schedule the database layer's beat tasks (django-celery-beat rows, editable in the admin)."""

from django.db import migrations

SCHEDULES = [
    # (name, task, every, period)
    ("performance: pg_stat_statements snapshot", "performance.pg_stat_snapshot", 5, "minutes"),
    ("performance: index audit", "performance.index_audit", 24, "hours"),
    ("performance: flush worker query statistics", "performance.flush_query_stats", 1, "minutes"),
]


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in SCHEDULES:
        interval = IntervalSchedule.objects.filter(every=every, period=period).order_by("pk").first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        # get_or_create by name: an admin's later change of interval or enabled is kept.
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0002_querystatdelta_drop_redundant_fk_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
