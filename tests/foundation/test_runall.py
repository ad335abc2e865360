"""`make run` (manage.py runall) serves web, worker, beat and the host's system monitor."""

from dataguardian.management.commands.runall import _commands


def test_runall_starts_the_system_monitor_with_the_rest():
    commands = _commands("127.0.0.1:8000")
    assert set(commands) == {"web", "worker", "beat", "monitor"}
    assert commands["monitor"][-2:] == [commands["web"][1], "monitor"]  # python manage.py monitor
