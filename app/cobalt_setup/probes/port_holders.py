"""Which program listens on a port of this computer, where the operating system says.

A port that cannot be bound is only half a finding: the user needs to know whether the
program holding it is the server they configured (expected) or another one (then which).
psutil reads the sockets table on Windows, macOS and Linux. Without the rights to see
another user's processes (macOS, unless root) the holder stays unknown, and the words then
say how to find it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class PortHolder:
    port: int
    pid: int | None  # None: the OS did not say
    program: str | None  # the process name, e.g. "Xvnc"; None: not known


def _listening(wanted: set[int]) -> list[tuple[int, int | None]]:
    try:
        sockets = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, PermissionError):
        # macOS: only root sees every socket; our own user's processes are still readable.
        sockets = []
        for process in psutil.process_iter():
            try:
                sockets += [conn._replace(pid=process.pid)
                            for conn in process.net_connections(kind="tcp")]
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
    return [(conn.laddr.port, conn.pid) for conn in sockets
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in wanted]


def _name(pid: int | None) -> str | None:
    if not pid:
        return None
    try:
        return psutil.Process(pid).name() or None
    except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
        return None


def port_holders(ports: Iterable[int]) -> dict[int, PortHolder]:
    """The listening program of each of `ports` that has one the OS tells of. Blocking
    (one read of the sockets table, a few ms): call it in a worker thread."""
    wanted = set(ports)
    if not wanted:
        return {}
    found: dict[int, PortHolder] = {}
    for port, pid in _listening(wanted):
        if port not in found or (found[port].pid is None and pid):
            found[port] = PortHolder(port, pid, _name(pid))
    return found


def holders_words(ports: Iterable[int], holders: dict[int, PortHolder]) -> str:
    """ " (Xvnc, PID 42)", " (Xvnc, PIDs 42, 43; python3, PID 7)"; "" when the OS did not
    say."""
    pids: dict[str, list[int]] = {}
    for port in ports:
        holder = holders.get(port)
        if holder is not None and holder.pid:
            pids.setdefault(holder.program or "?", [])
            if holder.pid not in pids[holder.program or "?"]:
                pids[holder.program or "?"].append(holder.pid)
    if not pids:
        return ""
    named = [f"{program}, PID{'s' if len(found) > 1 else ''} "
             f"{', '.join(str(pid) for pid in sorted(found))}"
             for program, found in sorted(pids.items())]
    return f" ({'; '.join(named)})"


def is_this_computer(address: str) -> bool:
    """Whether `address` (an IP) is this computer: loopback, or one of its interfaces'."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    try:
        interfaces = psutil.net_if_addrs()
    except OSError:
        return False
    return any(entry.address.split("%")[0] == str(ip)
               for entries in interfaces.values() for entry in entries)
