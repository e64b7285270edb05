"""What the engine tests need from the machine: a test that cannot have it fails where
``LIFETOOLS_REQUIRE_ENGINES`` is set (CI, through `make test`) and is skipped elsewhere."""

from __future__ import annotations

import os
import shutil

import pytest


def need_spark() -> None:
    """Fail (CI) or skip (elsewhere) unless pyspark and Java are installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("LIFETOOLS_REQUIRE_ENGINES"):
            pytest.fail("pyspark is not installed (requirements.lock)")
        pytest.skip("pyspark is not installed")
    if not shutil.which("java"):
        if os.environ.get("LIFETOOLS_REQUIRE_ENGINES"):
            pytest.fail("Java is not installed (apt-get install openjdk-17-jre-headless)")
        pytest.skip("Java is not installed")
