"""The protocol screen's words: the next step, when naloxone is due again; a typed time."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from rich.text import Text

from oncall.domain.overdose_response import NaloxoneRepeat, OverdoseStep

# The prompts follow docs/design.md section 6's protocol and its order; they add no clinical advice.
PROMPTS: dict[OverdoseStep, str] = {
    OverdoseStep.BREATHING: "Is the person breathing? (b yes / n no)",
    OverdoseStep.RESPONSIVE: "Is the person responsive? (r yes / u no)",
    OverdoseStep.CALLED_911: "Call 911: 9 someone there called, d you call (who, when)",
    OverdoseStep.NALOXONE: "Give naloxone (x for each dose)",
    OverdoseStep.RESCUE_BREATHING: "Rescue breathing (v) or recovery position (p)",
    OverdoseStep.RECOVERY_POSITION: "Rescue breathing (v) or recovery position (p)",
    OverdoseStep.STAYING_WITH: "Stay with the person (s)",
    OverdoseStep.EMS_ARRIVED: "EMS arrived (a)",
}


def guidance(
    left: list[OverdoseStep],
    repeat: NaloxoneRepeat | None,
    finished: bool,
    now: datetime,
    zone: ZoneInfo,
) -> Text:
    """The naloxone reminder when one is running, then the next step of the protocol."""
    text = Text()
    if repeat is not None:
        given = f"{repeat.given_at.astimezone(zone):%H:%M:%S}"
        if repeat.is_due(now):
            minutes = int((now - repeat.given_at).total_seconds() // 60)
            text.append(
                f"No response recorded {minutes} min after naloxone dose {repeat.dose}"
                f" ({given}): give another dose (x), or r if they respond.",
                style="bold white on red",
            )
        else:
            text.append(
                f"Naloxone dose {repeat.dose} at {given}: if no response by"
                f" {repeat.due_from.astimezone(zone):%H:%M:%S}–"
                f"{repeat.due_by.astimezone(zone):%H:%M}, give another dose (x).",
                style="bold yellow",
            )
        text.append("\n")
    if finished:
        text.append("EMS arrived. Esc returns to the episode: record the outcome there.")
    elif left:
        text.append("Next: ", style="bold")
        text.append(PROMPTS[left[0]])
    else:
        text.append("Every step is recorded. Keep the caller on the line until EMS arrives.")
    return text


def typed_time(typed: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """A time typed as HH:MM today in the clinic's zone; blank is None (now)."""
    text = typed.strip()
    if not text:
        return None
    try:
        clock = time.fromisoformat(text if len(text) == 5 else f"0{text}")
    except ValueError:
        raise ValueError(f"{text!r} is not a time: write it as HH:MM.") from None
    return datetime.combine(now.astimezone(zone).date(), clock, tzinfo=zone)
