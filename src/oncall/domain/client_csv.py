"""Clients from a CSV file with the header documented in the README (one row per client)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from oncall.domain import client_record as check
from oncall.domain.client_record import (
    ClientAccepted,
    ClientRecord,
    ClientRecordError,
    ContactRecord,
)
from oncall.domain.record_stream import Rejection

COLUMNS = (
    "identifier",
    "identifier_system",
    "name",
    "preferred_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "address",
    "zip",
    "lat",
    "lon",
    "language",
    "contact_name",
    "contact_relation",
    "contact_phone",
    "contact2_name",
    "contact2_relation",
    "contact2_phone",
)
REQUIRED = ("identifier", "name")


def _contact(row: dict[str, str | None], prefix: str) -> ContactRecord | None:
    name = check.text(f"{prefix}_name", row.get(f"{prefix}_name"))
    relation = check.text(f"{prefix}_relation", row.get(f"{prefix}_relation"), limit=60)
    number = check.phone(f"{prefix}_phone", row.get(f"{prefix}_phone"))
    if name is None:
        if relation or number:
            raise ClientRecordError(f"{prefix}_name", f"{prefix}_name is required for a contact")
        return None
    return ContactRecord(name, relation, number)


def client_from_row(row: dict[str, str | None]) -> ClientRecord:
    """One CSV row as a ClientRecord, or ClientRecordError naming the column."""
    lat = check.text("lat", row.get("lat"), limit=30)
    lon = check.text("lon", row.get("lon"), limit=30)
    latitude, longitude = check.position(lat, lon, ("lat", "lon"))
    contacts = tuple(c for p in ("contact", "contact2") if (c := _contact(row, p)) is not None)
    return ClientRecord(
        external_ref=check.text("identifier", row.get("identifier"), required=True, limit=64) or "",
        identifier_system=check.text("identifier_system", row.get("identifier_system")),
        name=check.text("name", row.get("name"), required=True) or "",
        preferred_name=check.text("preferred_name", row.get("preferred_name")),
        date_of_birth=check.birth_date("birth_date", row.get("birth_date")),
        gender=check.gender("gender", row.get("gender")),
        phone=check.phone("phone", row.get("phone")),
        email=check.email("email", row.get("email")),
        address=check.text("address", row.get("address")),
        zip=check.us_zip("zip", row.get("zip")),
        lat=latitude,
        lon=longitude,
        language=check.text("language", row.get("language"), limit=35),
        contacts=contacts,
    )


def read_client_csv(data: str) -> Iterator[ClientAccepted | Rejection]:
    """Every row, accepted or rejected with the column named; a bad header is one rejection."""
    reader = csv.DictReader(io.StringIO(data, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(unknown)}")
        message = f"The CSV header is not the documented one ({'; '.join(problems)})."
        yield Rejection(0, 1, None, "header", message)
        return
    reader.fieldnames = header
    for number, row in enumerate(reader, start=1):
        line = reader.line_num
        ref = (row.get("identifier") or "").strip()[:64] or None
        if None in row:  # more cells than the header names
            yield Rejection(number, line, ref, "row", "the row has more cells than the header")
            continue
        try:
            yield ClientAccepted(number, line, client_from_row(row))
        except ClientRecordError as error:
            yield Rejection(number, line, ref, error.field, str(error))
