"""The abstract owned session, for projects that want their own concrete model.

It adds to Django's ``AbstractBaseSession`` what the session store records
about its owner and client. A subclass names its table and indexes; the
stores find it through ``SessionStore.get_model_class()``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class OwnedSessionManager(BaseSessionManager):
    def active(self):
        """Sessions that have not expired."""
        return self.filter(expire_date__gt=timezone.now())

    def for_user(self, user):
        """A user's unexpired sessions, most recently used first."""
        return self.active().filter(user=user).order_by("-last_activity")


class AbstractOwnedSession(AbstractBaseSession):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", db_index=False,
    )  # leading column of the (user, last_activity) index in concrete models
    created_at = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    objects = OwnedSessionManager()

    class Meta:
        abstract = True

    @property
    def public_id(self) -> str:
        """A stable, non-secret name for this session, safe to put in a page.

        The session key is a bearer secret and never leaves the server;
        forms and URLs refer to sessions by this keyed digest of it.
        """
        return salted_hmac("sessions_ext.public_id", self.session_key).hexdigest()[:20]

    @classmethod
    def get_session_store_class(cls):
        raise NotImplementedError
