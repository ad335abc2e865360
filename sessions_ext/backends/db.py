"""Database sessions that record their owner, client and last activity.

Same contract as ``django.contrib.sessions.backends.db``; what it adds:

* the row carries ``user``, ``created_at``, ``last_activity``, ``ip_address``
  and ``user_agent`` (the client is bound by ``sessions_ext.middleware``);
* an unchanged session is written again only when its recorded activity is
  older than SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL (``refresh_activity()``),
  so read-only requests do not write;
* updates never touch ``created_at``, and a store with no client bound
  (a script, a revocation) leaves the recorded client alone.
"""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import DatabaseError, IntegrityError, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from sessions_ext import conf
from sessions_ext.client import client_ip, user_agent

# Keys this store keeps inside the session data (Django's auth does the same).
ACTIVITY_KEY = "_sx_activity"  # epoch seconds of the last write
ROTATE_KEY = "_sx_rotate"  # set by privilege_changed(): cycle the key on next use


class SessionStore(DBStore):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self.client_ip: str | None = None
        self.user_agent: str | None = None

    @classmethod
    def get_model_class(cls):
        # Not imported at module level: the app registry may not be ready yet.
        from sessions_ext.models import Session

        return Session

    def bind_client(self, request: HttpRequest) -> None:
        """Remember the request's client, recorded on the next write."""
        self.client_ip = client_ip(request)
        self.user_agent = user_agent(request)

    def owner_id(self, data: dict):
        raw = data.get(SESSION_KEY)
        if raw is None:
            return None
        return get_user_model()._meta.pk.to_python(raw)

    def create_model_instance(self, data: dict):
        obj = super().create_model_instance(data)
        obj.user_id = self.owner_id(data)
        obj.last_activity = timezone.now()
        obj.ip_address = self.client_ip
        obj.user_agent = self.user_agent or ""
        return obj

    def update_fields(self) -> list[str]:
        """Columns an update writes: never created_at; the client only when known."""
        fields = ["session_data", "expire_date", "user"]
        if self.user_agent is not None:
            fields += ["last_activity", "ip_address", "user_agent"]
        return fields

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        if self.user_agent is not None:
            data[ACTIVITY_KEY] = int(time.time())
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        try:
            with transaction.atomic(using=using):
                if must_create:
                    obj.save(force_insert=True, using=using)
                else:
                    obj.save(force_update=True, update_fields=self.update_fields(), using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)

    def refresh_activity(self) -> bool:
        """Before the response: mark the session for saving if it must be.

        True when it will be written: its key is due to rotate, or its
        recorded activity is older than the write interval. Sessions the
        request never read are left alone (reading them would cost a lookup).
        """
        if not self.accessed or self.session_key is None or not self._session:
            return False
        if self.get(ROTATE_KEY):
            del self[ROTATE_KEY]
            self.cycle_key()
            return True
        interval = conf.get("SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL")
        if time.time() - self.get(ACTIVITY_KEY, 0) >= interval:
            self.modified = True
        return self.modified
