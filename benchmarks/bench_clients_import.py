"""How fast `oncall clients import` takes a FHIR Bulk Data export: records/s and peak memory.

    .venv/bin/python -m benchmarks.bench_clients_import [--patients 10000] [--runs 1]

Writes NDJSON of synthetic R4 Patients (identifier, official and nickname names, two
phones and an e-mail, a home address with the geolocation extension, a language, one
Patient.contact) plus one RelatedPerson for every tenth patient, makes a database with
`oncall init`, and runs the import as its own process, as an admin would: the time is
the whole command's wall clock, the memory its peak resident set (ru_maxrss). A second
run of the same file measures the re-import (every client known, nothing changed).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GEO = "http://hl7.org/fhir/StructureDefinition/geolocation"
GIVEN = ["Ana", "Ben", "Cruz", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Joy"]
FAMILY = ["Lee", "Diaz", "Nguyen", "Okafor", "Patel", "Reyes", "Smith", "Tran", "Vega", "Wu"]


def patient(number: int, rng: random.Random) -> dict[str, object]:
    """One synthetic Patient as an EHR's Bulk Data export writes it (555-01xx phones)."""
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    return {
        "resourceType": "Patient",
        "id": f"pat-{number}",
        "identifier": [
            {"system": "urn:oid:2.16.840.1.113883.4.1", "value": f"999-{number:07d}"},
            {"system": "http://clinic.example/mrn", "value": f"MRN-{number:06d}"},
        ],
        "name": [
            {"use": "official", "given": [given, "Q."], "family": family, "prefix": ["Mx."]},
            {"use": "nickname", "given": [given[:2]]},
        ],
        "telecom": [
            {"system": "phone", "value": f"714-555-01{number % 100:02d}", "rank": 1},
            {"system": "phone", "value": f"949-555-01{number % 97:02d}", "use": "work"},
            {"system": "email", "value": f"client{number}@example.org"},
        ],
        "gender": rng.choice(["female", "male", "other", "unknown"]),
        "birthDate": f"{rng.randint(1950, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "address": [
            {
                "use": "home",
                "line": [f"{number} Main St"],
                "city": "Santa Ana",
                "state": "CA",
                "postalCode": "92701",
                "extension": [
                    {
                        "url": GEO,
                        "extension": [
                            {"url": "latitude", "valueDecimal": 33.7 + rng.random() / 10},
                            {"url": "longitude", "valueDecimal": -117.9 + rng.random() / 10},
                        ],
                    }
                ],
            }
        ],
        "communication": [{"language": {"coding": [{"code": "es"}]}, "preferred": True}],
        "contact": [
            {
                "relationship": [{"coding": [{"code": "C"}]}],
                "name": {"given": [rng.choice(GIVEN)], "family": family},
                "telecom": [{"system": "phone", "value": f"657-555-01{number % 89:02d}"}],
            }
        ],
    }


def write_export(path: Path, patients: int) -> int:
    """The NDJSON file; returns how many resources it holds."""
    rng = random.Random(13)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, patients + 1):
            out.write(json.dumps(patient(number, rng)) + "\n")
            count += 1
            if number % 10 == 0:
                related = {
                    "resourceType": "RelatedPerson",
                    "patient": {"reference": f"Patient/pat-{number}"},
                    "relationship": [{"text": "sponsor"}],
                    "name": [{"given": ["Sam"], "family": "Sponsor"}],
                }
                out.write(json.dumps(related) + "\n")
                count += 1
    return count


def run_import(db: Path, export: Path) -> tuple[float, str]:
    """Run the command in its own process; (seconds, its summary line)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "--db", str(db), "clients", "import", str(export)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stdout}{done.stderr}")
    return seconds, done.stdout.splitlines()[0]


def main() -> None:
    """Build the file and the database, import twice, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export, db = Path(folder) / "Patient.ndjson", Path(folder) / "bench.db"
        resources = write_export(export, args.patients)
        subprocess.run(
            [sys.executable, "-m", "oncall.cli", "init", "--db", str(db)],
            check=True,
            capture_output=True,
        )
        size = export.stat().st_size / 1e6
        print(f"{args.patients:,} patients, {resources:,} resources, {size:.1f} MB of NDJSON")
        for label in ("first import", "re-import (unchanged)"):
            seconds, summary = run_import(db, export)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"{label}: {seconds:.1f} s, {args.patients / seconds:,.0f} patients/s, "
                f"peak RSS so far {peak:.0f} MB — {summary}"
            )


if __name__ == "__main__":
    main()
