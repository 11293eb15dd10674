"""Text that cannot act on a terminal.

A story, a save or a message may hold characters a terminal obeys rather
than shows: C0 controls (ESC starts escape sequences that clear the screen,
rename the window or write the clipboard), DEL, C1 controls (U+009B is a
one-character CSI) and the bidirectional overrides and isolates that make
text read differently from what it is. The compiler refuses them in stories
(see `forbidden_in`); every string on its way to a front end also passes
through `inert`, which shows each one as a visible escape instead, and
`write_out`/`write_err` are how the commands print.
"""

from __future__ import annotations

import re

# C0 controls but newline (tab is handled apart), DEL, C1, bidi embeddings,
# overrides and isolates.
_FORBIDDEN_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
FORBIDDEN = re.compile(f"[{_FORBIDDEN_CLASS}]")
# Written raw into a YAML file, CR is a line break (CRLF files), not text.
FORBIDDEN_IN_FILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE = re.compile(f"[\t{_FORBIDDEN_CLASS}]")
TAB = "    "

_C0 = ("NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
       "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
       "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
       "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
       "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
       "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
       "INFORMATION SEPARATOR ONE")
_C1 = {0x80: "PADDING CHARACTER", 0x81: "HIGH OCTET PRESET", 0x82: "BREAK PERMITTED HERE", 0x83: "NO BREAK HERE",
       0x84: "INDEX", 0x85: "NEXT LINE", 0x86: "START OF SELECTED AREA", 0x87: "END OF SELECTED AREA",
       0x88: "CHARACTER TABULATION SET", 0x89: "CHARACTER TABULATION WITH JUSTIFICATION",
       0x8A: "LINE TABULATION SET", 0x8B: "PARTIAL LINE FORWARD", 0x8C: "PARTIAL LINE BACKWARD",
       0x8D: "REVERSE LINE FEED", 0x8E: "SINGLE SHIFT TWO", 0x8F: "SINGLE SHIFT THREE",
       0x90: "DEVICE CONTROL STRING", 0x91: "PRIVATE USE ONE", 0x92: "PRIVATE USE TWO",
       0x93: "SET TRANSMIT STATE", 0x94: "CANCEL CHARACTER", 0x95: "MESSAGE WAITING",
       0x96: "START OF GUARDED AREA", 0x97: "END OF GUARDED AREA", 0x98: "START OF STRING",
       0x99: "SINGLE GRAPHIC CHARACTER INTRODUCER", 0x9A: "SINGLE CHARACTER INTRODUCER",
       0x9B: "CONTROL SEQUENCE INTRODUCER", 0x9C: "STRING TERMINATOR", 0x9D: "OPERATING SYSTEM COMMAND",
       0x9E: "PRIVACY MESSAGE", 0x9F: "APPLICATION PROGRAM COMMAND"}
_BIDI = {0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
         0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
         0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE"}


def char_name(ch: str) -> str:
    """`U+001B ESCAPE`: how an error names a character."""
    n = ord(ch)
    if n < 0x20:
        name = _C0[n]
    elif n == 0x7F:
        name = "DELETE"
    else:
        name = _C1.get(n) or _BIDI.get(n)
        if name is None:
            import unicodedata
            name = unicodedata.name(ch, "")
    return f"U+{n:04X} {name}".rstrip()


def forbidden_in(text: str) -> list[int]:
    """Offsets of the characters a story string may not hold."""
    return [m.start() for m in FORBIDDEN.finditer(text)]


def _visible(m: re.Match) -> str:
    ch = m.group()
    if ch == "\t":
        return TAB
    return f"\\u{ord(ch):04x}"  # also a valid escape inside a JSON string


def inert(text) -> str:
    """`text` with every character a terminal would obey shown as a visible
    escape (`\\u001b`), and tabs as spaces; newlines are kept."""
    if text.__class__ is not str:
        text = str(text)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_visible, text)


def write_out(line: str = "") -> None:
    """One line on stdout, made inert (every command prints through this)."""
    import sys
    sys.stdout.write(inert(line) + "\n")


def write_err(line: str) -> None:
    import sys
    sys.stderr.write(inert(line) + "\n")
