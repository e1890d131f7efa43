"""Text made safe for a terminal: the one function every boundary uses (issue 16 item 1).

A resource name, client name, feed summary or pasted reason is shown on a terminal,
printed by the CLI and written into the timeline. A control character in it is an
instruction to the terminal: ESC starts OSC 52 (write the clipboard), OSC 8 (a
hyperlink), a title change or a clear-screen; C1 CSI (U+009B) does the same in one
character; CR and BS overwrite what was shown. `safe_text` removes every one of them.

Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed
too, not neutralised: they are invisible and only reorder what a reader sees (the
"Trojan Source" trick makes a name or number read differently from what is stored),
while right-to-left text needs none of them to display correctly (the Unicode bidi
algorithm orders it from the letters themselves). Replacing them with a visible mark
would put noise into names; the alert feed already removed them the same way.

Pure: no I/O.
"""

from __future__ import annotations

import re

CONTROL_RANGES = "\x00-\x08\x0b-\x1f\x7f-\x9f"
"""C0 controls but tab and newline, DEL, and the C1 controls (Unicode category Cc)."""
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""Bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069)."""

_MULTILINE = re.compile(f"[{CONTROL_RANGES}{BIDI_CONTROLS}]")
_SINGLE_LINE = re.compile(f"[\t\n{CONTROL_RANGES}{BIDI_CONTROLS}]")
_LINE_ENDS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile("[\t\n]+")


def safe_text(text: str, *, multiline: bool = False) -> str:
    """`text` without control or bidi-override characters; nothing else is changed.

    Multi-line fields (notes, descriptions) keep newline and tab, and CR, CRLF and the
    other line separators become newline; single-line fields get a space for each run
    of line breaks or tabs, so words either side of a break stay apart.
    """
    if text.isprintable():  # the usual case: no Cc or Cf character at all
        return text
    text = _LINE_ENDS.sub("\n", text)
    if multiline:
        return _MULTILINE.sub("", text)
    return _SINGLE_LINE.sub("", _SPACES.sub(" ", text))


def is_terminal_safe(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` holds no character `safe_text` would remove."""
    pattern = _MULTILINE if multiline else _SINGLE_LINE
    return pattern.search(text) is None


def unsafe_characters(text: str, *, multiline: bool = True) -> list[str]:
    """The characters in `text` that must not reach a terminal (for tests and checks)."""
    pattern = _MULTILINE if multiline else _SINGLE_LINE
    return pattern.findall(text)
