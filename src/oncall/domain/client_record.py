"""A client as a program's own system describes it, checked field by field before import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

MAX_REF = 64
MAX_TEXT = 200
GENDERS = frozenset({"male", "female", "other", "unknown"})
# Digits with the punctuation people type; an extension or a leading + allowed.
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{5,30}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")


class ClientRecordError(ValueError):
    """A field of a record is wrong; `field` names it as the source file does."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """An emergency contact as imported: never with consent to contact (a clinician records it)."""

    name: str
    relation: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """One client, validated: the identifier is the key a re-import updates by."""

    external_ref: str
    identifier_system: str | None
    name: str
    preferred_name: str | None = None
    date_of_birth: str | None = None
    gender: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None
    language: str | None = None
    contacts: tuple[ContactRecord, ...] = ()

    def columns(self) -> dict[str, object]:
        """The clients columns this record sets (contacts apart)."""
        return {
            "external_ref": self.external_ref,
            "identifier_system": self.identifier_system,
            "name": self.name,
            "preferred_name": self.preferred_name,
            "date_of_birth": self.date_of_birth,
            "gender": self.gender,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "zip": self.zip,
            "lat": self.lat,
            "lon": self.lon,
            "language": self.language,
        }


class ClientAccepted(NamedTuple):
    """A record that passed validation, with where it was in the file."""

    number: int
    line: int
    record: ClientRecord


class ContactAccepted(NamedTuple):
    """An emergency contact for a client already on file (a RelatedPerson naming its identifier)."""

    number: int
    line: int
    external_ref: str
    contact: ContactRecord


def text(field: str, value: object, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """A printable text within `limit`, whitespace collapsed; None when blank and optional."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ClientRecordError(field, f"{field} is required")
        return None
    if not isinstance(value, str):
        raise ClientRecordError(field, f"{field} must be text, not {type(value).__name__}")
    cleaned = " ".join(value.split())
    if not cleaned.isprintable():
        raise ClientRecordError(field, f"{field} holds control characters")
    if len(cleaned) > limit:
        raise ClientRecordError(field, f"{field} is longer than {limit} characters")
    return cleaned


def birth_date(field: str, value: object, today: date | None = None) -> str | None:
    """A date of birth as YYYY-MM-DD: a real date, not in the future, not before 1900."""
    raw = text(field, value, limit=10)
    if raw is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        born = date.fromisoformat(raw)
    except ValueError:
        raise ClientRecordError(field, f"{field} {raw!r} is not a date as YYYY-MM-DD") from None
    if born.year < 1900 or born > (today or date.today()):
        raise ClientRecordError(field, f"{field} {raw} is not a possible date of birth")
    return raw


def phone(field: str, value: object) -> str | None:
    """A phone number as typed, if it looks like one."""
    raw = text(field, value, limit=40)
    # 7 to 15 digits, as the console's edit form asks (domain/client_details.py): an
    # imported number must be one a clinician can save again unchanged.
    if raw is not None and (not PHONE.match(raw) or not 7 <= sum(ch.isdigit() for ch in raw) <= 15):
        raise ClientRecordError(field, f"{field} {raw!r} is not a phone number")
    return raw


def us_zip(field: str, value: object) -> str | None:
    """A US ZIP code (5 digits, or ZIP+4), as the console's edit form asks."""
    raw = text(field, value, limit=10)
    if raw is not None and not ZIP.match(raw):
        raise ClientRecordError(field, f"{field} {raw!r} is not a US ZIP code (5 digits)")
    return raw


def email(field: str, value: object) -> str | None:
    """An e-mail address, if it looks like one."""
    raw = text(field, value, limit=254)
    if raw is not None and not EMAIL.match(raw):
        raise ClientRecordError(field, f"{field} {raw!r} is not an e-mail address")
    return raw


def gender(field: str, value: object) -> str | None:
    """FHIR's administrative gender: male, female, other or unknown."""
    raw = text(field, value, limit=20)
    if raw is not None and raw.lower() not in GENDERS:
        raise ClientRecordError(
            field, f"{field} {raw!r} is not one of {', '.join(sorted(GENDERS))}"
        )
    return raw.lower() if raw else None


def position(
    lat: object, lon: object, fields: tuple[str, str]
) -> tuple[float | None, float | None]:
    """Latitude and longitude, both or neither, within range."""
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        missing = fields[0] if lat is None else fields[1]
        raise ClientRecordError(missing, f"{missing} is missing (give both or neither)")
    values = []
    for name, value, bound in ((fields[0], lat, 90.0), (fields[1], lon, 180.0)):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ClientRecordError(name, f"{name} {value!r} is not a number") from None
        if not -bound <= number <= bound:  # NaN fails this too
            raise ClientRecordError(name, f"{name} {value!r} is out of range")
        values.append(number)
    return values[0], values[1]
