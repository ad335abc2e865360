"""The concrete session table, the activity log and the cleanup journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sessions_ext.base_session import AbstractOwnedSession


class Session(AbstractOwnedSession):
    """A session row with its owner, client and activity times.

    ``expire_date`` is indexed by Django's abstract base (expired-session cleanup).
    """

    class Meta(AbstractOwnedSession.Meta):
        db_table = "sessions_ext_session"
        verbose_name = "session"
        verbose_name_plural = "sessions"
        indexes = [
            # A user's sessions, most recent first (the sessions page, limits, revocation).
            models.Index(fields=["user", "-last_activity"], name="sx_session_user_activity_idx"),
            # Sessions active since a moment (dashboard analytics).
            models.Index(fields=["last_activity"], name="sx_session_activity_idx"),
        ]

    @classmethod
    def get_session_store_class(cls):
        from sessions_ext.backends.db import SessionStore

        return SessionStore


class Action(models.TextChoices):
    """The actions this app records itself; the project adds its own (``sessions_ext.actions``)."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SESSION_ENDED = "session_ended", "Session ended"


class UserActivity(models.Model):
    """One thing a user did (or tried), for audit and the activity page.

    ``organization_id`` is a plain integer: this app does not know the
    product's organisation model; SESSIONS_EXT_ORGANIZATION_RESOLVER fills it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )  # leading column of sx_activity_user_time_idx
    organization_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    timestamp = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "user activity"
        verbose_name_plural = "user activity"
        indexes = [
            # A user's activity, newest first.
            models.Index(fields=["user", "-timestamp"], name="sx_activity_user_time_idx"),
            # An organisation's activity in a time range (the activity page).
            models.Index(fields=["organization_id", "-timestamp"], name="sx_activity_org_time_idx"),
            # Rows past the retention period (the cleanup task).
            models.Index(fields=["timestamp"], name="sx_activity_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class CleanupRun(models.Model):
    """What one run of a cleanup task removed, per table."""

    job = models.CharField(max_length=60)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    removed = models.JSONField(default=dict, blank=True)  # {"app.Model": rows deleted}
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The latest runs of a job (admin list, "did it run?" checks).
            models.Index(fields=["job", "-started_at"], name="sx_cleanup_job_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total_removed(self) -> int:
        return sum(self.removed.values())
