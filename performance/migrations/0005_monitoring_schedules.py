"""Schedule the monitoring beat tasks (django-celery-beat rows, editable in the admin)."""

from django.db import migrations

SCHEDULES = [
    # (name, task, every, period)
    ("performance: merge span samples into rollups", "performance.rollup_spans", 1, "minutes"),
    ("performance: detect bottlenecks", "performance.detect_bottlenecks", 5, "minutes"),
    ("performance: trim monitoring data", "performance.trim_monitoring", 1, "hours"),
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
        ("performance", "0004_monitoring"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
