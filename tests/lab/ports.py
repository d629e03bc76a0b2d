"""Free loopback ports for the lab, chosen below the kernel's ephemeral range.

Why not `bind(0)`: the kernel hands out ports from the ephemeral range (Linux:
32768-60999), the same range every outgoing connection and every DNS query's source port
comes from. A port picked with `bind(0)` and then released for a daemon to bind is free for
any of those in between; under load that window is long enough, and dnsmasq failed with
"Address already in use" (and a "dead" server's port could have been taken by a client).
Below the ephemeral range only explicit binds take ports, and those are each checked here.
The pick is random (not the seeded `random`: pytest-randomly gives every test one seed), so
two test runs side by side rarely try the same port first.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterable
from pathlib import Path

LOWEST = 20000
# Ports a system service may want on loopback, or a lab daemon's default: never picked.
AVOIDED = frozenset({53, 5222, 5223, 5269, 5280, 5281, 5353, 5355})
_PICK = random.SystemRandom()


def _ephemeral_start() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # macOS starts at 49152; 32768 is below both
    return max(LOWEST + 1000, low)


def _free(port: int, host: str, kinds: Iterable[int]) -> bool:
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


def free_port_block(count: int, host: str = "127.0.0.1", *, udp: bool = False,
                    tcp: bool = True, exclude: Iterable[int] = ()) -> int:
    """The first of `count` consecutive ports that are all free on `host` right now (for
    TCP, UDP or both), below the ephemeral range."""
    kinds = [kind for kind, wanted in ((socket.SOCK_STREAM, tcp), (socket.SOCK_DGRAM, udp))
             if wanted]
    avoided = AVOIDED | set(exclude)
    high = _ephemeral_start()
    for _ in range(500):
        first = _PICK.randrange(LOWEST, high - count)
        block = range(first, first + count)
        if avoided.isdisjoint(block) and all(_free(port, host, kinds) for port in block):
            return first
    raise OSError(f"no {count} consecutive free ports on {host}")


def free_ports(count: int, host: str = "127.0.0.1", *, udp: bool = False, tcp: bool = True,
               exclude: Iterable[int] = ()) -> list[int]:
    """`count` distinct ports, each free on `host` when chosen (then released: a daemon
    binds them next)."""
    chosen: list[int] = []
    for _ in range(count):
        chosen.append(free_port_block(1, host, udp=udp, tcp=tcp,
                                      exclude=[*exclude, *chosen]))
    return chosen


def free_tcp_port(host: str = "127.0.0.1") -> int:
    return free_port_block(1, host)


def free_udp_port(host: str = "127.0.0.1") -> int:
    return free_port_block(1, host, udp=True, tcp=False)
