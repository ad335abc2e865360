"""Beat schedules for the cleanup tasks, created once; admins may change them."""

from django.db import migrations

# name: (task, cron minute, cron hour)
SCHEDULES = {
    "sessions_ext: clear expired sessions": ("sessions_ext.clear_expired_sessions", "7", "*"),
    "sessions_ext: clear old activity": ("sessions_ext.clear_old_activity", "17", "3"),
    "sessions_ext: clear old rows": ("sessions_ext.clear_old_rows", "37", "3"),
}


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour) in SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="UTC",
        )
        # get_or_create: an admin's later edits to an existing schedule are kept.
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_ext", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
