"""Reading HSDS 3.0 files for import: dereferenced JSON, a /services page, a tabular package.

Every form yields (label, record or error) pairs for `import_resource_records` and
collects the problems with the file itself (a cut-off array, a CSV row with the wrong
number of cells, a table the package names but does not have) as messages, keeping
everything that could still be read. A file that cannot be read as HSDS at all
raises `ResourceFileError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from oncall.domain.record_stream import RawRecord, read_alert_records
from oncall.domain.resource_record import (
    ResourceError,
    ResourceRecord,
    parse_hsds_service,
    records_from_services_page,
)
from oncall.services.resource_package import ResourceFileError, read_package

__all__ = ["Item", "ResourceFile", "ResourceFileError", "read_resource_json", "read_resource_path"]

Item = tuple[str, ResourceRecord | ResourceError]
_CONTENTS = re.compile(r'"contents"\s*:\s*\[')


@dataclass
class ResourceFile:
    """What was read from a path: its form, its records, and problems with the file."""

    form: str
    """"HSDS JSON array", "HSDS /services page" or "HSDS tabular data package"."""
    items: list[Item]
    problems: list[str] = field(default_factory=list)
    unread_tables: list[str] = field(default_factory=list)
    """Tables of a package that could not be read: existing entries are not updated from it."""


def read_resource_path(path: Path) -> ResourceFile:
    """Read a JSON file, a datapackage.json, or a directory holding one."""
    if path.is_dir() or path.name == "datapackage.json":
        package = read_package(path)
        return ResourceFile(
            "HSDS tabular data package", package.items, package.problems, package.unread_tables
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ResourceFileError(f"There is no file or directory {path}.") from None
    except OSError as error:
        raise ResourceFileError(f"Cannot read {path}: {error.strerror}.") from None
    return read_resource_json(data, path.name)


def read_resource_json(data: bytes, name: str) -> ResourceFile:
    """HSDS services from JSON bytes: an array (a cut-off one keeps what came before) or a page."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        raise ResourceFileError(f"{name} is empty.")
    if start == b"[":
        return _from_raw(read_alert_records(data), "HSDS JSON array", name)
    if start != b"{":
        raise ResourceFileError(
            f"{name} is not HSDS JSON: expected an array of services or a /services page."
        )
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ResourceFileError(
            f"{name} is not UTF-8 text (byte {error.start:,} cannot be read); nothing was read."
        ) from None
    except ValueError:
        return _salvage_page(data, name)
    if isinstance(value, dict) and ("contents" in value or "total_items" in value):
        try:
            page = records_from_services_page(value)
        except ResourceError as error:
            raise ResourceFileError(f"{name}: {error.message}.") from None
        return ResourceFile("HSDS /services page", _numbered(page.results))
    if isinstance(value, dict) and "id" in value and "name" in value:
        return ResourceFile("HSDS service", _numbered([_parse(value)]))
    raise ResourceFileError(
        f"{name} is not HSDS JSON: an object without 'contents' (a /services page) "
        "or 'id' and 'name' (one service)."
    )


def _parse(value: object) -> ResourceRecord | ResourceError:
    try:
        return parse_hsds_service(value)
    except ResourceError as error:
        return error


def _numbered(
    results: list[ResourceRecord | ResourceError] | tuple[ResourceRecord | ResourceError, ...],
) -> list[Item]:
    return [(f"record {number}", item) for number, item in enumerate(results, 1)]


def _from_raw(
    raws: Iterator[RawRecord], form: str, name: str, line_offset: int = 0
) -> ResourceFile:
    """Records from the shared JSON splitter; its file-level errors become problems."""
    result = ResourceFile(form, [])
    for number, line, value in raws:
        where = f"record {number}" + (f" (line {line + line_offset})" if line else "")
        if isinstance(value, Exception):
            message = str(value)
            if number == 0 or "file" in message:
                result.problems.append(f"{name}: {message}")
            else:
                result.items.append((where, ResourceError("record", message)))
            continue
        result.items.append((where, _parse(value)))
    return result


def _salvage_page(data: bytes, name: str) -> ResourceFile:
    """A /services page that does not parse: read its 'contents' array as far as it goes."""
    text = data.decode("utf-8-sig", "replace")
    found = _CONTENTS.search(text)
    if found is None:
        raise ResourceFileError(
            f"{name} is not valid JSON and holds no 'contents' array of services; nothing was read."
        )
    bracket = found.end() - 1
    offset = text.count("\n", 0, bracket)
    salvaged = _from_raw(
        read_alert_records(text[bracket:].encode("utf-8")), "HSDS /services page", name, offset
    )
    if not salvaged.problems:
        salvaged.problems.append(f"{name}: the page is not valid JSON after its 'contents' array")
    return salvaged
