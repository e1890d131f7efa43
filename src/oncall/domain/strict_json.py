"""A JSON decoder that notices what Python's `json` lets through silently (issue 16 item 8).

`json` keeps the last of two equal keys in one object (`{"severity": "low", ...,
"severity": "imminent"}` is read as imminent, and which one a sender meant is unknown),
and reads `NaN`, `Infinity` and `-Infinity`, which are not JSON and were stored as
non-standard JSON. This decoder reads them as `json` does, but notes the first such
problem, so that the caller can reject the record that held it instead of stopping.

One `StrictJson` per file or response: the note is per instance (not thread-safe).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from oncall.domain.alert_record import RecordError, shown


class NonFinite(float):
    """What `NaN`, `Infinity` or `-Infinity` is read as: marked, so a record holding it is found."""


class StrictJson:
    """A `json.JSONDecoder` whose scans note a duplicate key or a non-finite number."""

    def __init__(self) -> None:
        self.problem: RecordError | None = None
        """The first problem noted since the last `take()`."""
        self.decoder = json.JSONDecoder(
            object_pairs_hook=self._object, parse_constant=self._constant
        )
        """Decoder to use for `decode` / `raw_decode`."""
        self.scan: Callable[[str, int], tuple[object, int]] = vars(self.decoder)["scan_once"]
        """One JSON value from a position: `raw_decode` without its wrapping."""
        self._duplicated: dict[int, tuple[object, str]] = {}

    def loads(self, body: bytes | str) -> object:
        """A whole document, as `json.loads` reads it (encoding detected from the bytes)."""
        return json.loads(body, object_pairs_hook=self._object, parse_constant=self._constant)

    def take(self) -> RecordError | None:
        """The problem noted while reading the last value, and forget it."""
        problem, self.problem = self.problem, None
        return problem

    def checked(self, value: object) -> object:
        """`value`, or the `RecordError` for what was noted while reading it (then forgotten)."""
        noted = self.take()
        return value if noted is None else self.problem_in(value) or noted

    def problem_in(self, value: object, path: str = "") -> RecordError | None:
        """The first problem inside one value read by this decoder, naming its field."""
        if isinstance(value, NonFinite):
            name = str(value).replace("nan", "NaN").replace("inf", "Infinity")
            return _non_finite(name, path.rstrip("."))
        if isinstance(value, dict):
            found = self._duplicated.get(id(value))
            if found is not None and found[0] is value:
                return RecordError(f"{path}{found[1]}", _duplicate(found[1]))
            children = [(f"{path}{key}", child) for key, child in value.items()]
        elif isinstance(value, list):
            children = [(path.rstrip("."), child) for child in value]
        else:
            return None
        for where, child in children:
            problem = self.problem_in(child, f"{where}." if where else "")
            if problem is not None:
                return problem
        return None

    def _object(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        found = dict(pairs)
        if len(found) != len(pairs):
            seen: set[str] = set()
            key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            self._duplicated[id(found)] = (found, key)
            self.problem = self.problem or RecordError(key, _duplicate(key))
        return found

    def _constant(self, name: str) -> NonFinite:
        self.problem = self.problem or _non_finite(name, "")
        return NonFinite(name.replace("Infinity", "inf"))


def _duplicate(key: str) -> str:
    return (
        f"the key {shown(key)} appears more than once in one object, so which value was "
        "meant is unknown; the record was not read"
    )


def _non_finite(name: str, field: str) -> RecordError:
    where = f"{field}: " if field else ""
    return RecordError(field, f"{where}{name} is not a number JSON allows; the record was not read")
