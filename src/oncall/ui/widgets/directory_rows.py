"""How a directory entry reads on screen: a table row, and the details of the selected one."""

from __future__ import annotations

from rich.text import Text

from oncall.services.directory import DirectoryEntry

COLUMNS: tuple[tuple[str, int], ...] = (
    ("Name", 26),
    ("Phone", 16),
    ("Distance", 8),
    ("Hours", 26),
    ("Verified", 16),
    ("24/7", 4),
    ("Languages", 18),
    ("Organization", 26),
)
"""Column titles and widths: what a clinician needs first comes first (80 columns show four)."""

_SPECIAL_WORDS = {"oud": "OUD"}
_STORED_FIELD_WORDS = {
    "counties_served": "counties served",
    "last_verified": "date last verified",
    "lat": "map position",
    "lon": "map position",
}
"""Stored fields named in words where the column's own name would not do."""
DAMAGED_MARK = "⚠ "
"""Before the name of an entry some of whose stored details could not be read."""


def category_label(code: str) -> str:
    """A category code in words ("medication_for_oud" → "Medication for OUD")."""
    label = " ".join(_SPECIAL_WORDS.get(word, word) for word in code.split("_"))
    return label[:1].upper() + label[1:]


def damaged_fields(entry: DirectoryEntry) -> str:
    """The stored fields that could not be read, in words ("phones, schedule"); "" when none."""
    words = [_STORED_FIELD_WORDS.get(name, name) for name in entry.record.damaged]
    return ", ".join(dict.fromkeys(words))


def damage_warning(entry: DirectoryEntry) -> str:
    """What the clinician must know about an entry the store could not read whole; "" if none."""
    fields = damaged_fields(entry)
    if not fields:
        return ""
    return (
        f"Some stored details could not be read: {fields}. Check the entry before"
        " relying on it; an admin can re-sync the directory."
    )


def phone_summary(entry: DirectoryEntry) -> Text:
    """The first number, and how many more there are."""
    phones = entry.record.phones
    if not phones and "phones" in entry.record.damaged:
        return Text("unreadable", style="bold red")
    if not phones:
        return Text("no phone", style="dim")
    text = Text(phones[0][0], style="bold")
    if len(phones) > 1:
        text.append(f" +{len(phones) - 1}", style="dim")
    return text


def distance_text(entry: DirectoryEntry) -> Text:
    """Miles from the client, or a dash when either place has no position."""
    if entry.distance_miles is None:
        return Text("—", style="dim", justify="right")
    miles = entry.distance_miles
    shown = f"{miles:.1f} mi" if miles < 10 else f"{miles:.0f} mi"
    return Text(shown, justify="right")


def hours_text(entry: DirectoryEntry) -> Text:
    """Open or closed now, then the weekly hours as listed."""
    record = entry.record
    text = Text()
    if entry.open_now:
        text.append("OPEN ", style="bold green")
    elif record.hours or record.schedule:
        text.append("closed ", style="dim")
    if record.always_open:
        text.append("all day, every day")
        return text
    if not (record.hours or record.schedule) and "schedule" in record.damaged:
        text.append("hours unreadable", style="bold red")
        return text
    summary = "; ".join(record.schedule) if record.schedule else "hours not listed"
    text.append(summary, style="" if record.schedule else "dim")
    return text


def verified_text(entry: DirectoryEntry) -> Text:
    """How long ago the entry was verified; STALE (over 180 days, or never) in red."""
    days = entry.verified_days_ago
    if days is None and "last_verified" in entry.record.damaged:
        return Text("unreadable STALE", style="bold red")
    if days is None:
        return Text("never STALE", style="bold red")
    ago = "today" if days == 0 else f"{days} d ago"
    if entry.stale:
        return Text(f"{ago} STALE", style="bold red")
    return Text(ago)


def row_cells(entry: DirectoryEntry) -> tuple[Text, ...]:
    """One row of the directory table, in COLUMNS order (plain Text: feed data is never markup)."""
    record = entry.record
    name = Text()
    if entry.pinned:
        name.append("★ ", style="bold yellow")
    if record.damaged:
        name.append(DAMAGED_MARK, style="bold red")
    name.append(record.name, style="bold" if entry.pinned else "")
    return (
        name,
        phone_summary(entry),
        distance_text(entry),
        hours_text(entry),
        verified_text(entry),
        Text("24/7", style="bold") if record.always_open else Text(""),
        Text(", ".join(record.languages) or "—"),
        Text(record.organization),
    )


def detail_text(entry: DirectoryEntry) -> Text:
    """Everything about the selected entry that the row had to cut short."""
    record = entry.record
    text = Text(no_wrap=False)
    warning = damage_warning(entry)
    if warning:  # first: the rest of the entry may be missing what it could not read
        text.append(f"{DAMAGED_MARK}{warning}\n", style="bold red")
    text.append(record.name, style="bold")
    if record.organization and record.organization != record.name:
        text.append(f" — {record.organization}")
    place = ", ".join(p for p in (record.address, record.city) if p)
    if record.county:
        place += f" ({record.county} County)" if place else f"{record.county} County"
    text.append(f" · {place}" if place else " · no street address (phone or text service)")
    text.append("\nPhones: ")
    for number, (phone, kind) in enumerate(record.phones):
        text.append(" · " if number else "")
        text.append(phone, style="bold")
        text.append(f" ({kind})" if kind else "")
    if not record.phones:
        text.append("none listed", style="dim")
    text.append("  Languages: " + (", ".join(record.languages) or "not listed"))
    categories = ", ".join(category_label(c) for c in record.categories)
    text.append(f"\n{categories}. " if categories else "\n")
    text.append(record.description)
    return text
