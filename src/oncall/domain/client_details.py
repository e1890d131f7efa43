"""Checking what a person typed about a client or an emergency contact (pure; no I/O).

Every check names the field in words, so the form can show it as it is and a service
can refuse with it. Values come back cleaned: spaces collapsed, invisible characters
removed, an empty field as None.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MAX_TEXT = 200
"""Longest name, reference, relation, program, county or pronouns."""
MAX_ADDRESS = 500

_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
_PHONE_RE = re.compile(r"^\+?[\d ().-]+$")
_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")

CLIENT_LABELS = {
    "external_ref": "reference",
    "name": "full name",
    "preferred_name": "preferred name",
    "pronouns": "pronouns",
    "date_of_birth": "date of birth",
    "phone": "phone",
    "address": "address",
    "county": "county",
    "zip": "zip",
    "program": "program",
}
"""Each client field as the form names it."""

CONTACT_LABELS = {"name": "contact's name", "relation": "relation", "phone": "contact's phone"}


class DetailProblem(ValueError):
    """One field that cannot be saved as typed; str() is the sentence to show."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        """The field's column name."""


def clean_text(value: str | None) -> str | None:
    """Spaces collapsed, control and invisible characters removed; None when empty."""
    if value is None:
        return None
    kept = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    text = " ".join(kept.split())
    return text or None


def _check(field: str, label: str, value: str | None, today: date) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    limit = MAX_ADDRESS if field == "address" else MAX_TEXT
    if len(text) > limit:
        raise DetailProblem(field, f"The {label} is {len(text)} characters; the limit is {limit}.")
    if field == "external_ref" and not _REF_RE.match(text):
        raise DetailProblem(
            field, "The reference may hold letters, digits and . _ : / - (no spaces)."
        )
    if field in ("phone",) and not _valid_phone(text):
        raise DetailProblem(field, f"The {label} should be 7 to 15 digits (+, spaces, ( ) - .).")
    if field == "zip" and not _ZIP_RE.match(text):
        raise DetailProblem(field, "The zip should be 5 digits (or 5-4, as 92701-1234).")
    if field == "date_of_birth":
        text = _birth_date(text, today)
    return text


def _valid_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE_RE.match(text)) and 7 <= digits <= 15


def _birth_date(text: str, today: date) -> str:
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise DetailProblem(
            "date_of_birth", "The date of birth should be written YYYY-MM-DD (as 1990-04-17)."
        ) from None
    if born > today or born.year < 1900:
        raise DetailProblem("date_of_birth", "The date of birth is not a possible birth date.")
    return born.isoformat()


def clean_client(values: dict[str, str | None], today: date) -> dict[str, str | None]:
    """The client fields cleaned; raises DetailProblem for the first field that is wrong."""
    cleaned = {key: _check(key, CLIENT_LABELS[key], value, today) for key, value in values.items()}
    for required in ("external_ref", "name"):
        if required in values and cleaned[required] is None:
            raise DetailProblem(required, f"The {CLIENT_LABELS[required]} is required.")
    return cleaned


def clean_contact(values: dict[str, str | None]) -> dict[str, str | None]:
    """An emergency contact's fields cleaned; a name and a phone are required."""
    today = date.max
    cleaned = {key: _check(key, CONTACT_LABELS[key], value, today) for key, value in values.items()}
    for required in ("name", "phone"):
        if required in values and cleaned[required] is None:
            raise DetailProblem(required, f"The {CONTACT_LABELS[required]} is required.")
    return cleaned


def parse_consent_date(text: str, today: date) -> date:
    """The date the client gave or withdrew consent: YYYY-MM-DD, not in the future."""
    try:
        dated = date.fromisoformat(text.strip())
    except ValueError:
        raise DetailProblem(
            "dated", "The consent date should be written YYYY-MM-DD (as 2026-12-04)."
        ) from None
    if dated > today:
        raise DetailProblem("dated", "The consent date is in the future.")
    if dated.year < 1900:
        raise DetailProblem("dated", "The consent date is not a possible date.")
    return dated


def parse_consent_end(text: str, what: str) -> date | None:
    """The last day a consent holds: YYYY-MM-DD, or nothing (until revoked)."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DetailProblem(
            "until", f"The end date of consent to {what} should be written YYYY-MM-DD."
        ) from None
