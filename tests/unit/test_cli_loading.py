"""A command line loads only the command modules it names: `oncall` starts faster."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from oncall.cli import build_parser, modules_for
from oncall.commands import COMMAND_MODULES, COMMANDS, CONSOLE_MODULE


def _registered(module: str) -> set[str]:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    importlib.import_module(module).register(subparsers)
    return set(subparsers.choices)


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_the_command_table_names_what_each_module_registers(module: str) -> None:
    assert _registered(module) == {name for name, owner in COMMANDS.items() if owner == module}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], [CONSOLE_MODULE]),
        (["--db", "/tmp/some.db"], [CONSOLE_MODULE]),
        (["--db", "seed"], [CONSOLE_MODULE]),
        (["--db", "seed", "rota"], [CONSOLE_MODULE, "oncall.commands.rota"]),
        (["--db=x.db", "ingest", "alerts.json"], [CONSOLE_MODULE, "oncall.commands.ingest"]),
        (["resources", "import", "staff"], [CONSOLE_MODULE, "oncall.commands.resources"]),
        (["--help"], COMMAND_MODULES),
        (["rota", "-h"], COMMAND_MODULES),
        (["frob"], COMMAND_MODULES),
    ],
)
def test_modules_for_a_command_line(argv: list[str], expected: list[str]) -> None:
    assert modules_for(argv) == expected


def test_a_command_after_a_db_value_that_names_one_still_parses() -> None:
    argv = ["--db", "seed", "ingest", "a.json"]
    args = build_parser(argv).parse_args(argv)
    assert args.command == "ingest" and str(args.db) == "seed"


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "first.db", "rota"],
        ["rota", "--db", "first.db"],
        ["--db", "first.db", "staff", "list"],
        ["staff", "list", "--db", "first.db"],
    ],
)
def test_db_given_before_or_after_the_command_is_the_one_used(argv: list[str]) -> None:
    from oncall.commands.common import settings_for

    args = build_parser(argv).parse_args(argv)
    assert settings_for(args).db_path.name == "first.db"


def test_without_db_the_default_database_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.commands.common import settings_for

    monkeypatch.setenv("ONCALL_DB", "/tmp/from-env.db")
    args = build_parser(["rota"]).parse_args(["rota"])
    assert str(settings_for(args).db_path) == "/tmp/from-env.db"


def test_a_mistyped_command_lists_every_choice(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser(["frob"]).parse_args(["frob"])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'frob'" in error
    for name in COMMANDS:
        assert repr(name) in error


def test_the_console_command_line_loads_no_other_command() -> None:
    code = (
        "import sys\n"
        "from oncall.cli import build_parser\n"
        "build_parser([]).parse_args([])\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('oncall.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.strip().split(","))
    others = [m for m in COMMAND_MODULES if m != CONSOLE_MODULE]
    assert CONSOLE_MODULE in loaded
    assert not loaded.intersection(others)
    assert "oncall.services.ingest" not in loaded and "oncall.services.metrics" not in loaded
