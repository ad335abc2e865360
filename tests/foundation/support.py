"""Helpers for the foundation tests: run settings or manage.py under a chosen environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "dataguardian" / "settings.py"
# Variables that would leak from the developer's or CI's shell into a test of defaults.
SETTINGS_VARIABLES_PREFIXES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DB_",
                               "DG_", "CELERY_", "SECURE_", "USE_X_FORWARDED_PROTO", "REDIS_", "EMAIL_URL",
                               "PERFORMANCE_", "PROMETHEUS_")

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "Zq8#2vLm!pW4xR9tY7uI0oP3aS6dF1gH5jK",
    "DG_FINDING_HASH_KEY": "a-finding-hash-key-for-tests",
    "ALLOWED_HOSTS": "dataguardian.example.com",
}


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES_PREFIXES)}
    env["DG_VAR_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    return env



def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean_env(tmp_path, **env), capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
