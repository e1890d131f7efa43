"""The `oncall` entry point (pyproject's [project.scripts]); the work is in oncall.commands."""

from __future__ import annotations

import sys

from oncall.commands.app_factory import make_app
from oncall.commands.dispatch import build_parser, main, modules_for

__all__ = ["build_parser", "main", "make_app", "modules_for"]

if __name__ == "__main__":
    sys.exit(main())
