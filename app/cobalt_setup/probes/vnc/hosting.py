"""Can this computer host VNC displays: which ports of a range are free to listen on, and
which VNC ports to open where (the two ranges explained)."""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
import time
from collections.abc import Collection

from cobalt_setup.i18n import N_, _, ngettext
from cobalt_setup.probes.port_holders import holders_words, port_holders
from cobalt_setup.probes.vnc.check import check_range
from cobalt_setup.probes.vnc.rfb import (
    CLIENT_RANGE,
    SERVER_RANGE,
    SERVICE,
    VNC_BASE_PORT,
    XRFB_CONTROL_PORT,
    display_for_port,
)
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.wording import port_list

# -- hosting VNC displays on this computer -------------------------------------------------

def _bind_error(host: str, port: int) -> int | None:
    """None if this computer could listen on host:port now, else the errno of the bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if sys.platform == "win32":
            # SO_REUSEADDR on Windows lets a socket steal a port in use: ask for the opposite.
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", 0)
            if exclusive:
                sock.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        else:
            # What servers set: connections in TIME_WAIT do not make a port "in use".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            return error.errno or -1
    return None


def free_local_ports(first: int, last: int, host: str = "127.0.0.1") -> list[int]:
    """The ports of first..last this computer could listen on right now (each is bound and
    released at once; nothing is sent). Blocking, but only microseconds per port."""
    check_range(first, last)
    return [port for port in range(first, last + 1) if _bind_error(host, port) is None]

def _displays_text(first: int, last: int) -> str:
    """ "VNC displays 0-30" for 5900-5930; "VNC displays" outside 5900-5999."""
    low, high = display_for_port(first), display_for_port(last)
    if low is None or high is None:
        # Translators: the subject of "... free on this computer: {displays} can
        # listen on them."
        return _("VNC displays")
    if low == high:
        # Translators: the subject of "... free on this computer: {displays} can
        # listen on them."
        return _("VNC display {display}").format(display=low)
    # Translators: the subject of "... free on this computer: {displays} can
    # listen on them."; {displays} is a range of display numbers, e.g. "10-30".
    return _("VNC displays {displays}").format(displays=f"{low}-{high}")


async def probe_vnc_hosting(first: int, last: int, host: str = "0.0.0.0", *,
                            served: Collection[int] = ()) -> ProbeResult:
    """Could this computer host VNC displays on first..last? Binds each port for an instant
    (on all interfaces by default, as a server would) and lets it go.

    `served`: the ports where the Xrfb/VNC server the user configured, on this computer,
    answered RFB; that server holding them is expected, not a problem. A port held by
    another program names it where the OS says (details.holders).

    OK: every port is free, or held by the configured server. WARNING: some are in use
    by another program (summary: "5901 and 5902 are in use by another program (python3,
    PID 7)"). FAILED: none can be used. details: free, in_use, blocked, expected, holders.
    """
    check_range(first, last)
    started = time.perf_counter()
    in_use: list[int] = []
    blocked: dict[str, str] = {}
    for port in range(first, last + 1):
        code = _bind_error(host, port)
        if code is None:
            continue
        if code in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -2)):
            in_use.append(port)
        else:
            blocked[str(port)] = errno.errorcode.get(code, str(code))
        await asyncio.sleep(0)  # stay cancellable and let the GUI breathe on long ranges
    holders = await asyncio.to_thread(port_holders, in_use) if in_use else {}
    server_pids = {holders[port].pid for port in served if port in holders} - {None}
    expected = [port for port in in_use if port in served
                or (port in holders and holders[port].pid in server_pids)]
    ours_now = set(expected)
    in_use = [port for port in in_use if port not in ours_now]
    taken = sorted(in_use + [int(p) for p in blocked])
    unavailable = {*taken, *expected}
    free = [port for port in range(first, last + 1) if port not in unavailable]
    span = f"{first}-{last}" if first != last else str(first)
    details: dict[str, object] = {
        "host": host, "first": first, "last": last, "free": free, "in_use": in_use,
        "blocked": blocked, "expected": expected,
        "holders": {str(port): {"pid": holder.pid, "program": holder.program}
                    for port, holder in holders.items()}}
    target = f"this computer, TCP {span}"
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    ours = ""
    if expected:
        # Translators: {ports} is a list of port numbers such as "5901 and 5902";
        # {holder} names the program, e.g. " (Xvnc, PID 42)", or is empty.
        ours = ngettext(
            "{ports} is held by the Xrfb/VNC server you configured, on this computer{holder}: "
            "that is expected.",
            "{ports} are held by the Xrfb/VNC server you configured, on this "
            "computer{holder}: that is expected.", len(expected)).format(
                ports=port_list(expected), holder=holders_words(expected, holders))
    if not taken and expected:
        return ProbeResult("vnc.hosting", SERVICE, target, Status.OK, ours,
                           elapsed_ms=elapsed, details=details)
    if not taken:
        # Translators: {ports} is a port or a range of ports, e.g. "5900-5930";
        # {displays} e.g. "VNC displays 0-30".
        summary = ngettext("Port {ports} is free on this computer: {displays} can listen "
                           "on them.",
                           "Ports {ports} are free on this computer: {displays} can listen "
                           "on them.", last - first + 1)
        return ProbeResult("vnc.hosting", SERVICE, target, Status.OK,
                           summary.format(ports=span, displays=_displays_text(first, last)),
                           elapsed_ms=elapsed, details=details)
    words = []
    if in_use:
        displays = [display_for_port(port) for port in in_use]
        if None not in displays:
            numbers = port_list([d for d in displays if d is not None])
            # Translators: one item of a "; "-joined list of problems with local ports
            # (its first letter is made upper case); {ports} is a list of port numbers
            # such as "5901 and 5902", {displays} a list of display numbers such as "1
            # and 2".
            # {holder} names the program, e.g. " (python3, PID 7)", or is empty.
            word = ngettext("{ports} is in use by another program{holder} (VNC display "
                            "{displays} cannot listen there)",
                            "{ports} are in use by another program{holder} (VNC displays "
                            "{displays} cannot listen there)", len(in_use)).format(
                                ports=port_list(in_use), displays=numbers,
                                holder=holders_words(in_use, holders))
        else:
            # Translators: one item of a "; "-joined list of problems with local ports
            # (its first letter is made upper case); {ports} is a list of port numbers
            # such as "5901 and 5902".
            # {holder} names the program, e.g. " (python3, PID 7)", or is empty.
            word = ngettext("{ports} is in use by another program{holder}",
                            "{ports} are in use by another program{holder}", len(in_use)).format(
                                ports=port_list(in_use), holder=holders_words(in_use, holders))
        words.append(word)
    if blocked:
        ports = [int(p) for p in blocked]
        # Translators: one item of a "; "-joined list of problems with local ports
        # (its first letter is made upper case); {ports} is a list of port numbers
        # such as "5901 and 5902".
        words.append(_("{ports} cannot be opened by this program (reserved or "
                       "forbidden)").format(ports=port_list(ports)))
    fix = _("Choose display numbers whose ports are free (display N listens on port "
            "5900 + N), or stop the program that holds these ports. To see which program it "
            "is: `ss -ltnp` on Linux, `lsof -iTCP -sTCP:LISTEN` on macOS, `netstat -ano` on "
            "Windows.")
    # With the configured server here, a range without a free port is its, not a failure.
    status = Status.FAILED if not free and not expected else Status.WARNING
    summary = "; ".join(words) + "."
    summary = summary[0].upper() + summary[1:]
    if status is Status.FAILED:
        # Translators: {ports} is a range of ports, e.g. "5900-5930"; {problems} is
        # a "; "-joined list such as "5900 is in use by another program; 5901
        # cannot be opened by this program (reserved or forbidden)." (it ends with
        # its full stop).
        summary = _("No port of {ports} is free: {problems}").format(
            ports=span, problems=summary[0].lower() + summary[1:])
    if ours:
        summary = f"{ours} {summary}"
    return ProbeResult("vnc.hosting", SERVICE, target, status, summary, fix,
                       elapsed_ms=elapsed, details=details)


_VNC_RANGE_NOTE = N_(
    "Open Cobalt's network table lists TCP ports {client_ports} for VNC: that is the client "
    "side, the ports a computer running Open Cobalt connects to when it shows an Xrfb/VNC "
    "application. The Xrfb setup guide asks a server's firewall to open {server_ports} "
    "instead, because a server may host many displays and display N listens on port "
    "5900 + N (display 10 on 5910, display 99 on 5999).\n\n"
    "What to open where:\n"
    "- On a computer that runs Open Cobalt: allow outgoing TCP {client_ports} and the Xrfb "
    "control port {control_port} (most firewalls allow all outgoing connections already).\n"
    "- On the Xrfb/VNC server: allow incoming TCP on the control port {control_port} and on "
    "the ports of the displays it really runs, within {server_ports}; open no more than you "
    "use.\n"
    "- To work with both lists, use displays {both_displays} (ports {both_ports}): both "
    "ranges include them."
)


def _range_note_values() -> dict[str, object]:
    return {"client_ports": f"{CLIENT_RANGE[0]}-{CLIENT_RANGE[1]}",
            "server_ports": f"{SERVER_RANGE[0]}-{SERVER_RANGE[1]}",
            "control_port": XRFB_CONTROL_PORT,
            "both_displays": f"{SERVER_RANGE[0] - VNC_BASE_PORT}-"
                             f"{CLIENT_RANGE[1] - VNC_BASE_PORT}",
            "both_ports": f"{SERVER_RANGE[0]}-{CLIENT_RANGE[1]}"}


def vnc_range_note() -> str:
    """Which VNC ports to open where (the two ranges explained), in the user's language."""
    return _(_VNC_RANGE_NOTE).format(**_range_note_values())


# The same note in English (show vnc_range_note() to the user).
VNC_RANGE_NOTE = _VNC_RANGE_NOTE.format(**_range_note_values())
