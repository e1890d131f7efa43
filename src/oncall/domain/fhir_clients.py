"""Clients from FHIR R4 JSON: a Bundle, one resource, or NDJSON (Bulk Data export).

Parsing and validation are fhir.resources' R4B models: Patient and RelatedPerson are
the same in R4 and R4B (R4B changed only medication and evidence resources), and the
package's default models are R5, which would refuse R4 content (RelatedPerson
relationship cardinality, Patient.contact changes). What the models accept is then
mapped to a ClientRecord, checked again for what oncall keeps (a full birth date, a
phone that is a phone).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson
from pydantic import ValidationError

from oncall.domain import client_record as check
from oncall.domain.client_record import (
    ClientAccepted,
    ClientRecordError,
    ContactAccepted,
    ContactRecord,
)
from oncall.domain.fhir_mapping import (
    address_of,
    contact_relation,
    identifier_of,
    language_of,
    name_of,
    preferred_name_of,
    telecom_of,
)
from oncall.domain.record_stream import Rejection

MAX_TITLE = 500


@dataclass
class FhirReading:
    """What a FHIR file held: clients (or why not), and resource types passed over."""

    items: list[ClientAccepted | ContactAccepted | Rejection] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def _resources(data: bytes) -> Iterator[tuple[int, Any]]:
    """(line, resource) for each resource: a Bundle's entries, one resource, or NDJSON lines."""
    text = data.decode("utf-8-sig")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
        lines = True
    else:
        lines = False
    if not lines:
        if isinstance(whole, dict) and whole.get("resourceType") == "Bundle":
            for entry in whole.get("entry") or []:
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(resource, dict) and entry.get("fullUrl"):
                    resource = {**resource, "_fullUrl": entry["fullUrl"]}
                yield 0, resource
        else:
            yield 0, whole
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            yield number, ClientRecordError("json", f"not JSON ({error.msg})")


def _where(error: ValidationError, kind: str) -> tuple[str, str]:
    """The first problem of a model validation as (field path, sentence)."""
    first = error.errors()[0]
    path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in first["loc"])
    path = path.replace(".[", "[") or kind
    given = first.get("input")
    shown = f" {given!r}" if isinstance(given, str | int | float) and len(str(given)) < 60 else ""
    reason = first["msg"].removeprefix("Value error, ")
    if "Date value string" in reason:  # the library's wording names its regex
        reason = "a FHIR date is YYYY, YYYY-MM or YYYY-MM-DD"
    return f"{kind}.{path}", f"{kind}.{path}{shown} is not valid: {reason}"


def read_fhir(data: bytes, mrn_system: str | None = None) -> FhirReading:
    """Every Patient as a client (RelatedPersons joined to theirs), every refusal with its field."""
    reading = FhirReading()
    patients: list[tuple[int, int, dict[str, Any]]] = []
    related: list[tuple[int, int, dict[str, Any]]] = []
    for number, (line, resource) in enumerate(_resources(data), start=1):
        if isinstance(resource, ClientRecordError):
            reading.items.append(Rejection(number, line, None, "json", str(resource)))
        elif not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            reading.items.append(
                Rejection(number, line, None, "resourceType", "not a FHIR resource")
            )
        elif resource["resourceType"] == "Patient":
            patients.append((number, line, resource))
        elif resource["resourceType"] == "RelatedPerson":
            related.append((number, line, resource))
        else:
            reading.skipped[resource["resourceType"][:60]] += 1
    # Patient/id, fullUrl or "identifier:REF" -> the patient's record number.
    owners: dict[str, int] = {}
    records: dict[int, ClientAccepted] = {}
    for number, line, raw in patients:
        outcome = _patient(number, line, raw, mrn_system)
        if isinstance(outcome, ClientAccepted):
            records[number] = outcome
            owners.update(dict.fromkeys(_keys(raw), number))
        else:
            reading.items.append(outcome)
    for ref, number in [(r.record.external_ref, n) for n, r in records.items()]:
        owners.setdefault(f"identifier:{ref}", number)
    for number, line, raw in related:
        joined = _related_person(number, line, raw, owners, records)
        if joined is not None:
            reading.items.append(joined)
    reading.items.extend(records.values())
    reading.items.sort(key=lambda item: item.number)
    return reading


def _keys(raw: dict[str, Any]) -> list[str]:
    """How a RelatedPerson may point at this patient: Patient/id, or the Bundle's fullUrl."""
    keys = []
    if isinstance(raw.get("id"), str):
        keys.append(f"Patient/{raw['id']}")
    if isinstance(raw.get("_fullUrl"), str):
        keys.append(raw["_fullUrl"])
    return keys


def _patient(
    number: int, line: int, raw: dict[str, Any], mrn_system: str | None
) -> ClientAccepted | Rejection:
    clean = {k: v for k, v in raw.items() if k != "_fullUrl"}
    try:
        patient = Patient.model_validate(clean)
    except ValidationError as error:
        path, message = _where(error, "Patient")
        return Rejection(number, line, _raw_id(raw), path, message)
    ref: str | None = None
    try:
        ref, system = identifier_of(patient, mrn_system)
        lat, lon, address, zip_code = address_of(patient)
        phone, email = telecom_of(patient.telecom, "Patient.telecom")
        contacts = tuple(
            ContactRecord(name, contact_relation(c.relationship), telecom_of(c.telecom, "")[0])
            for c in patient.contact or []
            if (name := name_of([c.name] if c.name else [], "Patient.contact.name", False))
        )
        record = check.ClientRecord(
            external_ref=ref,
            identifier_system=system,
            name=name_of(patient.name or [], "Patient.name", True) or "",
            preferred_name=preferred_name_of(patient.name or []),
            date_of_birth=_birth_date(patient),
            gender=check.gender("Patient.gender", patient.gender),
            phone=phone,
            email=email,
            address=address,
            zip=zip_code,
            lat=lat,
            lon=lon,
            language=language_of(patient),
            contacts=contacts,
        )
    except ClientRecordError as error:
        return Rejection(number, line, ref or _raw_id(raw), error.field, str(error))
    return ClientAccepted(number, line, record)


def _birth_date(patient: Patient) -> str | None:
    if patient.birthDate is None:
        return None
    value = str(patient.birthDate)
    if len(value) != 10:
        raise ClientRecordError(
            "Patient.birthDate", f"Patient.birthDate {value!r} is not a full date (YYYY-MM-DD)"
        )
    return check.birth_date("Patient.birthDate", value)


def _raw_id(raw: dict[str, Any]) -> str | None:
    """What names a refused resource in the report: its first identifier's value, else its id."""
    for identifier in (
        raw.get("identifier") or [] if isinstance(raw.get("identifier"), list) else []
    ):
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            return str(identifier["value"])[:64]
    value = raw.get("id")
    return value[:64] if isinstance(value, str) else None


def _related_person(
    number: int,
    line: int,
    raw: dict[str, Any],
    owners: dict[str, int],
    records: dict[int, ClientAccepted],
) -> Rejection | ContactAccepted | None:
    """Add a RelatedPerson to its patient's record in this file (None), or give it as a
    contact of the client on file with the identifier its `patient` names, or refuse it.
    """
    clean = {k: v for k, v in raw.items() if k != "_fullUrl"}
    try:
        person = RelatedPerson.model_validate(clean)
    except ValidationError as error:
        path, message = _where(error, "RelatedPerson")
        return Rejection(number, line, _raw_id(raw), path, message)
    target = person.patient.reference if person.patient else None
    named = person.patient.identifier if person.patient else None
    ref = named.value.strip() if named and named.value else None
    owner = records.get(owners.get(target or "", 0) or owners.get(f"identifier:{ref}", 0))
    if owner is None and ref is None:
        return Rejection(
            number,
            line,
            _raw_id(raw),
            "RelatedPerson.patient",
            f"RelatedPerson.patient {target!r} is no patient imported from this file"
            " (and names no identifier of a client on file)",
        )
    try:
        name = name_of(person.name or [], "RelatedPerson.name", True) or ""
        contact = ContactRecord(
            name,
            contact_relation(person.relationship),
            telecom_of(person.telecom, "RelatedPerson.telecom")[0],
        )
    except ClientRecordError as error:
        return Rejection(number, line, _raw_id(raw), error.field, str(error))
    if owner is None:
        assert ref is not None
        return ContactAccepted(number, line, ref[: check.MAX_REF], contact)
    record = owner.record
    records[owner.number] = ClientAccepted(
        owner.number,
        owner.line,
        replace(record, contacts=(*record.contacts, contact)),
    )
    return None
