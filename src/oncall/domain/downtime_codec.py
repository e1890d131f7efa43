"""Frozen dataclasses to plain JSON values and back, checked against their type hints.

A downtime pack is read on a machine with no database, from a file that may have been
damaged or come from elsewhere: every value is checked against the field's declared
type as it is decoded, and anything that does not fit raises PackFormatError naming
the field, never a TypeError from deep inside a screen.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from oncall.domain.timefmt import from_iso, to_iso

T = TypeVar("T")


class PackFormatError(ValueError):
    """The decrypted pack does not hold what a pack holds (named by its path)."""


def encode(value: Any) -> Any:
    """A dataclass (or list, dict, datetime, enum) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(cls: type[T], data: Any, where: str = "pack") -> T:
    """Build `cls` from what `encode` gave, checking every field's type."""
    value: T = _decode(cls, data, where)
    return value


def _decode(hint: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, data, where)
            except PackFormatError as error:
                errors.append(error)
        raise errors[0] if errors else PackFormatError(f"{where} is missing")
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(data, list):
            raise PackFormatError(f"{where} is not a list")
        return [_decode(item, v, f"{where}[{i}]") for i, v in enumerate(data)]
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(data, list):
            raise PackFormatError(f"{where} is not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise PackFormatError(f"{where} has {len(data)} parts, not {len(args)}")
        return tuple(
            _decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data, strict=True))
        )
    if origin is dict:
        key_type, item = typing.get_args(hint)
        if not isinstance(data, dict):
            raise PackFormatError(f"{where} is not a mapping")
        if key_type is Any or item is Any:
            return dict(data)
        return {_key(key_type, k, where): _decode(item, v, f"{where}.{k}") for k, v in data.items()}
    if hint is Any:
        return data
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint, data, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError:
            raise PackFormatError(f"{where} holds an unknown value") from None
    if hint is datetime or hint is date:
        if not isinstance(data, str):
            raise PackFormatError(f"{where} is not a time")
        try:
            return from_iso(data) if hint is datetime else date.fromisoformat(data)
        except ValueError:
            raise PackFormatError(f"{where} is not a time") from None
    if hint is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if hint in (str, int, bool) and type(data) is hint:
        return data
    raise PackFormatError(f"{where} is not a {getattr(hint, '__name__', hint)}")


def _key(key_type: Any, key: str, where: str) -> Any:
    if key_type is int:
        try:
            return int(key)
        except ValueError:
            raise PackFormatError(f"{where} has a key that is not a number") from None
    return key


def _dataclass(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise PackFormatError(f"{where} is not a record")
    hints = _hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in data:
            values[field.name] = _decode(
                hints[field.name], data[field.name], f"{where}.{field.name}"
            )
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise PackFormatError(f"{where}.{field.name} is missing")
    return cls(**values)
