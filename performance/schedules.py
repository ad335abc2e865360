"""Beat schedules as django-celery-beat rows, for the app's data migrations.

``create(apps, schedules)`` makes each ``(name, task, every, period)`` with
``get_or_create`` by name, so an admin's later change of its interval or
``enabled`` survives; ``remove`` deletes them by name (the reverse step).
"""

from __future__ import annotations


def create(apps, schedules: list[tuple[str, str, int, str]]) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in schedules:
        interval = IntervalSchedule.objects.filter(every=every, period=period).order_by("pk").first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )


def remove(apps, schedules: list[tuple[str, str, int, str]]) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in schedules]).delete()
