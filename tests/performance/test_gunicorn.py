"""gunicorn's hooks of performance: the metrics folder emptied when the master starts."""

from performance import gunicorn


def test_starting_empties_the_configured_metrics_folder(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    (tmp_path / "counter_1234.db").write_bytes(b"from an earlier run")
    settings.PERFORMANCE_METRICS_DIR = str(tmp_path)
    gunicorn.on_starting(server=None)
    assert tmp_path.is_dir() and not list(tmp_path.iterdir())

