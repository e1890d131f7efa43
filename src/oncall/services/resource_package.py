"""Reading an HSDS 3.0 tabular data package: datapackage.json and the CSV files it lists."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from oncall.domain.hsds_tables import TABLE_FILES
from oncall.domain.resource_record import ResourceError, ResourceRecord, parse_hsds_tables

Item = tuple[str, ResourceRecord | ResourceError]
MAX_PROBLEMS_PER_FILE = 20


class ResourceFileError(Exception):
    """The path cannot be read as HSDS at all; the message says why."""


@dataclass
class Package:
    """The services of a package, and what was wrong with its files."""

    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unread_tables: list[str] = field(default_factory=list)
    """Tables the package lists that could not be read at all (missing, not UTF-8)."""


def read_package(path: Path) -> Package:
    """Read the package at a directory or its datapackage.json; keep every readable row."""
    descriptor = path / "datapackage.json" if path.is_dir() else path
    folder = descriptor.parent
    try:
        meta = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ResourceFileError(f"There is no datapackage.json at {descriptor}.") from None
    except UnicodeDecodeError:
        raise ResourceFileError(f"{descriptor} is not UTF-8 text.") from None
    except ValueError as error:
        raise ResourceFileError(f"{descriptor} is not valid JSON: {error}.") from None
    except OSError as error:
        raise ResourceFileError(f"Cannot read {descriptor}: {error.strerror}.") from None
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise ResourceFileError(f"{descriptor} has no 'resources' list of tables.")
    package = Package()
    tables: dict[str, list[dict[str, str]]] = {}
    service_lines: list[int] = []
    for entry in resources:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            package.problems.append(f"{descriptor.name}: a table entry has no 'path'; skipped")
            continue
        file_name = entry["path"]
        csv_path = (folder / file_name).resolve()
        if not csv_path.is_relative_to(folder.resolve()):
            package.problems.append(f"{file_name}: outside the package folder; not read")
            package.unread_tables.append(file_name)
            continue
        read = _read_csv(csv_path, file_name, package.problems)
        if read is None:
            package.unread_tables.append(file_name)
            continue
        rows, lines = read
        name = str(entry.get("name") or Path(file_name).stem)
        tables[name] = tables[Path(file_name).name] = rows
        if name == "service" or Path(file_name).name == TABLE_FILES["service"]:
            service_lines = lines
    if not any(key in tables for key in ("service", TABLE_FILES["service"])):
        raise ResourceFileError(
            f"{descriptor} names no readable services table (services.csv); nothing was "
            "imported." + "".join(f" {problem}." for problem in package.problems)
        )
    for index, item in enumerate(parse_hsds_tables(tables)):
        line = service_lines[index] if index < len(service_lines) else 0
        label = f"record {index + 1}" + (f" (services.csv line {line})" if line else "")
        package.items.append((label, item))
    return package


def _read_csv(
    path: Path, file_name: str, problems: list[str]
) -> tuple[list[dict[str, str]], list[int]] | None:
    """Rows as dicts with the line each started on (a bad row is reported and skipped).

    None when the file cannot be read at all.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.append(f"{file_name}: listed in datapackage.json but missing; not read")
        return None
    except UnicodeDecodeError as error:
        problems.append(
            f"{file_name}: not UTF-8 text (byte {error.start:,} cannot be read); not read"
        )
        return None
    except OSError as error:
        problems.append(f"{file_name}: cannot be read ({error.strerror}); not read")
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    reported = 0

    def report(message: str) -> None:
        nonlocal reported
        reported += 1
        if reported <= MAX_PROBLEMS_PER_FILE:
            problems.append(f"{file_name} {message}")

    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report(f"line {start}: {error}; the rest of the file was not read")
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines carry nothing
        if header is None:
            header = [cell.strip() for cell in cells]
            continue
        if len(cells) != len(header):
            report(
                f"line {start}: {len(cells)} cells where the header has {len(header)}; "
                "the row was skipped"
            )
            continue
        rows.append(dict(zip(header, cells, strict=True)))
        lines.append(start)
    if reported > MAX_PROBLEMS_PER_FILE:
        problems.append(f"{file_name}: {reported - MAX_PROBLEMS_PER_FILE} more bad rows skipped")
    return rows, lines
