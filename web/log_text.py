"""One field of a log line as text that cannot forge another line (the access log, a page's
failure): pure, below both the middleware and the pages."""

from __future__ import annotations

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def loggable(value: object, most: int = 300) -> str:
    """`value` for one line of a log: control characters (a newline, a NUL, a carriage
    return, the C1 range), line and paragraph separators and the bidirectional overrides
    written as escapes (`\\n`, `\\x00`, `\\u2028`), a backslash doubled, so a request cannot
    write a line of its own or hide a part of one; at most `most` characters."""
    text = str(value)
    if len(text) > most:
        text = text[:most] + "…"
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable() or ch in " \u200c\u200d":  # ZWNJ, ZWJ: Persian's own marks
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)
