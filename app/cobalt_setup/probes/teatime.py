"""TeaTime: peer-to-peer TCP connections on 6900-6909, out of and into this computer.

Outgoing: connect to each port of the range on a peer (a router, a friend's space).
"reachable" means the connection was made (and closed at once, nothing is sent);
"refused" means the host answered that nothing listens there, so the path is open;
"timeout" means nothing came back, which is what a firewall that drops packets looks like.
A firewall that rejects (rather than drops) also looks like "refused": the verdict says
the path is open only in the sense that packets come back.

Hosting: can this computer listen on the range? Each port is bound briefly and released.
Nothing calls listen(), so no connection is ever accepted and desktop firewalls (which
ask the user when a program starts listening) are not triggered. Whether peers outside
the LAN can reach these ports is the router page's business.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import time
from functools import partial

from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.os_errors import ACCESS_DENIED, ADDRESS_IN_USE, NOT_MINE
from cobalt_setup.probes.port_holders import holders_words, port_holders
from cobalt_setup.probes.tcp import (
    Exchange,
    Outcome,
    close_quietly,
    open_stream,
    outcome,
    run_exchange,
)
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.time_limit import within
from cobalt_setup.wording import port_list, seconds

CONCURRENCY = 10  # connection attempts in flight at once
MAX_PORTS = 1024  # a range wider than this is a mistake, not a TeaTime range

def _check_range(first: int, last: int) -> None:
    if not (1 <= first <= last <= 65535):
        raise ValueError(f"not a port range: {first}-{last}")
    if last - first + 1 > MAX_PORTS:
        raise ValueError(f"port range {first}-{last} is wider than {MAX_PORTS} ports")

def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000


_STATES = {Outcome.REFUSED: "refused", Outcome.CONNECT_TIMEOUT: "timeout",
           Outcome.UNREACHABLE: "unreachable"}


async def _connect_and_hang_up(exchange: Exchange, address: str) -> None:
    _reader, writer = await open_stream(exchange, [address])
    close_quietly(writer)


async def _try_port(address: str, port: int, timeout: float,
                    gate: asyncio.Semaphore) -> dict[str, object]:
    async with gate:
        exchange = Exchange(address, port, timeout)
        await run_exchange(exchange, partial(_connect_and_hang_up, exchange, address))
        found = outcome(exchange)
        state = "reachable" if found.connected else _STATES.get(found, "error")
        entry: dict[str, object] = {"port": port, "state": state,
                                    "ms": round(exchange.elapsed_ms(), 2)}
        if state in ("unreachable", "error") and exchange.error is not None:
            entry["error"] = exchange.error.strerror or str(exchange.error)
        return entry


async def probe_teatime_outgoing(host: str, first: int, last: int, *,
                                 timeout: float) -> ProbeResult:
    """Try a TCP connection to every port first..last of `host` (10 at a time).

    OK: at least one port connected, or every port was refused (packets come back, so
    outgoing TeaTime traffic is not blocked). FAILED: every port timed out (blocked) or
    the host cannot be reached or looked up. WARNING: a mix with no connection, e.g. some
    ports refused and others timing out (some of the range is blocked).
    Each attempt lasts at most `timeout`; with up to 10 ports the whole check does too.
    Raises ValueError for a range that is not one (a programming error, not the network).
    """
    _check_range(first, last)
    started = time.perf_counter()
    target = f"{host}:{first}-{last}"
    span = str(first) if first == last else f"{first}-{last}"
    details: dict[str, object] = {"host": host, "first": first, "last": last,
                                  "timeout_s": timeout}
    loop = asyncio.get_running_loop()
    try:
        infos = await within(
            loop.getaddrinfo(host, first, type=socket.SOCK_STREAM), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        return ProbeResult("teatime.outgoing", "teatime", target, Status.FAILED,
                           _("Looking up {host} took longer than {time}.").format(
                               host=host, time=seconds(timeout)),
                           _("Check this computer's DNS settings (the DNS page of this "
                             "wizard)."),
                           _elapsed(started), {**details, "error": "lookup timeout"})
    except OSError as problem:
        return ProbeResult("teatime.outgoing", "teatime", target, Status.FAILED,
                           _("The name {host} could not be found.").format(host=host),
                           _("Check the spelling of the host name, and this computer's DNS "
                             "settings."), _elapsed(started), {**details, "error": str(problem)})
    address = str(infos[0][4][0])
    details["address"] = address
    gate = asyncio.Semaphore(CONCURRENCY)
    ports = await gather_all(*(_try_port(address, port, timeout, gate)
                                   for port in range(first, last + 1)))
    details["ports"] = list(ports)
    by_state: dict[str, list[int]] = {}
    for entry in ports:
        by_state.setdefault(str(entry["state"]), []).append(int(entry["port"]))  # type: ignore[arg-type]
    for state in ("reachable", "refused", "timeout", "unreachable", "error"):
        details[state] = by_state.get(state, [])
    reachable, refused = by_state.get("reachable", []), by_state.get("refused", [])
    timeouts = by_state.get("timeout", [])
    total = last - first + 1

    def result(status: Status, summary: str, fix: str = "") -> ProbeResult:
        return ProbeResult("teatime.outgoing", "teatime", target, status, summary, fix,
                           _elapsed(started), details)

    if reachable:
        if refused and timeouts:
            # Translators: {reachable}, {refused} and {timed_out} are lists of port
            # numbers, e.g. "6900 and 6901" or "6902-6909".
            summary = _("Connected to {host} on TeaTime port {reachable}; {refused} refused "
                        "(nothing listens there); {timed_out} timed out.")
        elif refused:
            # Translators: {reachable} and {refused} are lists of port numbers, e.g.
            # "6900 and 6901" or "6902-6909".
            summary = _("Connected to {host} on TeaTime port {reachable}; {refused} refused "
                        "(nothing listens there).")
        elif timeouts:
            # Translators: {reachable} and {timed_out} are lists of port numbers, e.g.
            # "6900 and 6901" or "6902-6909".
            summary = _("Connected to {host} on TeaTime port {reachable}; {timed_out} timed "
                        "out.")
        else:
            # Translators: {reachable} is a list of port numbers, e.g. "6900 and 6901".
            summary = _("Connected to {host} on TeaTime port {reachable}.")
        return result(Status.OK, summary.format(
            host=host, reachable=port_list(reachable), refused=port_list(refused),
            timed_out=port_list(timeouts)))
    if len(refused) == total:
        # Translators: {ports} is a port or a range of ports, e.g. "6900-6909".
        return result(Status.OK,
                      _("Outgoing TCP {ports} is not blocked: {host} answered on every port, "
                        "though nothing listens there yet.").format(ports=span, host=host))
    if len(timeouts) == total:
        # Translators: {ports} is a port or a range of ports, e.g. "6900-6909".
        return result(Status.FAILED,
                      _("No answer from {host} on TCP {ports} within {time}: your firewall or "
                        "network blocks outgoing TCP {ports}.").format(
                            host=host, ports=span, time=seconds(timeout)),
                      _("Allow outgoing TCP ports {ports} in your firewall or security "
                        "software; on a school or office network, ask its administrator. "
                        "If {host} is switched off or offline, it cannot answer "
                        "either.").format(ports=span, host=host))
    if len(by_state.get("unreachable", [])) == total:
        return result(Status.FAILED,
                      _("{host} cannot be reached from this computer (no route to "
                        "it).").format(host=host),
                      _("Check the host's address and this computer's network connection."))
    blocked = [p for p in range(first, last + 1) if p not in refused]
    if refused:
        # Translators: {blocked} and {answered} are lists of port numbers, e.g.
        # "6900 and 6901" or "6902-6909".
        summary = _("Some TeaTime ports to {host} are blocked: {blocked} did not answer "
                    "while {answered} did.").format(host=host, blocked=port_list(blocked),
                                                    answered=port_list(refused))
    else:
        # Translators: {ports} is a list of port numbers, e.g. "6900-6909".
        summary = _("No TeaTime port of {host} could be tried: {ports} failed.").format(
            host=host, ports=port_list(blocked))
    return result(Status.WARNING, summary,
                  # Translators: {ports} is a port or a range of ports, e.g. "6900-6909".
                  _("Allow outgoing TCP ports {ports} in your firewall or security "
                    "software.").format(ports=span))


def _bind_state(family: int, host: str, port: int) -> tuple[str, str]:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name == "nt":
            # Windows' SO_REUSEADDR would let us bind over another program's listener.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            # Ignore connections in TIME_WAIT; a listener still makes bind fail.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as problem:
        if problem.errno in ADDRESS_IN_USE:
            return "in use", ""
        if problem.errno in ACCESS_DENIED:
            return "reserved", problem.strerror or str(problem)
        if problem.errno in NOT_MINE:
            return "not this computer", problem.strerror or str(problem)
        return "error", problem.strerror or str(problem)
    finally:
        sock.close()
    return "free", ""


async def probe_teatime_hosting(first: int, last: int, host: str = "0.0.0.0") -> ProbeResult:
    """Can this computer listen on TCP first..last (at `host`, an address of this computer)?

    OK: every port is free. WARNING: some ports are in use by another program or reserved
    by the system (listed). FAILED: `host` is not an address of this computer.
    """
    _check_range(first, last)
    started = time.perf_counter()
    target = f"{host}:{first}-{last}"
    span = str(first) if first == last else f"{first}-{last}"
    details: dict[str, object] = {"host": host, "first": first, "last": last}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ProbeResult("teatime.hosting", "teatime", target, Status.FAILED,
                           # Translators: {address} is the address as typed, quoted.
                           _("{address} is not an IP address of this computer.").format(
                               address=repr(host)),
                           _("Enter this computer's LAN address, or 0.0.0.0 for all of them."),
                           _elapsed(started), details)
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    ports = []
    for port in range(first, last + 1):
        state, error = _bind_state(family, host, port)
        entry: dict[str, object] = {"port": port, "state": state}
        if error:
            entry["error"] = error
        ports.append(entry)
    details["ports"] = ports
    by_state: dict[str, list[int]] = {}
    for entry in ports:
        by_state.setdefault(str(entry["state"]), []).append(int(entry["port"]))  # type: ignore[arg-type]
    for state in ("free", "in use", "reserved", "not this computer", "error"):
        details[state.replace(" ", "_")] = by_state.get(state, [])
    in_use, reserved = by_state.get("in use", []), by_state.get("reserved", [])
    other = by_state.get("error", [])

    def result(status: Status, summary: str, fix: str = "") -> ProbeResult:
        return ProbeResult("teatime.hosting", "teatime", target, status, summary, fix,
                           _elapsed(started), details)

    if by_state.get("not this computer"):
        return result(Status.FAILED,
                      _("{host} is not an address of this computer, so spaces cannot listen "
                        "on it.").format(host=host),
                      _("Choose this computer's own LAN address, or 0.0.0.0 for all of them."))
    if len(by_state.get("free", [])) == last - first + 1:
        # Translators: {ports} is a port or a range of ports, e.g. "6900-6909".
        return result(Status.OK,
                      _("This computer can listen on TeaTime ports {ports}.").format(ports=span))
    problems, fixes = [], []
    if in_use:
        # Translators: one item of a "; "-joined list of problems (its first letter
        # is made upper case, a full stop ends the list); {ports} is e.g. "6901 and
        # 6904".
        holders = await asyncio.to_thread(port_holders, in_use)
        details["holders"] = {str(port): {"pid": holder.pid, "program": holder.program}
                              for port, holder in holders.items()}
        # {holder} names the program where the OS says, e.g. " (python3, PID 7)", or is
        # empty.
        problems.append(ngettext("TeaTime port {ports} is in use by another program on this "
                                 "computer{holder}",
                                 "TeaTime ports {ports} are in use by another program on this "
                                 "computer{holder}", len(in_use)).format(
                                     ports=port_list(in_use),
                                     holder=holders_words(in_use, holders)))
        # Translators: one of the fixes joined with spaces into one paragraph.
        fixes.append(_("If an Open Cobalt router is running, it holds them, which is fine. "
                       "Otherwise close the program that uses them, or choose other TeaTime "
                       "ports on the Router page."))
    if reserved:
        # Translators: one item of a "; "-joined list of problems (its first letter
        # is made upper case, a full stop ends the list); {ports} is e.g. "6901 and
        # 6904".
        problems.append(_("the system does not let programs listen on {ports}").format(
            ports=port_list(reserved)))
        # Translators: one of the fixes joined with spaces into one paragraph; keep
        # the command as it is.
        fixes.append(_("On Windows, `netsh interface ipv4 show excludedportrange "
                       "protocol=tcp` lists the ports the system reserves; choose a range "
                       "outside them."))
    if other:
        # Translators: one item of a "; "-joined list of problems (its first letter
        # is made upper case, a full stop ends the list); {ports} is e.g. "6901 and
        # 6904".
        problems.append(_("{ports} could not be tried").format(ports=port_list(other)))
    summary = "; ".join(problems)
    return result(Status.WARNING, summary[0].upper() + summary[1:] + ".", " ".join(fixes))
