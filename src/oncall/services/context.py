"""What every use case needs: the store, the clock, the settings and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oncall.clock import Clock, SystemClock
from oncall.config import Settings
from oncall.domain.models import Staff
from oncall.domain.timefmt import to_iso
from oncall.store.audit import append_audit
from oncall.store.db import Store


@dataclass
class ServiceContext:
    """The acting user's handle on the database."""

    store: Store
    """The open database."""
    actor: Staff
    """Who is acting; recorded on every change and in the audit log."""
    clock: Clock = field(default_factory=SystemClock)
    """Where "now" comes from."""
    settings: Settings = field(default_factory=Settings)
    """Policies: deadlines, time zone, intervals."""

    def now_iso(self) -> str:
        """The current time as stored."""
        return to_iso(self.clock.now())

    def audit(
        self,
        conn: Any,
        action: str,
        object_type: str,
        object_id: str | int | None = None,
        *,
        client_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Write an audit entry inside the caller's transaction."""
        append_audit(
            conn,
            at=self.now_iso(),
            actor=self.actor.login,
            action=action,
            object_type=object_type,
            object_id=object_id,
            client_id=client_id,
            detail=detail,
        )

    def audit_alone(
        self,
        action: str,
        object_type: str,
        object_id: str | int | None = None,
        *,
        client_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Write an audit entry in a transaction of its own (for refusals)."""
        with self.store.write() as conn:
            self.audit(conn, action, object_type, object_id, client_id=client_id, detail=detail)
