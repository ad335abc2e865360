"""The Celery broker, seen from outside: is it up, how deep are its queues, how many tasks are taken.

Reads the broker URL and queue names from the current Celery app. Redis:
``LLEN`` of each queue, ``HLEN`` of kombu's ``unacked`` hash (tasks handed
to a worker and not yet acknowledged — with late acknowledgement, the ones
running). Filesystem (the embedded default): message files in the queue
folder. Other transports: a kombu connection for the ping, no depths.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit


def _app():
    from celery import current_app

    return current_app


def broker_url() -> str:
    url = _app().conf.broker_url
    if not url:
        from django.conf import settings

        url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    return url


def queue_names() -> list[str]:
    app = _app()
    names = set(app.amqp.queues.keys()) if app.amqp.queues else set()
    names.add(app.conf.task_default_queue or "celery")
    return sorted(names)


def _redis(url: str, timeout: float):
    import redis

    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def _folder() -> str:
    options = _app().conf.broker_transport_options or {}
    return options.get("data_folder_in", "")


def ping(timeout: float = 2.0) -> dict[str, Any]:
    """Raise when the broker cannot be reached; else its transport."""
    url = broker_url()
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss"}:
        client = _redis(url, timeout)
        try:
            client.ping()
        finally:
            client.close()
    elif scheme == "filesystem":
        folder = _folder()
        if not (folder and os.path.isdir(folder) and os.access(folder, os.W_OK)):
            raise FileNotFoundError("the broker's queue folder is missing or not writable")
    elif scheme != "memory":
        from kombu import Connection

        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    return {"transport": scheme}


def queue_figures(timeout: float = 2.0) -> dict[str, Any]:
    """``{"celery_queue.<name>": depth, ..., "celery_unacked": n}`` where the transport tells."""
    url = broker_url()
    scheme = urlsplit(url).scheme
    figures: dict[str, Any] = {}
    if scheme in {"redis", "rediss"}:
        client = _redis(url, timeout)
        try:
            pipe = client.pipeline(transaction=False)
            names = queue_names()
            for name in names:
                pipe.llen(name)
            pipe.hlen("unacked")
            counts = pipe.execute()
        finally:
            client.close()
        figures.update({f"celery_queue.{name}": n for name, n in zip(names, counts, strict=False)})
        figures["celery_unacked"] = counts[-1]
    elif scheme == "filesystem":
        folder = _folder()
        if folder and os.path.isdir(folder):
            messages = sum(1 for entry in os.scandir(folder) if entry.name.endswith(".msg"))
            figures["celery_queue.all"] = messages
    figures["celery_queued"] = sum(v for k, v in figures.items() if k.startswith("celery_queue."))
    return figures
