"""Small pieces of the probes' plain-language messages, written once."""

from __future__ import annotations

from cobalt_setup.i18n import _


def seconds(value: float) -> str:
    """1.0 -> "1 s", 0.25 -> "0.25 s", 0.99997 (what a deadline had left) -> "1 s"."""
    return f"{value:.3g} s"


def shown_seconds(value: float) -> float:
    """The number `seconds` shows, for texts that format it themselves ({seconds:g} s)."""
    return float(f"{value:.3g}")


def milliseconds(value: float | None) -> str:
    """None -> "-", 7.71 -> "7.7 ms", 156.2 -> "156 ms"."""
    if value is None:
        return "-"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def printable(raw: bytes, limit: int = 40) -> str:
    """Bytes from the network as one short line a person can read (non-text shown as ?)."""
    text = bytes(raw[:limit]).decode("latin-1").rstrip("\r\n")
    text = "".join(ch if " " <= ch < "\x7f" else "?" for ch in text)
    return text + ("\u2026" if len(raw) > limit else "")


def port_list(ports: list[int]) -> str:
    """[5901, 5902] -> "5901 and 5902"; [5901, 5902, 5903, 5910] -> "5901-5903 and 5910"."""
    runs: list[list[int]] = []
    for port in sorted(set(ports)):
        if runs and port == runs[-1][-1] + 1:
            runs[-1].append(port)
        else:
            runs.append([port])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}-{run[-1]}")
        else:
            parts += [str(port) for port in run]
    if len(parts) <= 1:
        return "".join(parts)
    # Translators: the end of a list of port numbers, e.g. "5901, 5905 and 5910".
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])
