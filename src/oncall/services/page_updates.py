"""Pages about an alert follow it: acknowledged when it is claimed, resolved when it closes.

Called inside the transaction that acknowledges the alert or closes the episode. For
each page sent about the alert (its escalation levels, a supervisor's request to take
it, a page by hand) an `acknowledge` or `resolve` is queued with the page's own key as
`dedup_key`, to the target the page went to, so the PagerDuty incident it opened
follows. A page still waiting to go out is cancelled instead: nobody needs to be woken
for an alert someone has taken.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oncall.domain.timefmt import maybe_from_iso, to_iso
from oncall.services.context import ServiceContext
from oncall.store import claims, outbox

ACKNOWLEDGE = "acknowledge"
RESOLVE = "resolve"
KINDS = {ACKNOWLEDGE: "page_acknowledge", RESOLVE: "page_resolve"}


def _page_keys(conn: sqlite3.Connection, alert_id: int) -> list[str]:
    """The idempotency keys of every page queued about the alert."""
    keys = [
        f"escalation-alert-{alert_id}-level-{c.level}"
        for c in claims.claims_for(conn, claims.ALERT, alert_id)
    ]
    for subject_type in (claims.ALERT_ASSIGNMENT, claims.MANUAL_PAGE):
        keys += [
            f"{subject_type}-{alert_id}-{c.level}"
            for c in claims.claims_for(conn, subject_type, alert_id)
        ]
    return keys


def follow_alert_pages(
    ctx: ServiceContext, conn: sqlite3.Connection, alert_ids: list[int], action: str, now: datetime
) -> int:
    """Queue `action` (acknowledge or resolve) for each page sent about these alerts.

    Returns how many were queued. Pages not sent yet are cancelled (and audited).
    """
    at = to_iso(now)
    queued = 0
    for alert_id in alert_ids:
        for page in outbox.messages_by_keys(conn, _page_keys(conn, alert_id)):
            in_flight = (maybe_from_iso(page["sending_until"]) or now) > now
            if page["status"] == "pending" and not in_flight:
                said = f"not sent: the alert was {action}d first"
                if outbox.cancel(conn, page["id"], at=at, by=ctx.actor.login, reason=said):
                    ctx.audit(
                        conn,
                        "outbox.cancelled",
                        "outbox",
                        page["id"],
                        detail={"kind": page["kind"], "target": page["target"], "reason": said},
                    )
                continue
            if page["status"] != "delivered" and not in_flight:
                continue  # failed or cancelled: no incident was opened
            queued += outbox.enqueue(
                conn,
                kind=KINDS[action],
                target=page["sent_to"] or page["target"],
                payload={
                    "event_action": action,
                    "dedup_key": page["idempotency_key"],
                    "alert_id": alert_id,
                    "by": ctx.actor.login,
                },
                idempotency_key=f"{page['idempotency_key']}-{action}",
                created_at=at,
            )
    return queued
