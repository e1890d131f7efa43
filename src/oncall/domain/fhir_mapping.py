"""Reading the parts of validated FHIR models that oncall keeps (names, telecom, address)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oncall.domain import client_record as check
from oncall.domain.client_record import ClientRecordError

GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
# HL7 v2 table 0131 (Patient.contact.relationship) in words.
CONTACT_ROLES = {
    "C": "emergency contact",
    "EP": "emergency contact person",
    "N": "next of kin",
    "CP": "contact person",
    "E": "employer",
    "F": "federal agency",
    "I": "insurance company",
    "O": "other",
    "S": "state agency",
    "U": "unknown",
    "BP": "billing contact",
    "PR": "person preparing referral",
}
_CURRENT = ("official", "usual", None, "temp", "anonymous")


def identifier_of(patient: Any, mrn_system: str | None) -> tuple[str, str | None]:
    """(value, system): the program's MRN system when set, else the first identifier."""
    found = [i for i in patient.identifier or [] if i.value and i.value.strip()]
    if mrn_system is not None:
        found = [i for i in found if i.system == mrn_system]
        if not found:
            raise ClientRecordError(
                "Patient.identifier", f"Patient.identifier has no value of system {mrn_system}"
            )
    if not found:
        raise ClientRecordError("Patient.identifier", "Patient.identifier is required")
    chosen = found[0]
    value = check.text("Patient.identifier", chosen.value, required=True, limit=check.MAX_REF)
    return value or "", chosen.system


def _full_name(name: Any) -> str:
    parts = [*(name.given or []), name.family or ""]
    joined = " ".join(p for p in parts if p)
    return joined or (name.text or "")


def name_of(names: Sequence[Any], field: str, required: bool) -> str | None:
    """`official` first, then usual or unmarked, given + family (prefix and suffix dropped)."""
    current = [n for n in names if n.use in _CURRENT and _full_name(n)]
    current.sort(key=lambda n: _CURRENT.index(n.use))
    if not current:
        if required:
            raise ClientRecordError(field, f"{field} is required (given or family)")
        return None
    return check.text(field, _full_name(current[0]), required=required)


def preferred_name_of(names: Sequence[Any]) -> str | None:
    """A nickname's given name, else a usual name's first given that differs from the official."""
    for name in names:
        if name.use == "nickname" and (name.given or name.text):
            return check.text("Patient.name", " ".join(name.given or []) or name.text)
    official = next((n for n in names if n.use == "official"), None)
    usual = next((n for n in names if n.use == "usual" and n.given), None)
    if official is not None and usual is not None and usual.given != (official.given or []):
        return check.text("Patient.name", " ".join(usual.given))
    return None


def telecom_of(points: Sequence[Any] | None, field: str) -> tuple[str | None, str | None]:
    """The best current phone and e-mail (lowest rank first; `old` ones never)."""
    current = [p for p in points or [] if p.value and p.use != "old"]
    current.sort(key=lambda p: p.rank if p.rank is not None else 1 << 30)
    phone = next((p.value for p in current if p.system in ("phone", "sms")), None)
    email = next((p.value for p in current if p.system == "email"), None)
    return check.phone(f"{field}.phone" if field else "phone", phone), (
        check.email(f"{field}.email", email) if field else None
    )


def address_of(patient: Any) -> tuple[float | None, float | None, str | None, str | None]:
    """(lat, lon, address line, zip) of the home or current address."""
    current = [
        a for a in patient.address or [] if a.use != "old" and not (a.period and a.period.end)
    ]
    current.sort(key=lambda a: 0 if a.use == "home" else 1)
    if not current:
        return None, None, None, None
    place = current[0]
    postal = place.postalCode.strip() if place.postalCode else None
    zip_code = postal if postal and check.ZIP.match(postal) else None
    # A postal code that is not a US ZIP stays in the address text rather than the zip.
    words = [*(place.line or []), place.city, place.state, None if zip_code else postal]
    text = ", ".join(w for w in words if w) or place.text
    lat = lon = None
    for extension in place.extension or []:
        if extension.url == GEOLOCATION:
            for part in extension.extension or []:
                if part.url == "latitude":
                    lat = part.valueDecimal
                elif part.url == "longitude":
                    lon = part.valueDecimal
    fields = ("Patient.address.geolocation.latitude", "Patient.address.geolocation.longitude")
    latitude, longitude = check.position(lat, lon, fields)
    return (
        latitude,
        longitude,
        check.text("Patient.address", text),
        zip_code,
    )


def language_of(patient: Any) -> str | None:
    """The preferred communication language's code (BCP 47), else the first one."""
    spoken = sorted(patient.communication or [], key=lambda c: 0 if c.preferred else 1)
    for item in spoken:
        for coding in item.language.coding or []:
            if coding.code:
                return check.text("Patient.communication.language", coding.code, limit=35)
        if item.language.text:
            return check.text("Patient.communication.language", item.language.text, limit=35)
    return None


def contact_relation(concepts: Sequence[Any] | None) -> str | None:
    """A relationship in words: v2-0131 codes named, else the display, text or code."""
    for concept in concepts or []:
        for coding in concept.coding or []:
            if coding.code in CONTACT_ROLES:
                return CONTACT_ROLES[coding.code]
            if coding.display or coding.code:
                return check.text("relationship", coding.display or coding.code, limit=60)
        if concept.text:
            return check.text("relationship", concept.text, limit=60)
    return None
