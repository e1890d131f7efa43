"""The core imports without Textual: domain, store, services, scheduler, feeds."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["oncall.domain", "oncall.store", "oncall.services", "oncall.scheduler", "oncall.feeds"]


@pytest.mark.parametrize("package", CORE)
def test_core_package_imports_without_textual(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{package} pulled in Textual: {result.stdout}"
