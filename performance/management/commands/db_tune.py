"""manage.py db_tune [--connections N] [--apply]: recommended PostgreSQL settings.

Prints one ``ALTER SYSTEM`` statement per setting, with the server's current
value beside it and a one-line reason. ``--apply`` runs them (superuser
only), reloads the configuration and names the settings that still need a
restart.
"""

from __future__ import annotations

import os

import psutil
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from performance.db.tuning import recommend

_CURRENT_SQL = """
SELECT name,
       CASE WHEN unit = '8kB' THEN pg_size_pretty(setting::bigint * 8192)
            WHEN unit = 'kB' THEN pg_size_pretty(setting::bigint * 1024)
            WHEN unit = 'MB' THEN pg_size_pretty(setting::bigint * 1024 * 1024)
            ELSE setting END,
       context
  FROM pg_settings WHERE name = ANY(%s)
"""


class Command(BaseCommand):
    help = "Recommend PostgreSQL settings for this machine (RAM, CPUs) and the expected connections."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--connections", type=int, default=None,
                            help="expected connections at most (default: the server's max_connections)")
        parser.add_argument("--ram-mb", type=int, default=None,
                            help="RAM of the database server (default: this machine's)")
        parser.add_argument("--cpus", type=int, default=None, help="CPUs of the database server")
        parser.add_argument("--hdd", action="store_true", help="spinning disks rather than SSD")
        parser.add_argument("--apply", action="store_true", help="run the statements (superuser only)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError(f"db_tune needs PostgreSQL; this database is {connection.vendor}.")
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            current_max = int(cursor.fetchone()[0])
        ram = options["ram_mb"] * 1024 * 1024 if options["ram_mb"] else psutil.virtual_memory().total
        cpus = options["cpus"] or psutil.cpu_count(logical=True) or os.cpu_count() or 1
        connections_wanted = options["connections"] or current_max
        try:
            recs = recommend(ram, cpus, connections_wanted, ssd=not options["hdd"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        with connection.cursor() as cursor:
            cursor.execute(_CURRENT_SQL, [[r.name for r in recs]])
            current = {name: (value, context) for name, value, context in cursor.fetchall()}

        storage = "HDD" if options["hdd"] else "SSD"
        self.stdout.write(f"-- machine: {ram / 2**30:.1f} GB RAM, {cpus} CPUs, "
                          f"{connections_wanted} connections, {storage}")
        for rec in recs:
            now, context = current.get(rec.name, ("?", ""))
            restart = "restart" if context == "postmaster" else "reload"
            self.stdout.write(f"ALTER SYSTEM SET {rec.name} = '{rec.value}';"
                              f"  -- now {now}; {restart}; {rec.reason}")
        self.stdout.write("SELECT pg_reload_conf();")
        if options["apply"]:
            self._apply(connection, recs)

    def _apply(self, connection, recs) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            user, is_super = cursor.fetchone()
        if not is_super:
            raise CommandError(
                f"--apply needs a PostgreSQL superuser; connected as {user!r}, which is not one. "
                "Nothing was changed: run the statements above as a superuser."
            )
        if connection.in_atomic_block:
            raise CommandError("--apply cannot run inside a transaction (ALTER SYSTEM refuses to).")
        with connection.cursor() as cursor:
            for rec in recs:
                # Names come from our list and values are numbers/sizes; still, quote them.
                cursor.execute(f"ALTER SYSTEM SET {connection.ops.quote_name(rec.name)} = %s", [rec.value])
            cursor.execute("SELECT pg_reload_conf()")
            cursor.execute("SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
            pending = [row[0] for row in cursor.fetchall()]
        self.stdout.write(self.style.SUCCESS(f"applied {len(recs)} settings and reloaded the configuration."))
        if pending:
            self.stdout.write(self.style.WARNING("restart PostgreSQL for: " + ", ".join(pending)))
        else:
            self.stdout.write("no restart needed.")
