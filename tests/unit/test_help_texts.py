"""What `--help` and the console say to a user never names the design's workflow ids (W11)."""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterator
from pathlib import Path

from oncall.cli import build_parser

WORKFLOW_ID = re.compile(r"\bW\d{1,2}\b")
SOURCE = Path(__file__).resolve().parents[2] / "src" / "oncall"


def _help_texts(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) for the parser's description and every option's and command's help."""
    for text in (parser.description, parser.epilog, parser.usage):
        if text:
            yield path, text
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"{path} {choice.dest}", choice.help or ""
            for name, sub in action.choices.items():
                yield from _help_texts(sub, f"{path} {name}")


def test_no_help_text_of_any_command_names_a_workflow_id() -> None:
    leaks = [
        f"{where}: {text!r}"
        for where, text in _help_texts(build_parser(), "oncall")
        if WORKFLOW_ID.search(text)
    ]
    assert leaks == []


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (of modules, classes, functions, fields)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for before, statement in zip([None, *body], body, strict=False):
            is_text = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            first = before is None and isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            )
            after_field = isinstance(before, ast.Assign | ast.AnnAssign)
            if is_text and (first or after_field):
                assert isinstance(statement, ast.Expr)
                found.add(id(statement.value))
    return found


def test_no_string_a_user_can_see_names_a_workflow_id() -> None:
    """Every string literal in the package that is not a docstring: help, labels, messages."""
    leaks = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and WORKFLOW_ID.search(node.value)
            ):
                leaks.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {node.value!r}")
    assert leaks == []
