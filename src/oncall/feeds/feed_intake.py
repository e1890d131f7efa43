"""Handing one feed page's records to ingest, without quarantining the same bad record twice."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from oncall.domain.record_stream import Accepted, RawRecord, Rejection, validate_records
from oncall.services.alerts import IngestItem, ingest_records
from oncall.services.context import ServiceContext

REMEMBERED_REJECTIONS = 10_000
"""Bad records remembered per feed, so a feed re-serving one does not flood the quarantine."""


@dataclass(frozen=True)
class IntakeCounts:
    """What the records of one or more pages came to."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_again: int = 0
    """Bad records already quarantined by an earlier poll (not quarantined twice)."""

    def __add__(self, other: IntakeCounts) -> IntakeCounts:
        return IntakeCounts(
            self.accepted + other.accepted,
            self.duplicates + other.duplicates,
            self.rejected + other.rejected,
            self.rejected_again + other.rejected_again,
        )

    def as_tuple(self) -> tuple[int, int, int]:
        """(accepted, duplicates, rejected) as the feed state stores them."""
        return (self.accepted, self.duplicates, self.rejected + self.rejected_again)


class FeedIntake:
    """Validates and stores one feed's records; remembers the bad ones it has quarantined.

    The memory lives in the process: after a restart a bad record still in the feed is
    quarantined once more, which says it is still there.
    """

    def __init__(self, ctx: ServiceContext, feed_name: str) -> None:
        self.ctx = ctx
        self.origin = f"feed:{feed_name}"
        self._quarantined: OrderedDict[str, None] = OrderedDict()

    def take(self, records: Iterable[RawRecord]) -> IntakeCounts:
        """Store the valid records and quarantine the new bad ones (runs in a thread)."""
        again = 0
        fresh: list[str] = []

        def items() -> Iterator[IngestItem]:
            nonlocal again
            for raw in records:
                (outcome,) = validate_records([raw])
                if isinstance(outcome, Accepted):
                    yield outcome
                    continue
                mark = _fingerprint(outcome, raw)
                if mark in self._quarantined:
                    again += 1
                    continue
                fresh.append(mark)
                yield raw  # ingest validates it again and keeps the raw value with the reason

        report = ingest_records(self.ctx, items(), origin=self.origin)
        for mark in fresh:  # only after the quarantine rows are committed
            self._quarantined[mark] = None
        while len(self._quarantined) > REMEMBERED_REJECTIONS:
            self._quarantined.popitem(last=False)
        return IntakeCounts(report.accepted, report.duplicates, report.rejected_count, again)


def _fingerprint(rejection: Rejection, raw: RawRecord) -> str:
    body = json.dumps(raw.value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{rejection.message}\x00{body}".encode()).hexdigest()
