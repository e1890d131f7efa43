"""`safe_text`, the one rule for text bound for a terminal: every Cc and bidi control."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from oncall.domain.terminal_text import is_terminal_safe, safe_text, unsafe_characters

CONTROLS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc"]
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
HOSTILE = CONTROLS + BIDI
ATTACKS = [
    "\x1b]52;c;aGk=\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b]0;title\x07",  # window title
    "\x1b[2J\x1b[H",  # clear screen
    "\x9b2J",  # the same through the one-character C1 CSI
]

hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(codec="utf-8")), max_size=60
)


def test_there_are_65_controls_and_9_bidi_characters() -> None:
    assert len(CONTROLS) == 65 and len(BIDI) == 9


def test_every_control_and_bidi_character_is_removed_on_its_own() -> None:
    for char in HOSTILE:
        for multiline in (False, True):
            kept = "\n" if multiline and char in "\n\r\x0b\x0c\x85" else ""
            kept = "\t" if multiline and char == "\t" else kept
            kept = " " if not multiline and char in "\t\n\r\x0b\x0c\x85" else kept
            assert safe_text(f"a{char}b", multiline=multiline) == f"a{kept}b", repr(char)


def test_known_escape_sequences_are_inert() -> None:
    for attack in ATTACKS:
        cleaned = safe_text(f"Harbor {attack}Recovery")
        assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
        assert cleaned.startswith("Harbor ") and cleaned.endswith("Recovery")


@given(hostile_text, st.booleans())
def test_no_hostile_character_survives_and_cleaning_is_idempotent(
    text: str, multiline: bool
) -> None:
    cleaned = safe_text(text, multiline=multiline)
    allowed = "\n\t" if multiline else ""
    assert not [c for c in cleaned if c in HOSTILE and c not in allowed]
    assert is_terminal_safe(cleaned, multiline=multiline)
    assert not unsafe_characters(cleaned, multiline=multiline)
    assert safe_text(cleaned, multiline=multiline) == cleaned


@given(hostile_text)
def test_everything_else_is_kept_in_order(text: str) -> None:
    visible = [c for c in text if c not in HOSTILE and c not in "\u2028\u2029"]
    assert [c for c in safe_text(text, multiline=True) if c not in "\n\t"] == visible


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Zl", "Zp"))))
def test_printable_text_is_returned_unchanged(text: str) -> None:
    assert safe_text(text) == text
