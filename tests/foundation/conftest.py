import os
import runpy

import pytest

from tests.foundation.support import SETTINGS_FILE, SETTINGS_VARIABLES_PREFIXES


@pytest.fixture
def load_settings(tmp_path, monkeypatch):
    """Evaluate settings.py afresh under a given environment; returns its globals."""

    def load(**variables: str) -> dict:
        for key in list(os.environ):
            if key.startswith(SETTINGS_VARIABLES_PREFIXES):
                monkeypatch.delenv(key)
        monkeypatch.setenv("DG_VAR_DIR", str(tmp_path / "var"))
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load
